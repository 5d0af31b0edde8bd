using DeepMem.Core;
using DeepMem.Estimator;
using DeepMem.Experiments.CrossCheck;
using DeepMem.Tests.Estimator;
using Xunit;

namespace DeepMem.Tests.Experiments;

public class WindowDiagnosisTests
{
    private const double Eps = 1e-9;

    [Fact]
    public void Per_window_placement_gives_the_static_estimate_when_it_does_not_change()
    {
        var est = new DifferentialEstimator(TestTraces.TwoByTwo());
        var placement = est.PagePlacement(StaticPlacement.FromNodes([0, 1]));
        var windows = est.EstimateWindows((_, page) => placement[page]);
        Assert.Equal([150, 400], windows);
    }

    [Fact]
    public void Per_window_placement_follows_a_page_that_moves()
    {
        var est = new DifferentialEstimator(TestTraces.TwoByTwo());
        // Region B (page 0x200) is slow in w0 and fast in w1; A stays fast.
        // w0: 100 * 3/4 + 300 * 1/4 = 150; w1: all fast = 200.
        var windows = est.EstimateWindows((w, page) => page == 0x200 && w == 0 ? 1 : 0);
        Assert.Equal(150, windows[0], Eps);
        Assert.Equal(200, windows[1], Eps);
    }

    [Fact]
    public void A_run_that_matches_the_formula_has_no_error_and_labels_follow_the_rules()
    {
        var est = new DifferentialEstimator(TestTraces.TwoByTwo());
        // A run with A fast and B slow that took exactly the formula's time in w0 (150)
        // and less in w1 (350 < 400: overlap), with the traced accesses.
        var run = TracedRun(est, 150, 350, page => page == 0x200 ? 1 : 0);
        var d = WindowDiagnosis.Of("mixed", est, run, 550, fastNode: 0, slowNode: 1);
        Assert.Equal(500, d.MeasuredMicros, Eps);
        Assert.Equal(550, d.ModelMicros, Eps);
        Assert.Equal(0, d.DriftMicros, Eps);
        Assert.Equal(0, d.Windows[0].ErrorMicros, Eps);
        Assert.Equal(0.25, d.Windows[0].SlowShare, Eps);
        // The hand-made traces have no memory counters.
        Assert.Equal(WindowCause.Unmeasured, d.Windows[1].Cause);
        Assert.Equal(50, d.ErrorByCause[WindowCause.Unmeasured], Eps);
        Assert.Contains("| mixed | 1 | 350.0 | 400.0 | 200.0 | 600.0 | 0.50 | 1.000 | – → – | – → – | 0.0 | 0.0 | Unmeasured |", WindowDiagnosis.Markdown("two", [d]));
    }

    [Fact]
    public void Memory_counters_split_a_window_error_into_bandwidth_and_mlp()
    {
        // Reads wait 1 tick on dram in the fast trace and 5 on nvm in the slow
        // one; in the run, nvm's reads wait 3: half the slow trace's excess.
        MemoryCounters[] Mem(int node, ulong reads, ulong latencyPerRead) =>
            node == 0 ? [new(reads, 0, reads * latencyPerRead, 0), new(0, 0, 0, 0)] : [new(0, 0, 0, 0), new(reads, 0, reads * latencyPerRead, 0)];
        var set = TestTraces.TwoByTwo();
        set = TraceSet.Create(set.Traces.Select((t, node) => WithMemory(t, _ => Mem(node, 2, node == 0 ? 1UL : 5UL))).ToList());
        var est = new DifferentialEstimator(set);
        // In w0 nvm's read waits what it did in the slow trace.
        var run = WithMemory(TracedRun(est, 150, 350, page => page == 0x200 ? 1 : 0), w => [new(1, 0, 1, 0), new(1, 0, w == 0 ? 5UL : 3UL, 1)]);
        var d = WindowDiagnosis.Of("mixed", est, run, 550, fastNode: 0, slowNode: 1);

        // w1: formula 400 = fast 200 + excess 200; at the run's latency the
        // excess is 200 * (3 - 1) / (5 - 1) = 100, so 100 µs of the +50 µs
        // error is bandwidth and -50 µs is MLP.
        var w1 = d.Windows[1];
        Assert.Equal(50, w1.ErrorMicros, Eps);
        Assert.Equal(100, w1.BandwidthMicros, Eps);
        Assert.Equal(-50, w1.MlpMicros, Eps);
        Assert.Equal(WindowCause.Bandwidth, w1.Cause);
        Assert.Equal(5000, w1.SlowTraceLatencyNs, Eps);
        Assert.Equal(3000, w1.RunLatencyNs, Eps);
        Assert.Equal(3.0 / 350, w1.RunInFlight, Eps);
        Assert.Equal(100, d.ErrorByCause[WindowCause.Bandwidth], Eps);
        Assert.Equal(-50, d.ErrorByCause[WindowCause.Mlp], Eps);
        Assert.Equal(0, d.ErrorByCause[WindowCause.Unmeasured], Eps);

        Assert.Equal(0, d.Windows[0].BandwidthMicros, Eps);

        // The parts add up to the model's error: here all of it sits in w1.
        Assert.Equal(d.ModelMicros - d.MeasuredMicros, d.ErrorByCause.Values.Sum(), Eps);
        var md = WindowDiagnosis.Markdown("two", [d]);
        Assert.Contains("| mixed | 500.0 | +10.0 | 0.0 | 0.0 | 0.0 | +20.0 | -10.0 | 0.0 |", md);
        Assert.Contains("drift 0.00, migration 0.00, access counts 0.00, bandwidth 20.00, MLP 10.00, unmeasured 0.00.", md);
        Assert.Contains("| 5000 → 3000 | 0.02 → 0.01 | 100.0 | -50.0 | Bandwidth |", md);
    }

