using System.Globalization;
using DeepMem.Estimator;
using DeepMem.Experiments.Exporters;
using static System.FormattableString;

namespace DeepMem.Experiments.CrossCheck;

/// <summary>The table row of one workload on one memory system (the validation table users quote).</summary>
public sealed record CrossCheckSummary
{
    /// <summary>Experiment name (workload + memory system).</summary>
    public required string Experiment { get; init; }

    /// <summary>Cases with a gem5 measurement.</summary>
    public required int Cases { get; init; }

    /// <summary>Accuracy over those cases.</summary>
    public required AccuracySummary Accuracy { get; init; }

    /// <summary>True when gem5's time for the estimator's optimum is within 1% of the best static placement gem5 measured.</summary>
    public required bool? OptimumWithin1Percent { get; init; }

    /// <summary>Mean estimator host seconds per placement.</summary>
    public required double EstimatorSecondsPerPlacement { get; init; }

    /// <summary>Mean gem5 host seconds per placement.</summary>
    public required double Gem5SecondsPerPlacement { get; init; }

    /// <summary>Builds the summaries of an experiment's rows: static placements, migrating policies, and all cases.</summary>
    public static IReadOnlyList<CrossCheckSummary> From(string experiment, IReadOnlyList<CrossCheckRow> rows, IReadOnlyList<string> singleNodeCases)
    {
        rows = rows.Where(r => r.Kind != CrossCheckRunner.LayoutKind).ToList();
        var singles = rows.Where(r => r.MeasuredSeconds > 0 && singleNodeCases.Contains(r.Case)).Select(r => r.MeasuredSeconds).ToList();
        return
        [
            Of($"{experiment} (static)", rows.Where(r => r.Kind == "static").ToList(), rows, singles),
            Of($"{experiment} (policies)", rows.Where(r => r.Kind == "dynamic").ToList(), rows, singles),
            Of($"{experiment} (all)", rows, rows, singles),
        ];
    }

    private static CrossCheckSummary Of(string experiment, IReadOnlyList<CrossCheckRow> rows, IReadOnlyList<CrossCheckRow> all, List<double> singles)
    {
        var ok = rows.Where(r => r.MeasuredSeconds > 0).ToList();
        var accuracy = EstimateAccuracy.Summarize(ok.Select(r => new EstimatePair(r.EstimatedSeconds, r.MeasuredSeconds)).ToList(),
            singles.Count > 0 ? singles.Min() : 0, singles.Count > 0 ? singles.Max() : 0);
        // The best simulated placement among those that fit the fast node (all-fast usually does not).
        var statics = all.Where(r => r.Kind == "static" && r.MeasuredSeconds > 0 && r.FitsCapacity).ToList();
        var optimum = ok.FirstOrDefault(r => r.Case == "optimum");
        return new CrossCheckSummary
        {
            Experiment = experiment,
            Cases = ok.Count,
            Accuracy = accuracy,
            OptimumWithin1Percent = optimum is null ? null : statics.Count > 0 && optimum.MeasuredSeconds <= 1.01 * statics.Min(r => r.MeasuredSeconds),
            EstimatorSecondsPerPlacement = ok.Count == 0 ? 0 : ok.Average(r => r.EstimatorHostSeconds),
            Gem5SecondsPerPlacement = ok.Count == 0 ? 0 : ok.Average(r => r.Gem5HostSeconds),
        };
    }

    /// <summary>Change of gem5's time in the layout check above which its line warns.</summary>
    public const double LayoutWarning = 0.05;

