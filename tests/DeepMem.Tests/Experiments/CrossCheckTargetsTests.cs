using DeepMem.Experiments.CrossCheck;
using Xunit;
using static DeepMem.Tests.Experiments.CrossCheckSummaryTests;

namespace DeepMem.Tests.Experiments;

public class CrossCheckTargetsTests
{
    // One case with one window: the formula says modelUs where gem5 took gem5Us.
    private static WindowDiagnosis Case(string id, double estimateUs, double modelUs, double gem5Us, WindowCause cause) => new()
    {
        Case = id,
        MeasuredMicros = gem5Us,
        ModelMicros = modelUs,
        EstimateMicros = estimateUs,
        Windows = [new WindowError(3, gem5Us, modelUs, 100, 300, 0.5, 1, cause)],
    };

    private static readonly List<CrossCheckRow> Ranked =
    [
        Row("all-dram", "static", 100, 100),
        Row("all-nvm", "static", 300, 300),
        Row("random-00", "static", 202, 200),
        Row("random-01", "static", 151, 150),
    ];

    [Fact]
    public void A_workload_within_every_target_gets_no_reasons()
    {
        var w = new CrossCheckTargets.Workload("good", Ranked, [Case("random-00", 202, 202, 200, WindowCause.Mlp)], 0.001);
        var o = CrossCheckTargets.Of(w);
        Assert.Equal(4, o.Cases);
        Assert.Equal(0.01, o.MaxError, 1e-9);
        Assert.Equal(1.0, o.Spearman, 1e-9);
        Assert.Equal(2.0, o.StaticSpread, 1e-9);
        Assert.Equal(0, o.NearTies);
        Assert.True(o.MaxMet && o.SpearmanMet);
        var md = CrossCheckTargets.Markdown([w]);
        Assert.Contains("| good | 1.00 | yes | 1.000 | yes | 200.0% | 0% |  |  |  |", md);
        Assert.Contains("over 4 cases, met.", md);
    }

    [Fact]
    public void A_miss_names_the_largest_parts_the_worst_case_and_window_and_the_layout_check()
    {
        List<CrossCheckRow> rows =
        [
            .. Ranked.Take(2),
            Row("random-00", "static", 230, 200),
            Row("policy-hemem", "dynamic", 120, 150),
            Row(CrossCheckRunner.LayoutCase, CrossCheckRunner.LayoutKind, 300, 10),
        ];
        // random-00: +15% from the window formula (bandwidth); policy-hemem: -20%, of which drift -30 µs.
        var w = new CrossCheckTargets.Workload("bad", rows,
            [Case("random-00", 230, 230, 200, WindowCause.Bandwidth), Case("policy-hemem", 120, 150, 150, WindowCause.Migration)], -0.25);
        var o = CrossCheckTargets.Of(w);
        Assert.Equal(4, o.Cases); // the layout check stays out
        Assert.Equal(0.2, o.MaxError, 1e-9);
        Assert.False(o.MaxMet);
        var md = CrossCheckTargets.Markdown([w]);
        Assert.Contains("**missed**", md);
        // Mean |part|: drift (0 + 20%) / 2, MLP (15% + 0) / 2 (the window has no bandwidth part set).
        Assert.Contains(
            "| bad | 20.00 | **no** | 1.000 | yes | 200.0% | 0% | drift 10.00, then MLP 7.50; physical layout: the layout check moves gem5 by -25.0% "
            + "| policy-hemem -20.0% (drift -20.0) | random-00, window 3: 230.0 vs 200.0 µs (Bandwidth) |", md);
    }

    [Fact]
    public void A_rank_miss_between_close_placements_is_called_a_near_tie()
    {
        // gem5: 100, 100.8, 100.4 µs: every pair is within 1%.
        List<CrossCheckRow> rows =
        [
            Row("all-ddr", "static", 100, 100),
            Row("all-hbm", "static", 101, 100.8),
            Row("random-00", "static", 103, 100.4),
        ];
        var w = new CrossCheckTargets.Workload("tie", rows, [], null);
        var o = CrossCheckTargets.Of(w);
        Assert.False(o.SpearmanMet);
        Assert.True(o.MaxMet);
        Assert.Equal(1, o.NearTies, 9);
        Assert.Contains("| tie | 2.59 | yes | 0.500 | **no** | 0.8% | 100% | near-ties |", CrossCheckTargets.Markdown([w]));

        // The same miss with the placements far apart is not put down to ties.
        List<CrossCheckRow> apart = [Row("a", "static", 100, 100), Row("b", "static", 150, 200), Row("c", "static", 200, 150)];
        Assert.DoesNotContain("near-ties", CrossCheckTargets.Markdown([new("apart", apart, [], null)]));
    }
}
