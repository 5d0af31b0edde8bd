using System.Collections.Concurrent;
using DeepMem.Core;
using DeepMem.Estimator;
using DeepMem.Experiments;
using DeepMem.Policies;
using DeepMem.Tests.Policies;

namespace DeepMem.Tests.Estimator;

/// <summary>
/// The committed traces recorded in gem5 with 4 O3 cores
/// (configs/traces/mt-*-ddr-nvm, mt-*-hbm-ddr and mt-*-ddr-cxl) and their experiments
/// (configs/experiments/suite-mt/*.yaml, estimator backend): parsing, the
/// static estimates, the optimum search and the built-in policies on the
/// estimator backend. Node 0 is the fast node (DDR4, HBM) with 4 MiB,
/// node 1 the slow one (NVM, DDR4, CXL). The bounds that need the fast node to be
/// faster in every window run on the sets where the recordings have that
/// property (<see cref="OrderedSets"/>).
/// </summary>
/// <remarks>
/// The policy runs check that <see cref="EpochReport.CoreInstructions"/> is
/// empty: the traces count core 0's instructions only (windows end at core
/// 0's counts), so the estimator backend reports per-core counts only for
/// single-core traces.
/// </remarks>
public class ThreadedTraceTests
{
    private const int Fast = 0, Slow = 1;
    private const double Rel = 1e-9;

    private static readonly string[] Kernels = ["stream", "gups", "spmv", "phases"];

    private static readonly string[] Names = [.. Kernels.Select(k => k + "-ddr-nvm"), .. Kernels.Select(k => k + "-hbm-ddr"), .. Kernels.Select(k => k + "-ddr-cxl")];

    /// <summary>The four multi-threaded workloads of the suite on DDR4 + NVM, HBM + DDR4 and DDR4 + CXL.</summary>
    public static TheoryData<string> Workloads() => new(Names);

    /// <summary>The sets whose fast node is the faster one in every window (see <see cref="The_fast_node_is_faster_in_every_window_where_the_set_says_so"/>).</summary>
    public static TheoryData<string> OrderedSets() => new(Names.Where(IsOrdered));

    /// <summary>
    /// DDR4 is faster than NVM in every window of every kernel, and than CXL
    /// in every window of stream, gups and spmv (phases has windows that CXL,
    /// a second DDR4 channel behind its link, runs as fast or faster). HBM is
    /// faster than DDR4 in every window only for phases: stream, gups and spmv
    /// have windows that DDR4 runs as fast or faster (all-HBM still wins
    /// overall).
    /// </summary>
    private static bool IsOrdered(string set) =>
        set.EndsWith("-ddr-nvm", StringComparison.Ordinal) || set == "phases-hbm-ddr" || (set.EndsWith("-ddr-cxl", StringComparison.Ordinal) && set != "phases-ddr-cxl");

    /// <summary>The node names of a set: fast, slow.</summary>
    private static string[] NodeNames(string set) =>
        set.EndsWith("-hbm-ddr", StringComparison.Ordinal) ? ["hbm", "ddr"]
        : set.EndsWith("-ddr-cxl", StringComparison.Ordinal) ? ["dram", "cxl"]
        : ["dram", "nvm"];

    /// <summary>The built-ins that place or move pages of any thread, and whether they migrate.</summary>
    private static readonly (string Name, bool Migrates)[] Policies =
        [("first-touch", false), ("interleave", false), ("hemem", true), ("memtis", true), ("tpp", true), ("colloid", true)];

    /// <summary>Every workload with every policy of <see cref="Policies"/> (the ordered sets: the runtime bound needs it).</summary>
    public static TheoryData<string, string> WorkloadPolicies()
    {
        var data = new TheoryData<string, string>();
        foreach (var workload in Names.Where(IsOrdered))
        {
            foreach (var (name, _) in Policies)
            {
                data.Add(workload, name);
            }
        }

        return data;
    }

    private static readonly string Root = RepoLocator.FindRoot(AppContext.BaseDirectory) ?? throw new InvalidOperationException("repo root not found");

    private static string TraceDir(string workload) => Path.Combine(Root, "configs", "traces", $"mt-{workload}");

