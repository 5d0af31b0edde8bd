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
        var run = TestTraces.Trace(0, 2, [150, 350],
            [
                [new(0x100, 3, 0), new(0x200, 1, 0)],
                [new(0x101, 0, 1), new(0x200, 1, 0)],
            ],
            est.Regions);
        run = WithNodes(run, page => page == 0x200 ? 1 : 0);
        var d = WindowDiagnosis.Of("mixed", est, run, 550, fastNode: 0, slowNode: 1);
        Assert.Equal(500, d.MeasuredMicros, Eps);
        Assert.Equal(550, d.ModelMicros, Eps);
        Assert.Equal(0, d.DriftMicros, Eps);
        Assert.Equal(0, d.Windows[0].ErrorMicros, Eps);
        Assert.Equal(0.25, d.Windows[0].SlowShare, Eps);
        Assert.Equal(WindowCause.Overlap, d.Windows[1].Cause);
        Assert.Equal(50, d.ErrorByCause[WindowCause.Overlap], Eps);
        Assert.Contains("| mixed | 1 | 350.0 | 400.0 | 200.0 | 600.0 | 0.50 | 1.000 | Overlap |", WindowDiagnosis.Markdown("two", [d]));
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

    private static WindowTrace WithNodes(WindowTrace t, Func<ulong, int> node) => t with
    {
        Windows = t.Windows.Select(w => new TraceWindow(w.Index, w.Ticks, w.Instructions, w.Pages, w.Reads, w.Writes,
            w.Pages.Select(node).ToArray())).ToList(),
    };
}
