using System.Diagnostics;
using DeepMem.Core;

namespace DeepMem.Estimator;

/// <summary>
/// Measures estimator throughput on a synthetic trace set: static
/// placements per second and window-page updates per second on the
/// dynamic backend (for <c>deepmem bench estimator</c>).
/// </summary>
public static class EstimatorBenchmark
{
    /// <summary>Runs every measurement and returns the printable report.</summary>
    public static string Run(EstimatorBenchmarkOptions? options = null, CancellationToken cancellationToken = default) =>
        Measure(options, cancellationToken).ToReport();

    /// <summary>Runs every measurement.</summary>
    public static EstimatorBenchmarkResult Measure(EstimatorBenchmarkOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new EstimatorBenchmarkOptions();
        var spec = options.Trace;
        var set = SyntheticTraces.Generate(spec);
        var clock = Stopwatch.StartNew();
        var est = new DifferentialEstimator(set);
        var precompute = clock.Elapsed.TotalSeconds;
        var budget = options.SecondsPerMeasurement;
        var rng = new Random(spec.Seed);
        var r = est.RegionCount;
        var n = est.NodeCount;

        const int pool = 1024;
        var assignments = new int[pool][];
        for (var i = 0; i < pool; i++)
        {
            assignments[i] = Enumerable.Range(0, r).Select(_ => rng.Next(n)).ToArray();
        }

        var placements = assignments.Select(a => StaticPlacement.FromNodes(a)).ToArray();
        var weights = Enumerable.Range(0, n).Select(d => d + 1).ToArray();
        var interleave = StaticPlacement.InterleaveAll(r, Enumerable.Range(0, n).ToArray(), weights);
        double sink = 0;

        var regionRate = Rate(budget, k => sink += est.EstimateRegionNodes(assignments[k % pool]), cancellationToken);
        var staticPlacementRate = Rate(budget, k => sink += est.EstimateStatic(placements[k % pool]).Microseconds, cancellationToken);
        var interleaveRate = Rate(budget, _ => sink += est.EstimateStatic(interleave).Microseconds, cancellationToken);
        var perWindowRate = Rate(budget, k => sink += est.EstimateStatic(placements[k % pool], perWindow: true).Microseconds, cancellationToken);
        double? calibratedRate = null;
        if (n == 2)
        {
            var calibrated = new DifferentialEstimator(set.WithCalibration(SyntheticTraces.Calibration(set)));
            calibratedRate = Rate(budget, k => sink += calibrated.EstimateRegionNodes(assignments[k % pool]), cancellationToken);
        }

        var sim = new EstimatorSimulator(est);
        var simSpec = Spec(set);
        var (migratingRate, migratingRun, migrations) = Replays(sim, simSpec, () => new HotPagePolicy(), budget, cancellationToken, ref sink);
        var (staticRate, _, _) = Replays(sim, simSpec, () => new InterleaveOnlyPolicy(), budget, cancellationToken, ref sink);
        GC.KeepAlive(sink);
        return new EstimatorBenchmarkResult
        {
            Trace = spec,
            Entries = est.Index.Entries,
            PrecomputeSeconds = precompute,
            RegionPlacementsPerSecond = regionRate,
            StaticPlacementsPerSecond = staticPlacementRate,
            InterleavePlacementsPerSecond = interleaveRate,
            PerWindowPlacementsPerSecond = perWindowRate,
            CalibratedPlacementsPerSecond = calibratedRate,
            DynamicUpdatesPerSecond = migratingRate,
            DynamicSecondsPerRun = migratingRun,
            DynamicMigrationsPerRun = migrations,
            ReplayUpdatesPerSecond = staticRate,
            Gem5SecondsPerPlacement = options.Gem5SecondsPerPlacement,
        };
    }

    /// <summary>Replays until the budget is spent: (updates per second, seconds per replay, migrations per replay).</summary>
    private static (double Rate, double SecondsPerRun, ulong Migrations) Replays(
        EstimatorSimulator sim, SimulationSpec spec, Func<IPlacementPolicy> policy, double budget, CancellationToken ct, ref double sink)
    {
        ulong updates = 0;
        ulong migrations = 0;
        var runs = 0;
        var clock = Stopwatch.StartNew();
        do
        {
            var run = sim.Run(spec, policy(), null, ct);
            if (run.Result.Status != RunStatus.Succeeded)
            {
                throw new InvalidOperationException($"benchmark replay failed: {run.Result.FailureReason}");
            }

            updates += run.PageUpdates;
            migrations = run.Result.MigratedPages;
            sink += run.Result.SimulatedSeconds;
            runs++;
        }
        while (clock.Elapsed.TotalSeconds < budget && !ct.IsCancellationRequested);

        var seconds = clock.Elapsed.TotalSeconds;
        return (updates / seconds, seconds / runs, migrations);
    }

    private static double Rate(double budget, Action<int> body, CancellationToken ct)
    {
        // Warm up (JIT), then run batches until the budget is spent.
        body(0);
        var clock = Stopwatch.StartNew();
        long count = 0;
        var batch = 1;
        do
        {
            for (var i = 0; i < batch; i++)
            {
                body((int)(count + i));
            }

            count += batch;
            if (batch < 1 << 16)
            {
                batch *= 2;
            }
        }
        while (clock.Elapsed.TotalSeconds < budget && !ct.IsCancellationRequested);

        return count / clock.Elapsed.TotalSeconds;
    }

    private static SimulationSpec Spec(TraceSet set) => new()
    {
        Name = "estimator-benchmark",
        Nodes = set.Header.Nodes.Select(x => new NodeSpec(x.Name, "custom", x.Id == 0 ? DeviceKind.Dram : DeviceKind.Nvm,
            x.CapacityBytes, 80 * (1 + 1.5 * x.Id), 80 * (1 + 1.5 * x.Id), 20, 0)).ToList(),
        Cpu = new CpuSpec("synthetic", 3e9, 32 << 10, 32 << 10, 1 << 20),
        Workload = new WorkloadSpec("synthetic", [], "."),
        EpochInstructions = set.Header.WindowInstructions * 10,
        PageSize = set.PageSize,
        Migration = new MigrationCostSpec(2000),
        OutputDir = ".",
    };

    /// <summary>Regions interleaved over every node, no migrations: the replay loop alone.</summary>
    private sealed class InterleaveOnlyPolicy : IPlacementPolicy
    {
        private int _nodes;

        public void Initialize(Topology topology) => _nodes = topology.Nodes.Count;

        public RegionPlacement PlaceRegion(Region region) =>
            RegionPlacement.Interleave(Enumerable.Range(0, _nodes).ToArray());

        public IReadOnlyList<PageMigration> OnEpoch(EpochReport report) => [];
    }

    /// <summary>The benchmark's dynamic policy: regions interleaved, then each epoch's 32 hottest pages moved to node 0.</summary>
    private sealed class HotPagePolicy : IPlacementPolicy
    {
        private int _nodes;

        public void Initialize(Topology topology) => _nodes = topology.Nodes.Count;

        public RegionPlacement PlaceRegion(Region region) =>
            RegionPlacement.Interleave(Enumerable.Range(0, _nodes).ToArray());

        public IReadOnlyList<PageMigration> OnEpoch(EpochReport report)
        {
            var p = report.Pages;
            return Enumerable.Range(0, p.Count)
                .Where(i => p.Nodes[i] != 0)
                .OrderByDescending(i => (ulong)p.Reads[i] + p.Writes[i])
                .Take(32)
                .Select(i => new PageMigration(p.PageNumbers[i], 0))
                .ToList();
        }
    }
}