    private static string ExperimentFile(string workload) => Path.Combine(Root, "configs", "experiments", "suite-mt", $"{workload}.yaml");

    private sealed record Loaded(Experiment Experiment, DifferentialEstimator Estimator)
    {
        public double AllFast => Estimator.EstimateStatic(StaticPlacement.AllOn(Fast, Estimator.RegionCount)).Microseconds;

        public double AllSlow => Estimator.EstimateStatic(StaticPlacement.AllOn(Slow, Estimator.RegionCount)).Microseconds;
    }

    private static readonly ConcurrentDictionary<string, Lazy<Loaded>> Experiments = new();

    private static readonly ConcurrentDictionary<(string, string), Lazy<(EstimatorRun Run, RecordingPolicy Record)>> Runs = new();

    /// <summary>The workload's experiment and the estimator over its traces, loaded once.</summary>
    private static Loaded Load(string workload) => Experiments.GetOrAdd(workload, w => new(() =>
    {
        var loaded = ExperimentLoader.LoadFile(ExperimentFile(w));
        Assert.True(loaded.Ok, string.Join("\n", loaded.Problems));
        var e = Assert.Single(loaded.Experiments);
        return new Loaded(e, EstimatorBackend.Load(e));
    })).Value;

    /// <summary>
    /// The experiment with policy <paramref name="policy"/> (as <c>deepmem compare</c>
    /// resolves it) on the estimator, once. policy_time_scale 1000, as the
    /// suite-mt compare experiments use, so that the tiering policies act
    /// within these runs of a few tens of milliseconds (Memtis and TPP
    /// otherwise never would).
    /// </summary>
    private static (EstimatorRun Run, RecordingPolicy Record) Run(string workload, string policy) => Runs.GetOrAdd((workload, policy), key => new(() =>
    {
        var w = Load(key.Item1);
        var e = w.Experiment with { Policy = w.Experiment.Policy with { TimeScale = "1000" } };
        var problems = new List<string>();
        var spec = Assert.Single(Comparison.Resolve(e, [key.Item2], problems));
        Assert.Empty(problems);
        var record = new RecordingPolicy(PolicyFactory.Create(spec));
        var run = new EstimatorSimulator(w.Estimator).Run(e.Spec, record, null, CancellationToken.None);
        Assert.True(run.Result.Status == RunStatus.Succeeded, $"{key.Item1} [{key.Item2}]: {run.Result.Status} {run.Result.FailureReason}");
        return (run, record);
    })).Value;

    // ---- Parsing ----

    [Theory]
    [MemberData(nameof(Workloads))]
    public void The_traces_load_as_one_two_node_set_recorded_on_four_cores(string workload)
    {
        var set = TraceSet.Load(TraceDir(workload), NodeNames(workload));
        Assert.Equal(4, set.Header.Cores);
        Assert.Equal(2, set.NodeCount);
        Assert.Equal(NodeNames(workload), set.Header.Nodes.Select(n => n.Name));
        for (var d = 0; d < set.NodeCount; d++)
        {
            Assert.Equal(d, set.Traces[d].Header.BoundNode);
            Assert.Equal(4, set.Traces[d].Header.Cores);
            Assert.Equal(set.WindowCount, set.Traces[d].Windows.Count);
        }

        Assert.True(set.WindowCount > 1, $"{workload}: {set.WindowCount} window(s)");
        Assert.Empty(set.Warnings);
    }

    [Theory]
    [MemberData(nameof(Workloads))]
    public void Only_the_last_window_may_end_apart_and_only_by_the_multi_core_tolerance(string workload)
    {
        var set = TraceSet.Load(TraceDir(workload), NodeNames(workload));
        var (a, b) = (set.Traces[Fast].End.Instructions, set.Traces[Slow].End.Instructions);
        var apart = a > b ? a - b : b - a;
        Assert.True(apart <= TraceSet.MultiCoreEndTolerance(set.Header.WindowInstructions),
            $"{workload}: the runs end {apart} instructions apart");

        // The same traces as single-core runs: the last window is held to the
        // single-core tolerance, and no other window is misaligned.
        var asSingleCore = set.Traces.Select(t => t with { Header = t.Header with { Cores = 1 } }).ToList();
        if (apart <= TraceSet.DefaultInstructionTolerance)
        {
            Assert.Equal(set.WindowCount, TraceSet.Create(asSingleCore).WindowCount);
            return;
        }

        var refused = Assert.Throws<TraceSetException>(() => TraceSet.Create(asSingleCore));
        var problem = Assert.Single(refused.Problems);
        Assert.Contains($"window {set.WindowCount - 1} is not instruction-aligned", problem);
    }