    [Fact]
    public void Windows_with_a_moved_page_or_other_access_counts_get_those_labels()
    {
        var est = new DifferentialEstimator(TestTraces.TwoByTwo());
        var run = TestTraces.Trace(0, 2, [500, 700],
            [
                [new(0x100, 3, 0), new(0x200, 1, 0), new(0x200, 1, 0)],
                [new(0x101, 0, 4), new(0x200, 1, 0)],
            ],
            est.Regions);
        // w0: page 0x200 appears on both nodes (it moved); w1 has 5 accesses where the traces have 2.
        var w0 = run.Windows[0];
        var moved = new TraceWindow(0, w0.Ticks, w0.Instructions, w0.Pages, w0.Reads, w0.Writes, [0, 0, 1]);
        run = run with { Windows = [moved, run.Windows[1]] };
        var d = WindowDiagnosis.Of("policy", est, run, 900, 0, 1);
        Assert.Equal(WindowCause.Migration, d.Windows[0].Cause);
        Assert.Equal(WindowCause.AccessCounts, d.Windows[1].Cause);
        Assert.Equal(2.5, d.Windows[1].AccessRatio, Eps);
    }

    [Theory]
    [InlineData(1, 10.0)]
    [InlineData(4, 4.0)]
    [InlineData(8, 2.0)]
    public void A_window_s_migration_stall_counts_what_the_most_stalled_thread_waited(int cores, double stallMicros)
    {
        // gem5 charged 5 pages 10 us in all (1 tick = 1 us in the test traces). On 4 cores
        // the threads got 2, 1, 1, 1 pages: the run waited 2 pages' cost, 4 us.
        var est = new DifferentialEstimator(TestTraces.TwoByTwo());
        var run = TracedRun(est, 150, 350, _ => 0);
        var w0 = run.Windows[0];
        run = run with
        {
            Header = run.Header with { Cores = cores },
            Windows = [new TraceWindow(0, w0.Ticks, w0.Instructions, w0.Pages, w0.Reads, w0.Writes, w0.Nodes) { MigratedPages = 5, MigrationTicks = 10 }, run.Windows[1]],
        };
        var d = WindowDiagnosis.Of("policy", est, run, 500, 0, 1);
        Assert.Equal(WindowCause.Migration, d.Windows[0].Cause);
        var formula = est.EstimateWindows((_, _) => 0)[0];
        Assert.Equal(formula + stallMicros, d.Windows[0].ModelMicros, Eps);
    }

    private static WindowTrace WithMemory(WindowTrace t, Func<int, MemoryCounters[]> memory) => t with
    {
        Windows = t.Windows.Select(w => new TraceWindow(w.Index, w.Ticks, w.Instructions, w.Pages, w.Reads, w.Writes, w.Nodes)
        {
            Memory = memory(w.Index),
        }).ToList(),
    };