    /// <summary>
    /// The layout check of one experiment as a sentence: gem5's change in
    /// time from all-slow to the layout case against the estimator's; null
    /// when either run is missing.
    /// </summary>
    public static string? LayoutLine(string experiment, IReadOnlyList<CrossCheckRow> rows, string allSlowCase)
    {
        if (LayoutRuns(rows, allSlowCase) is not var (layout, slow))
        {
            return null;
        }

        var inv = CultureInfo.InvariantCulture;
        var moved = layout.MeasuredSeconds / slow.MeasuredSeconds - 1;
        return string.Create(inv,
            $"{experiment}: {layout.MeasuredSeconds * 1e6:F1} µs in gem5 against {slow.MeasuredSeconds * 1e6:F1} µs for {allSlowCase} "
            + $"({moved * 100:+0.0;-0.0;0.0}%); the estimate moves {(layout.EstimatedSeconds / slow.EstimatedSeconds - 1) * 100:+0.00;-0.00;0.00}%.")
            + (Math.Abs(moved) > LayoutWarning
                ? string.Create(inv, $" **Physical layout alone moves gem5 by more than {LayoutWarning * 100:F0}% here**: no page-count estimate can follow that, so read this workload's errors with it in mind.")
                : "");
    }

    /// <summary>gem5's change in time from all-slow to the layout case (a fraction); null when either run is missing.</summary>
    public static double? LayoutShift(IReadOnlyList<CrossCheckRow> rows, string allSlowCase) =>
        LayoutRuns(rows, allSlowCase) is var (layout, slow) ? layout.MeasuredSeconds / slow.MeasuredSeconds - 1 : null;

    private static (CrossCheckRow Layout, CrossCheckRow Slow)? LayoutRuns(IReadOnlyList<CrossCheckRow> rows, string allSlowCase)
    {
        var layout = rows.FirstOrDefault(r => r.Case == CrossCheckRunner.LayoutCase && r.MeasuredSeconds > 0);
        var slow = rows.FirstOrDefault(r => r.Case == allSlowCase && r.MeasuredSeconds > 0);
        return layout is null || slow is null ? null : (layout, slow);
    }

    /// <summary>The table as Markdown, with a total row over all cases of all workloads.</summary>
    public static string Markdown(IReadOnlyList<CrossCheckSummary> rows, IReadOnlyList<CrossCheckRow> allCases)
    {
        var table = new MarkdownTable(
            MarkdownTable.Text("workload / memory"), MarkdownTable.Number("cases"), MarkdownTable.Number("mean err (% runtime)"),
            MarkdownTable.Number("max err (% runtime)"), MarkdownTable.Number("mean err (% gap)"), MarkdownTable.Number("max err (% gap)"),
            MarkdownTable.Number("Spearman"), MarkdownTable.Text("optimum within 1%"), MarkdownTable.Number("estimator s/placement"),
            MarkdownTable.Number("gem5 s/placement"), MarkdownTable.Number("speed-up"));
        foreach (var r in rows)
        {
            var a = r.Accuracy;
            table.Add(r.Experiment, Invariant($"{r.Cases}"), Invariant($"{a.MeanErrorOfRuntime * 100:F2}"), Invariant($"{a.MaxErrorOfRuntime * 100:F2}"),
                Invariant($"{a.MeanErrorOfGap * 100:F1}"), Invariant($"{a.MaxErrorOfGap * 100:F1}"), Invariant($"{a.Spearman:F3}"),
                r.OptimumWithin1Percent is null ? "" : r.OptimumWithin1Percent.Value ? "yes" : "no",
                Invariant($"{r.EstimatorSecondsPerPlacement:E2}"), Invariant($"{r.Gem5SecondsPerPlacement:F1}"),
                Invariant($"{(r.EstimatorSecondsPerPlacement > 0 ? r.Gem5SecondsPerPlacement / r.EstimatorSecondsPerPlacement : 0):E1}"));
        }

        var measured = allCases.Where(c => c.MeasuredSeconds > 0 && c.Kind != CrossCheckRunner.LayoutKind).ToList();
        if (measured.Count > 0)
        {
            table.Add("**all**", Invariant($"{measured.Count}"), Invariant($"{measured.Average(c => c.ErrorOfRuntime) * 100:F2}"),
                Invariant($"{measured.Max(c => c.ErrorOfRuntime) * 100:F2}"), "", "", "", "", "", "", "");
        }

        return table.ToString();

    }
}