    [Theory]
    [MemberData(nameof(Workloads))]
    public void The_experiment_loads_with_four_cores_and_fits_its_traces(string workload)
    {
        var w = Load(workload);
        var e = w.Experiment;
        Assert.Equal(4, e.Spec.Cpu.Cores);
        Assert.Equal(EstimatorBackend.BackendName, e.Backend);
        Assert.Equal(NodeNames(workload), e.Spec.Nodes.Select(n => n.Name));
        Assert.Equal(4UL << 20, e.Spec.Nodes[Fast].CapacityBytes);
        Assert.Equal(Path.GetFullPath(TraceDir(workload)), Path.GetFullPath(e.Estimator.TraceDir!));
        Assert.Empty(new EstimatorBackend().Check(e, BackendCheck.Full));
    }

    // ---- Static estimates ----

    [Theory]
    [MemberData(nameof(Workloads))]
    public void Everything_on_one_node_reproduces_that_nodes_trace_time(string workload)
    {
        var est = Load(workload).Estimator;
        for (var d = 0; d < est.NodeCount; d++)
        {
            // A window without accesses costs the fastest node's time whatever the placement.
            var expected = est.TraceMicroseconds(d);
            for (var w = 0; w < est.WindowCount; w++)
            {
                if (!(est.WindowAccesses(w) > 0))
                {
                    expected -= est.TraceWindowMicroseconds(d, w) - Enumerable.Range(0, est.NodeCount).Min(n => est.TraceWindowMicroseconds(n, w));
                }
            }

            var all = est.EstimateStatic(StaticPlacement.AllOn(d, est.RegionCount)).Microseconds;
            Assert.True(Math.Abs(all - expected) <= 1e-6 * expected, $"{workload}, all on node {d}: {all} us vs the trace's {expected} us");
        }
    }

    [Theory]
    [MemberData(nameof(Workloads))]
    public void The_fast_node_is_faster_in_every_window_where_the_set_says_so(string workload)
    {
        // The bounds below rest on this property of the recordings (see
        // IsOrdered); a set re-recorded with a different result must move.
        var est = Load(workload).Estimator;
        var slower = Enumerable.Range(0, est.WindowCount).Where(w => !(est.TraceWindowMicroseconds(Fast, w) < est.TraceWindowMicroseconds(Slow, w))).ToList();
        Assert.True(IsOrdered(workload) == (slower.Count == 0),
            $"{workload}: the fast node is not faster in {slower.Count} of {est.WindowCount} windows (first: {string.Join(", ", slower.Take(5))})");
    }

    [Theory]
    [MemberData(nameof(OrderedSets))]
    public void A_one_to_one_interleave_lies_strictly_between_all_fast_and_all_slow(string workload)
    {
        // Each window's estimate mixes the two nodes' times by the share of its
        // accesses on each (linearly, or with a calibrated exponent): with the fast
        // node faster in every window and pages on both, the sum lies strictly between.
        var w = Load(workload);
        var interleaved = w.Estimator.EstimateStatic(StaticPlacement.InterleaveAll(w.Estimator.RegionCount, [Fast, Slow], [1, 1], Fast)).Microseconds;
        Assert.True(w.AllFast < w.AllSlow, $"{workload}: all fast {w.AllFast} us, all slow {w.AllSlow} us");
        Assert.True(w.AllFast < interleaved && interleaved < w.AllSlow,
            $"{workload}: interleave 1:1 {interleaved} us, all fast {w.AllFast} us, all slow {w.AllSlow} us");
    }

    // ---- The optimum search ----

