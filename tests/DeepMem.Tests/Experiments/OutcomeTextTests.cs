using DeepMem.Cli;
using DeepMem.Core;
using DeepMem.Experiments;
using DeepMem.Experiments.Exporters;

namespace DeepMem.Tests.Experiments;

public class OutcomeTextTests
{
    private static ResultRecord Record(string point, RunResult result) => new()
    {
        Experiment = "e", Point = point, ConfigHash = "k", Policy = "hemem", FinishedUtc = "2026-01-01T00:00:00Z", Result = result,
    };

    private static readonly RunResult Ok = new() { Backend = "gem5", Status = RunStatus.Succeeded, SimulatedSeconds = 2e-3, PolicyEpochs = 6 };

    [Fact]
    public void A_failed_point_shows_its_status_and_cause_and_no_speedup_even_with_a_partial_time()
    {
        var failed = Ok with { Status = RunStatus.Failed, SimulatedSeconds = 1e-3, FailureReason = "policy hemem: OnEpoch did not return within 1s (epoch 3)" };
        var summary = RunSummary.Of("t", [Record("a", Ok), Record("b", failed)], baseline: "hemem");
        var rows = summary.Rows;
        Assert.Equal(1.0, rows[0].Speedup);
        Assert.Null(rows[1].Speedup);
        Assert.Null(rows[1].NoSpeedup);
        var md = MarkdownExporter.Render(summary);
        Assert.Contains("| b | hemem | gem5 | failed | 1000.0 | – |", md, StringComparison.Ordinal);
        Assert.Contains("OnEpoch did not return", md, StringComparison.Ordinal);
    }

    [Fact]
    public void Rejected_decisions_and_fallback_epochs_show_on_the_line_and_in_the_report()
    {
        var r = Ok with
        {
            RejectedDecisions = 1797,
            Rejections = [new("node 7 does not exist (nodes: 2)", 1790, [0, 1, 2]), new("page 0x10 is not mapped", 7, [5])],
            PolicyEpochs = 1,
            FallbackEpochs = 5,
            FallbackReason = "no reply within 30s to event 9",
        };
        var outcome = new ExperimentRunner.PointOutcome(null!, Record("default", r), Skipped: false);
        var line = PointLine.Format("e/default", outcome);
        Assert.StartsWith("e/default: succeeded with fallback, simulated 2000.0 us", line, StringComparison.Ordinal);
        Assert.Contains("1,797 decisions rejected (1,790× node 7 does not exist (nodes: 2); 7× page 0x10 is not mapped)", line, StringComparison.Ordinal);
        Assert.Contains("fell back: 5 of 6 epochs without the policy (no reply within 30s to event 9)", line, StringComparison.Ordinal);

        var md = MarkdownExporter.Render(RunSummary.Of("t", [Record("default", r)]));
        Assert.Contains("succeeded with fallback", md, StringComparison.Ordinal);
        Assert.Contains("1,797 decisions rejected", md, StringComparison.Ordinal);
    }

    [Fact]
    public void A_run_that_went_as_planned_has_no_notes()
    {
        Assert.Equal("", OutcomeText.Notes(Ok));
        Assert.Equal("succeeded", OutcomeText.Status(Ok));
    }
}

public class RejectionTallyTests
{
    [Fact]
    public void A_million_rejections_keep_a_bounded_summary_with_counts_and_the_first_indices()
    {
        var tally = new RejectionTally();
        for (var i = 0; i < 1_000_000; i++)
        {
            tally.Add(i, i % 10 == 0 ? "node 7 does not exist (nodes: 2)" : $"distinct reason {i}");
        }

        Assert.Equal(1_000_000UL, tally.Total);
        var summary = tally.Summary();
        Assert.True(summary.Count <= RejectionTally.MaxReasons + 1, $"{summary.Count} reasons kept");
        Assert.All(summary, s => Assert.True(s.FirstIndices.Count <= RejectionTally.IndicesPerReason));
        Assert.Equal(100_000UL, summary.Single(s => s.Reason.StartsWith("node 7", StringComparison.Ordinal)).Count);
        Assert.Equal([0, 10, 20, 30, 40, 50, 60, 70], summary.Single(s => s.Reason.StartsWith("node 7", StringComparison.Ordinal)).FirstIndices);
        Assert.Equal(1_000_000UL, summary.Aggregate(0UL, (n, s) => n + s.Count));
        Assert.Contains(summary, s => s.Reason == RejectionTally.OtherReasons);
    }

    [Fact]
    public void A_huge_reason_is_cut_to_one_short_line()
    {
        var tally = new RejectionTally();
        tally.Add(3, "TypeError: " + new string('x', 100_000) + "\nsecond line");
        var s = Assert.Single(tally.Summary());
        Assert.True(s.Reason.Length <= RejectionTally.MaxReasonLength);
        Assert.DoesNotContain('\n', s.Reason);
    }
}
