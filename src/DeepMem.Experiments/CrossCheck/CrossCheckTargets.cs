using System.Globalization;
using System.Text;
using DeepMem.Experiments.Exporters;
using static System.FormattableString;

namespace DeepMem.Experiments.CrossCheck;

/// <summary>
/// The accuracy targets of docs/estimator.md checked against a cross-check, and,
/// for every workload that misses one, where its error comes from: the
/// largest parts of the window split, the worst case and window, the layout
/// check and how many static placements are near-ties.
/// </summary>
public static class CrossCheckTargets
{
    /// <summary>Mean |error| over the whole table, fraction of runtime.</summary>
    public const double MeanTarget = 0.02;

    /// <summary>Largest |error| of each workload, fraction of runtime.</summary>
    public const double MaxTarget = 0.05;

    /// <summary>Spearman rank correlation over each workload's static placements.</summary>
    public const double SpearmanTarget = 0.95;

    /// <summary>Two static placements whose gem5 times differ by less than this (of the smaller) are a near-tie.</summary>
    public const double NearTie = 0.01;

    /// <summary>A Spearman miss is put down to near-ties when at least this share of the static pairs are near-ties.</summary>
    public const double NearTieShare = 0.25;

    /// <summary>One workload: its table rows, the window split of its cases and the layout check's change.</summary>
    /// <param name="Experiment">Experiment name.</param>
    /// <param name="Rows">All rows of the experiment (the layout check is left out here).</param>
    /// <param name="Diagnosis">The window split of its cases (empty without window traces).</param>
    /// <param name="LayoutShift">gem5's change from all-slow to the layout case (fraction), or null.</param>
    public sealed record Workload(string Experiment, IReadOnlyList<CrossCheckRow> Rows, IReadOnlyList<WindowDiagnosis> Diagnosis, double? LayoutShift);

    /// <summary>What one workload achieved.</summary>
    /// <param name="Experiment">Experiment name.</param>
    /// <param name="Cases">Measured cases (layout check excluded).</param>
    /// <param name="MeanError">Mean |error|, fraction of runtime.</param>
    /// <param name="MaxError">Largest |error|, fraction of runtime.</param>
    /// <param name="Spearman">Spearman over the static placements.</param>
    /// <param name="StaticSpread">Slowest over fastest static placement in gem5, minus 1.</param>
    /// <param name="NearTies">Share of the pairs of static placements that are near-ties in gem5 (<see cref="NearTie"/>).</param>
    public sealed record Outcome(string Experiment, int Cases, double MeanError, double MaxError, double Spearman, double StaticSpread, double NearTies)
    {
        /// <summary>Max within target.</summary>
        public bool MaxMet => MaxError < MaxTarget;

        /// <summary>Spearman above target (false when undefined).</summary>
        public bool SpearmanMet => Spearman > SpearmanTarget;
    }

    /// <summary>The workload's figures against the targets.</summary>
    public static Outcome Of(Workload w)
    {
        var rows = Measured(w.Rows);
        var statics = rows.Where(r => r.Kind == "static").ToList();
        var spearman = statics.Count == 0 ? double.NaN
            : Estimator.EstimateAccuracy.Summarize(statics.Select(r => new Estimator.EstimatePair(r.EstimatedSeconds, r.MeasuredSeconds)).ToList(), 0, 0).Spearman;
        var spread = statics.Count == 0 ? 0 : statics.Max(r => r.MeasuredSeconds) / statics.Min(r => r.MeasuredSeconds) - 1;
        int pairs = 0, ties = 0;
        for (var i = 0; i < statics.Count; i++)
        {
            for (var j = i + 1; j < statics.Count; j++)
            {
                var (a, b) = (statics[i].MeasuredSeconds, statics[j].MeasuredSeconds);
                pairs++;
                ties += Math.Abs(a - b) < NearTie * Math.Min(a, b) ? 1 : 0;
            }
        }

        return new Outcome(w.Experiment, rows.Count,
            rows.Count == 0 ? double.NaN : rows.Average(r => r.ErrorOfRuntime),
            rows.Count == 0 ? double.NaN : rows.Max(r => r.ErrorOfRuntime),
            spearman, spread, pairs == 0 ? 0 : (double)ties / pairs);
    }

