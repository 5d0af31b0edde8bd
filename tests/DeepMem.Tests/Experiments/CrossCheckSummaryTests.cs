using DeepMem.Experiments.CrossCheck;
using Xunit;

namespace DeepMem.Tests.Experiments;

public class CrossCheckSummaryTests
{
    internal static CrossCheckRow Row(string id, string kind, double estimateUs, double gem5Us) =>
        new() { Case = id, Kind = kind, EstimatedSeconds = estimateUs * 1e-6, MeasuredSeconds = gem5Us * 1e-6 };

    [Fact]
    public void The_layout_check_takes_the_first_region_under_a_thousandth_of_the_accesses()
    {
        Assert.Equal(1, CrossCheckRunner.LayoutRegion([5_000, 9, 50_000, 0], 100_000));
        Assert.Equal(-1, CrossCheckRunner.LayoutRegion([5_000, 100, 50_000], 100_000));
        Assert.Equal(-1, CrossCheckRunner.LayoutRegion([], 0));
    }

    [Fact]
    public void The_layout_case_stays_out_of_the_table_and_gets_its_own_line()
    {
        List<CrossCheckRow> rows =
        [
            Row("all-dram", "static", 100, 100),
            Row("all-nvm", "static", 300, 300),
            Row("random-00", "static", 220, 200),
            Row(CrossCheckRunner.LayoutCase, CrossCheckRunner.LayoutKind, 300, 240),
        ];
        var all = CrossCheckSummary.From("w", rows, ["all-dram", "all-nvm"]).Single(s => s.Experiment == "w (all)");
        Assert.Equal(3, all.Cases);
        Assert.Equal(0.1 / 3, all.Accuracy.MeanErrorOfRuntime, 1e-9);
        Assert.Contains("| **all** | 3 | 3.33 | 10.00 |", CrossCheckSummary.Markdown([all], rows));
        var line = CrossCheckSummary.LayoutLine("w", rows, "all-nvm");
        Assert.StartsWith("w: 240.0 µs in gem5 against 300.0 µs for all-nvm (-20.0%); the estimate moves 0.00%. **Physical layout alone moves gem5 by more than 5% here**", line);
        rows[3] = Row(CrossCheckRunner.LayoutCase, CrossCheckRunner.LayoutKind, 300, 303);
        Assert.Equal("w: 303.0 µs in gem5 against 300.0 µs for all-nvm (+1.0%); the estimate moves 0.00%.", CrossCheckSummary.LayoutLine("w", rows, "all-nvm"));
        Assert.Null(CrossCheckSummary.LayoutLine("w", rows.Take(3).ToList(), "all-nvm"));
    }
}
