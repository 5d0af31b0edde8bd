using DeepMem.Core;
using DeepMem.Estimator;

namespace DeepMem.Tests.Estimator;

/// <summary>Hand-made traces for the estimator tests; one tick = one microsecond.</summary>
internal static class TestTraces
{
    public const ulong PageSize = 4096;

    /// <summary>One window's accesses: (vpn, reads, writes).</summary>
    public sealed record Access(ulong Page, uint Reads, uint Writes);

    public static TraceHeader Header(int boundNode, int nodeCount = 2, ulong windowInsts = 1000, ulong capacityPages = 1024) => new()
    {
        PageSize = PageSize,
        WindowInstructions = windowInsts,
        TicksPerSecond = 1e6,
        Cpu = "O3",
        Nodes = Enumerable.Range(0, nodeCount)
            .Select(i => new TraceNode(i, NodeName(i), i == 0 ? "dram" : "nvm", capacityPages * PageSize)).ToList(),
        BoundNode = boundNode,
        Workload = new TraceWorkload("/bin/kernel", ["10"]),
    };

    public static string NodeName(int i) => i switch { 0 => "dram", 1 => "nvm", _ => $"node{i}" };

    /// <summary>
    /// A trace set where window w takes ticks[d][w] on node d and has the
    /// same accesses in every trace.
    /// </summary>
    public static TraceSet Set(ulong[][] ticks, Access[][] windows, IReadOnlyList<TraceRegion> regions, ulong windowInsts = 1000) =>
        TraceSet.Create(Enumerable.Range(0, ticks.Length)
            .Select(d => Trace(d, ticks.Length, ticks[d], windows, regions, windowInsts)).ToList());

    public static WindowTrace Trace(int node, int nodeCount, ulong[] ticks, Access[][] windows, IReadOnlyList<TraceRegion> regions, ulong windowInsts = 1000)
    {
        var ws = new List<TraceWindow>();
        for (var w = 0; w < windows.Length; w++)
        {
            var a = windows[w];
            ws.Add(new TraceWindow(w, ticks[w], windowInsts, a.Select(x => x.Page).ToArray(), a.Select(x => x.Reads).ToArray(),
                a.Select(x => x.Writes).ToArray(), a.Select(_ => node).ToArray()));
        }

        var sumTicks = (ulong)ticks.Take(windows.Length).Aggregate(0m, (s, t) => s + t);
        return new WindowTrace(Header(node, nodeCount, windowInsts), regions, ws,
            new TraceEnd(sumTicks, windowInsts * (ulong)windows.Length, 0), NodeName(node) + ".trace.jsonl.gz");
    }

    /// <summary>Region of <paramref name="pages"/> pages starting at page <paramref name="firstPage"/>.</summary>
    public static TraceRegion Region(ulong id, ulong firstPage, ulong pages, int firstWindow = 0) =>
        new(id, firstPage * PageSize, pages * PageSize, RegionSource.Mmap, firstWindow);

    /// <summary>
    /// The two-node, two-region example worked by hand in the tests:
    /// region A = pages 0x100..0x101, region B = page 0x200.
    /// w0: dram 100, nvm 300; A 3 reads (page 0x100), B 1 read.
    /// w1: dram 200, nvm 600; A 1 write (page 0x101), B 1 read.
    /// </summary>
    public static TraceSet TwoByTwo() => Set(
        [[100, 200], [300, 600]],
        [
            [new(0x100, 3, 0), new(0x200, 1, 0)],
            [new(0x101, 0, 1), new(0x200, 1, 0)],
        ],
        [Region(1, 0x100, 2), Region(2, 0x200, 1)]);
}