    [Fact]
    public void The_placement_check_counts_pages_gem5_put_elsewhere_than_the_estimate()
    {
        var est = new DifferentialEstimator(TestTraces.TwoByTwo());
        var run = TracedRun(est, 150, 350, _ => 0);
        // A interleaved 0,1 by virtual page number: 0x100 on 0, 0x101 on 1; B on 1.
        var interleaved = new StaticPlacement([RegionPlacement.Interleave([0, 1]), RegionPlacement.Bind(1)]);
        var expected = est.PagePlacement(interleaved);
        Assert.Equal((0, 3), WindowDiagnosis.CheckPlacement(expected, WithNodes(run, page => page == 0x100 ? 0 : 1)));
        // The opposite phase (0x100 on 1, 0x101 on 0) misplaces both pages of A.
        Assert.Equal((2, 3), WindowDiagnosis.CheckPlacement(expected, WithNodes(run, page => page == 0x101 ? 0 : 1)));

        var d = WindowDiagnosis.Of("interleave", est, WithNodes(run, page => page == 0x101 ? 0 : 1), 500, 0, 1) with { PlacementCheck = (2, 3) };
        Assert.Contains("gem5 put pages elsewhere than the estimate assumed in interleave (2 of 3 pages)", WindowDiagnosis.Markdown("two", [d]));
        Assert.Contains("in all 1 static cases gem5 put every touched page", WindowDiagnosis.Markdown("two", [d with { PlacementCheck = (0, 3) }]));
    }

    [Fact]
    public void Runs_with_the_same_window_placement_are_grouped_and_their_spread_reported()
    {
        var est = new DifferentialEstimator(TestTraces.TwoByTwo());
        // a and b place every page alike: same placement in both windows, w0 takes 100 vs 140 µs.
        // c puts 0x200 on node 1: its windows are alone in their groups.
        var r = PlacementRepeatability.Of(
        [
            ("a", TracedRun(est, 100, 200, _ => 0)),
            ("b", TracedRun(est, 140, 200, _ => 0)),
            ("c", TracedRun(est, 300, 600, page => page == 0x200 ? 1 : 0)),
        ]);
        Assert.Equal(6, r.Pairs);
        Assert.Equal(4, r.Shared);
        Assert.Equal(2, r.Disagreeing); // w0's group spreads 40/120; w1's agrees
        Assert.Equal(0, r.Widest!.Value.Window);
        Assert.Equal([("a", 100.0), ("b", 140.0)], r.Widest.Value.Runs);
        // In-sample fit: a and b get 120 + 200 = 320 against 300 and 340; c is exact.
        Assert.Equal(20.0 / 300, r.FitErrors.Single(e => e.Case == "a").Error, Eps);
        Assert.Equal(20.0 / 340, r.FitErrors.Single(e => e.Case == "b").Error, Eps);
        Assert.Equal(0, r.FitErrors.Single(e => e.Case == "c").Error, Eps);
        Assert.Contains("in 4 of 6 (run, window) pairs", r.Markdown());
        Assert.Contains("Widest: window 0, a 100.0 µs, b 140.0 µs.", r.Markdown());
        Assert.Contains("max of 6.67% (a)", r.Markdown());

        // A migration stall in the window is gem5's cost of the moves, not of the placement: left out.
        var b = TracedRun(est, 190, 200, _ => 0);
        b = b with { Windows = [new TraceWindow(0, 190, 1000, b.Windows[0].Pages, b.Windows[0].Reads, b.Windows[0].Writes, b.Windows[0].Nodes) { MigrationTicks = 50 }, b.Windows[1]] };
        var stalled = PlacementRepeatability.Of([("a", TracedRun(est, 100, 200, _ => 0)), ("b", b)]);
        Assert.Equal([("a", 100.0), ("b", 140.0)], stalled.Widest!.Value.Runs);
    }

    /// <summary>A run of the two-by-two workload with the traced accesses, windows of <paramref name="w0"/> and <paramref name="w1"/> µs, and pages on <paramref name="node"/>(page).</summary>
    private static WindowTrace TracedRun(DifferentialEstimator est, ulong w0, ulong w1, Func<ulong, int> node) => WithNodes(TestTraces.Trace(0, 2, [w0, w1],
        [
            [new(0x100, 3, 0), new(0x200, 1, 0)],
            [new(0x101, 0, 1), new(0x200, 1, 0)],
        ],
        est.Regions), node);

    private static WindowTrace WithNodes(WindowTrace t, Func<ulong, int> node) => t with
    {
        Windows = t.Windows.Select(w => new TraceWindow(w.Index, w.Ticks, w.Instructions, w.Pages, w.Reads, w.Writes,
            w.Pages.Select(node).ToArray())).ToList(),
    };
}
