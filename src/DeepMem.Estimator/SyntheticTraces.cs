using DeepMem.Core;

namespace DeepMem.Estimator;

/// <summary>
/// Generates synthetic single-device trace sets for tests and benchmarks:
/// regions of varying hotness that changes by phase, random reads and
/// writes, and window times of compute + accesses × node latency. The
/// times are made up; they only give the estimator realistic shapes.
/// </summary>
public static class SyntheticTraces
{
    /// <summary>Generates a consistent trace set (one trace per node, same accesses in every trace).</summary>
    public static TraceSet Generate(SyntheticTraceSpec spec)
    {
        if (spec.Nodes < 1 || spec.Windows < 1 || spec.Regions < 1 || spec.PagesPerRegion < 1)
        {
            throw new ArgumentException("nodes, windows, regions and pages per region must be at least 1");
        }

        const ulong pageSize = Gem5Defaults.PageSize;
        var rng = new Random(spec.Seed);
        var regions = new List<TraceRegion>();
        var firstPage = new ulong[spec.Regions];
        for (var r = 0; r < spec.Regions; r++)
        {
            // Regions 1 page apart so that gaps exist between them.
            firstPage[r] = 0x10000UL + (ulong)r * (ulong)(spec.PagesPerRegion + 1);
            regions.Add(new TraceRegion((ulong)r + 1, firstPage[r] * pageSize, (ulong)spec.PagesPerRegion * pageSize, RegionSource.Mmap));
        }

        var phases = Math.Max(1, spec.Phases);
        var hot = new double[phases][];
        for (var ph = 0; ph < phases; ph++)
        {
            hot[ph] = Enumerable.Range(0, spec.Regions).Select(_ => Math.Pow(rng.NextDouble(), 3)).ToArray();
        }

        var capacity = spec.CapacityBytes ?? (ulong)spec.Regions * (ulong)(spec.PagesPerRegion + 1) * pageSize * 2;
        var nodes = Enumerable.Range(0, spec.Nodes)
            .Select(d => new TraceNode(d, d == 0 ? "fast" : $"slow{d}", d == 0 ? "dram" : "nvm", capacity)).ToList();
        var windows = new List<(ulong[] Pages, uint[] Reads, uint[] Writes, double[] Ns)>();
        var pageSet = new Dictionary<ulong, (uint R, uint W)>();
        for (var w = 0; w < spec.Windows; w++)
        {
            pageSet.Clear();
            var h = hot[(int)((long)w * phases / spec.Windows)];
            for (var r = 0; r < spec.Regions; r++)
            {
                var touches = (int)Math.Round(h[r] * spec.TouchesPerRegionWindow * 2 * rng.NextDouble());
                for (var t = 0; t < touches; t++)
                {
                    var vpn = firstPage[r] + (ulong)rng.Next(spec.PagesPerRegion);
                    pageSet.TryGetValue(vpn, out var c);
                    pageSet[vpn] = (c.R + (uint)rng.Next(1, 40), c.W + (uint)rng.Next(0, 10));
                }
            }

            var pages = pageSet.Keys.ToArray();
            var reads = pages.Select(p => pageSet[p].R).ToArray();
            var writes = pages.Select(p => pageSet[p].W).ToArray();
            var accesses = reads.Sum(x => (double)x) + writes.Sum(x => (double)x);
            var compute = spec.ComputeNsPerWindow * (0.5 + rng.NextDouble());
            var ns = Enumerable.Range(0, spec.Nodes)
                .Select(d => compute + accesses * spec.FastLatencyNs * (1 + spec.SlowdownPerNode * d)).ToArray();
            windows.Add((pages, reads, writes, ns));
        }

        var traces = new List<WindowTrace>();
        for (var d = 0; d < spec.Nodes; d++)
        {
            var header = new TraceHeader
            {
                PageSize = pageSize,
                WindowInstructions = spec.WindowInstructions,
                TicksPerSecond = Gem5Defaults.TicksPerSecond,
                Cpu = "synthetic",
                Nodes = nodes,
                BoundNode = d,
                Workload = new TraceWorkload("synthetic", [$"seed={spec.Seed}"]),
            };
            var ws = new List<TraceWindow>(spec.Windows);
            ulong ticks = 0;
            for (var w = 0; w < spec.Windows; w++)
            {
                var x = windows[w];
                var t = (ulong)Math.Round(x.Ns[d] * 1000);
                ticks += t;
                var nodeOf = new int[x.Pages.Length];
                Array.Fill(nodeOf, d);
                ws.Add(new TraceWindow(w, t, spec.WindowInstructions, x.Pages, x.Reads, x.Writes, nodeOf));
            }

            traces.Add(new WindowTrace(header, regions, ws,
                new TraceEnd(ticks, spec.WindowInstructions * (ulong)spec.Windows, 0), $"synthetic-{nodes[d].Name}"));
        }

        return TraceSet.Create(traces);
    }

    /// <summary>
    /// A calibration run for a two-node <paramref name="set"/>: node 0's
    /// accesses with pages alternating between the nodes, each window taking
    /// the geometric mean of the two traces' times (below the linear mix,
    /// as overlap makes it in gem5).
    /// </summary>
    public static WindowTrace Calibration(TraceSet set)
    {
        if (set.NodeCount != 2)
        {
            throw new ArgumentException($"a calibration needs two nodes; the set has {set.NodeCount}");
        }

        var (a, b) = (set.Traces[0], set.Traces[1]);
        var windows = a.Windows.Select((w, i) => new TraceWindow(i, (ulong)Math.Sqrt((double)w.Ticks * b.Windows[i].Ticks), w.Instructions,
            w.Pages, w.Reads, w.Writes, w.Pages.Select(p => (int)(p % 2)).ToArray())).ToList();
        var ticks = windows.Aggregate(0UL, (t, w) => t + w.Ticks);
        return a with
        {
            Header = a.Header with { BoundNode = null },
            Windows = windows,
            End = a.End with { Ticks = ticks },
            Source = "synthetic calibration",
        };
    }
}