    /// <summary>
    /// Markdown: the whole-table mean against its target, then one line per
    /// workload with the per-workload targets and, where one is missed, why.
    /// </summary>
    public static string Markdown(IReadOnlyList<Workload> workloads)
    {
        var inv = CultureInfo.InvariantCulture;
        var all = workloads.SelectMany(w => Measured(w.Rows)).ToList();
        var sb = new StringBuilder();
        sb.AppendLine("Targets (docs/estimator.md):");
        sb.AppendLine();
        if (all.Count > 0)
        {
            var mean = all.Average(r => r.ErrorOfRuntime);
            sb.AppendLine(inv, $"* Mean error under {MeanTarget * 100:F0}% of runtime over the whole table: {mean * 100:F2}% over {all.Count} cases, {(mean < MeanTarget ? "met" : "**missed**")}.");
        }

        sb.AppendLine(inv, $"* Per workload, max error under {MaxTarget * 100:F0}% of runtime and Spearman over the static placements above {SpearmanTarget:F2}:");
        sb.AppendLine();
        var table = new MarkdownTable(
            MarkdownTable.Text("workload / memory"), MarkdownTable.Number("max err %"), MarkdownTable.Text("under 5%"),
            MarkdownTable.Number("Spearman (static)"), MarkdownTable.Text("above 0.95"), MarkdownTable.Number("static placements span"),
            MarkdownTable.Number("static pairs within 1%"), MarkdownTable.Text("where the error comes from (mean |part| per case, % of runtime)"),
            MarkdownTable.Text("worst case (its largest part)"), MarkdownTable.Text("worst window (formula vs gem5)"));
        foreach (var w in workloads)
        {
            var o = Of(w);
            if (o.Cases == 0)
            {
                continue;
            }

            var why = o.MaxMet && o.SpearmanMet ? "" : Why(w, o);
            var missed = !(o.MaxMet && o.SpearmanMet);
            table.Add(o.Experiment, Invariant($"{o.MaxError * 100:F2}"), o.MaxMet ? "yes" : "**no**", Invariant($"{o.Spearman:F3}"),
                o.SpearmanMet ? "yes" : "**no**", Invariant($"{o.StaticSpread * 100:F1}%"), Invariant($"{o.NearTies * 100:F0}%"), why,
                missed ? WorstCase(w.Diagnosis) : "", missed ? WorstWindow(w.Diagnosis) : "");
        }

        table.AppendTo(sb);
        sb.AppendLine();
        sb.AppendLine("The parts are those of windows.md: *drift* (the backends' placements or policy decisions differ), *migration*, *access counts*, "
            + "*bandwidth* (the slow node's read latency differs from the slow trace's) and *MLP* (the rest: overlap). "
            + $"Two static placements within {NearTie * 100:F0}% of each other in gem5 are a near-tie; where {NearTieShare * 100:F0}% or more of the pairs are, "
            + "their order is mostly noise to a rank correlation, and a Spearman miss says little about the estimate.");
        return sb.ToString();
    }

    private static List<CrossCheckRow> Measured(IReadOnlyList<CrossCheckRow> rows) =>
        rows.Where(r => r.MeasuredSeconds > 0 && r.Kind != CrossCheckRunner.LayoutKind).ToList();

    private static string Why(Workload w, Outcome o)
    {
        var inv = CultureInfo.InvariantCulture;
        var reasons = new List<string>();
        if (w.Diagnosis.Count > 0)
        {
            var parts = WindowDiagnosis.MeanParts(w.Diagnosis).Where(p => p.Value >= 0.05).OrderByDescending(p => p.Value).Take(2).ToList();
            if (parts.Count > 0)
            {
                reasons.Add(string.Join(", then ", parts.Select(p => string.Create(inv, $"{p.Key} {p.Value:F2}"))));
            }
        }

        if (w.LayoutShift is { } shift && Math.Abs(shift) > CrossCheckSummary.LayoutWarning)
        {
            reasons.Add(string.Create(inv, $"physical layout: the layout check moves gem5 by {shift * 100:+0.0;-0.0}%"));
        }

        if (!o.SpearmanMet && o.NearTies >= NearTieShare)
        {
            reasons.Add("near-ties");
        }

        return string.Join("; ", reasons);
    }

    private static string WorstCase(IReadOnlyList<WindowDiagnosis> cases)
    {
        var worst = cases.OrderByDescending(c => Math.Abs(c.EstimateMicros - c.MeasuredMicros) / c.MeasuredMicros).FirstOrDefault();
        if (worst is null)
        {
            return "";
        }

        var parts = worst.ErrorByCause.Select(p => (Name: WindowDiagnosis.PartName(p.Key), Micros: p.Value)).Prepend((Name: "drift", Micros: worst.DriftMicros));
        var largest = parts.MaxBy(p => Math.Abs(p.Micros));
        double Pct(double micros) => 100 * micros / worst.MeasuredMicros;
        return string.Create(CultureInfo.InvariantCulture,
            $"{worst.Case} {Pct(worst.EstimateMicros - worst.MeasuredMicros):+0.0;-0.0}% ({largest.Name} {Pct(largest.Micros):+0.0;-0.0;0.0})");
    }

    private static string WorstWindow(IReadOnlyList<WindowDiagnosis> cases)
    {
        var worst = cases.SelectMany(c => c.Windows.Select(w => (c, w))).OrderByDescending(x => Math.Abs(x.w.ErrorMicros)).FirstOrDefault();
        return worst.w is null ? "" : string.Create(CultureInfo.InvariantCulture,
            $"{worst.c.Case}, window {worst.w.Window}: {worst.w.ModelMicros:F1} vs {worst.w.MeasuredMicros:F1} µs ({worst.w.Cause})");
    }
}