    [Theory]
    [MemberData(nameof(Workloads))]
    public void The_optimized_plan_fits_the_fast_nodes_capacity_and_lies_between_all_fast_and_all_slow(string workload)
    {
        var w = Load(workload);
        var est = w.Estimator;
        var dir = Directory.CreateTempSubdirectory("deepmem-mt-plan-");
        try
        {
            var fastName = NodeNames(workload)[Fast];
            var plan = PlacementOptimizer.Optimize(w.Experiment, ExperimentFile(workload), null, fastName, Path.Combine(dir.FullName, "plan.json"));
            Assert.Equal(fastName, plan.FastNode);
            Assert.Equal(w.Experiment.Spec.Nodes[Fast].CapacityBytes, plan.CapacityBytes);

            // What the plan puts on the fast node, counted here: its regions' touched pages, and the
            // pages outside every region and the untraced frames (Linux local default: node 0).
            var nodes = plan.Regions.Select(r => r.Node == fastName ? Fast : Slow).ToArray();
            var pages = (ulong)Enumerable.Range(0, est.RegionCount).Where(r => nodes[r] == Fast).Sum(est.RegionTouchedPages)
                + (ulong)est.OtherTouchedPages + est.Traces.MaxUntracedFrames();
            Assert.Equal(pages * est.Traces.PageSize, plan.FastBytesUsed);
            Assert.True(plan.FastBytesUsed <= plan.CapacityBytes, $"{workload}: {plan.FastBytesUsed} bytes on the fast node > {plan.CapacityBytes}");

            Assert.Equal(est.EstimateRegionNodes(nodes, Fast), plan.Microseconds, Rel * plan.Microseconds);
            Assert.Equal(w.AllFast, plan.AllFastMicroseconds, 1e-6 * w.AllFast);
            // Every region on the slow node is one of the placements searched
            // (the pages outside the regions and the untraced frames stay on
            // the fast node, as the search pins them), so the optimum is never worse.
            var regionsSlow = est.EstimateRegionNodes(Enumerable.Repeat(Slow, est.RegionCount).ToArray(), Fast);
            Assert.True(plan.Microseconds <= regionsSlow * (1 + Rel), $"{workload}: plan {plan.Microseconds} us, every region on the slow node {regionsSlow} us");
            if (IsOrdered(workload))
            {
                Assert.True(plan.Microseconds <= w.AllSlow && plan.Microseconds >= w.AllFast,
                    $"{workload}: plan {plan.Microseconds} us, all fast {w.AllFast} us, all slow {w.AllSlow} us");
            }
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Theory]
    [MemberData(nameof(Workloads))]
    public void The_optimum_is_the_best_region_placement_that_fits(string workload)
    {
        var w = Load(workload);
        var est = w.Estimator;
        var capacityBytes = w.Experiment.Spec.Nodes[Fast].CapacityBytes;
        var plan = PlacementSearch.FindBest(est, PlacementSearchOptions.UnderLocalDefault(Fast, capacityBytes));
        Assert.True(plan.ProvenOptimal);

        // Every region on the fast or slow node (a few regions: 2^R placements), the rest pinned to the fast one.
        var regions = est.RegionCount;
        Assert.InRange(regions, 1, 16);
        var room = (long)(capacityBytes / est.Traces.PageSize) - est.OtherTouchedPages - (long)est.Traces.MaxUntracedFrames();
        var best = double.MaxValue;
        var nodes = new int[regions];
        for (var mask = 0; mask < 1 << regions; mask++)
        {
            long used = 0;
            for (var r = 0; r < regions; r++)
            {
                nodes[r] = (mask >> r & 1) == 1 ? Fast : Slow;
                used += nodes[r] == Fast ? est.RegionTouchedPages(r) : 0;
            }

            if (used <= room)
            {
                best = Math.Min(best, est.EstimateRegionNodes(nodes, Fast));
            }
        }

        Assert.Equal(best, plan.Microseconds, Rel * best);
    }

    [Theory]
    [MemberData(nameof(Workloads))]
    public void Past_the_exhaustive_limit_a_local_search_improves_on_the_linear_plan(string workload)
    {
        var w = Load(workload);
        var options = PlacementSearchOptions.UnderLocalDefault(Fast, w.Experiment.Spec.Nodes[Fast].CapacityBytes);
        var exhaustive = PlacementSearch.FindBest(w.Estimator, options);
        var local = PlacementSearch.FindBest(w.Estimator, options with { ExactNonlinearLimit = 0 });
        var linearPlan = PlacementSearch.FindBest(new DifferentialEstimator(w.Estimator.Traces, w.Estimator.Options with { UseCalibration = false }), options);

        Assert.Equal(("exhaustive", true), (exhaustive.Method, exhaustive.ProvenOptimal));
        Assert.Equal((linearPlan.Method + "+local", false), (local.Method, local.ProvenOptimal));
        Assert.InRange(local.Microseconds, exhaustive.Microseconds * (1 - Rel), w.Estimator.EstimateRegionNodes([.. linearPlan.RegionNodes], linearPlan.OtherNode) * (1 + Rel));
        Assert.True(local.FastBytesUsed <= local.CapacityBytes);
    }

    // ---- Policies on the estimator backend ----

    [Theory]
    [MemberData(nameof(WorkloadPolicies))]
    public void A_policy_run_replays_every_window_without_rejections_or_overfull_nodes(string workload, string policy)
    {
        var (run, record) = Run(workload, policy);
        var r = run.Result;
        var set = Load(workload).Estimator.Traces;
        Assert.Equal(set.Traces[Fast].End.Instructions, r.Instructions);
        Assert.Equal(set.Traces[Fast].End.ExitCode, r.ExitCode);
        Assert.Equal(set.WindowCount, run.WindowMicroseconds.Count);
        Assert.Equal(0UL, r.RejectedDecisions);
        Assert.Equal(0UL, run.BindSpills);
        Assert.NotEmpty(record.Reports);
        Assert.Equal((ulong)record.Reports.Count, r.Epochs);
        Assert.All(record.Reports, e => Assert.Empty(e.CoreInstructions));
        var topology = record.Topology!;
        foreach (var report in record.Reports)
        {
            Assert.Empty(report.RejectedMigrations);
            Assert.All(report.Nodes, n => Assert.True(n.ResidentPages <= topology.CapacityPages(n.Node),
                $"{workload} [{policy}], epoch {report.Epoch}: node {n.Node} holds {n.ResidentPages} pages > {topology.CapacityPages(n.Node)}"));
        }
    }

    [Theory]
    [MemberData(nameof(WorkloadPolicies))]
    public void A_policy_runtime_lies_between_all_fast_and_all_slow_plus_its_migrations(string workload, string policy)
    {
        var w = Load(workload);
        var r = Run(workload, policy).Run;
        var result = r.Result;
        var windows = r.WindowMicroseconds.Sum();
        var migrations = result.MigrationSeconds * 1e6;
        // Each batch stalls the threads round-robin and the run waits for the most
        // stalled one: between 1/cores of the copy time and all of it.
        var stall = result.SimulatedSeconds * 1e6 - windows;
        var cores = w.Estimator.Traces.Header.Cores;
        Assert.Equal(4, cores);
        Assert.InRange(stall, migrations / cores - Rel * windows, migrations + Rel * windows);
        if (result.MigratedPages >= 4UL * (ulong)cores * result.Epochs)
        {
            // Batches of 16 pages or more on average: near 1/cores (0.25 to 0.28 on these sets).
            Assert.True(stall < 0.3 * migrations, $"{workload} [{policy}]: stall {stall} us of {migrations} us migrating");
        }

        // Every window mixes the two nodes' times, and the fast node is the faster in each.
        Assert.True(windows >= w.AllFast * (1 - Rel) && windows <= w.AllSlow * (1 + Rel),
            $"{workload} [{policy}]: windows {windows} us (+ {migrations} us migrating), all fast {w.AllFast} us, all slow {w.AllSlow} us");
    }

    [Theory]
    [MemberData(nameof(WorkloadPolicies))]
    public void Tiering_policies_migrate_and_the_others_do_not(string workload, string policy)
    {
        var result = Run(workload, policy).Run.Result;
        if (Policies.Single(p => p.Name == policy).Migrates)
        {
            Assert.True(result.MigratedPages > 0, $"{workload} [{policy}] migrated nothing");
            Assert.True(result.MigrationSeconds > 0);
        }
        else
        {
            Assert.Equal(0UL, result.MigratedPages);
        }
    }
}
