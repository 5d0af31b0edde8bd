using System.Globalization;
using System.Text;
using DeepMem.Estimator;

namespace DeepMem.Experiments.CrossCheck;

/// <summary>Why a window's estimate is off (a heuristic label, see <see cref="WindowDiagnosis"/>).</summary>
public enum WindowCause
{
    /// <summary>Pages moved during the window: the migration stall and the changed placement.</summary>
    Migration,

    /// <summary>The run's memory-side accesses differ from the traces' by more than 5% (cache set conflicts, prefetch, page-table walks).</summary>
    AccessCounts,

    /// <summary>The run is faster than the access-weighted mix: slow and fast accesses overlap (memory-level parallelism, buffered writes).</summary>
    Overlap,

    /// <summary>The run is slower than the mix: the slow accesses lie on the critical path more than their share (dependent loads, queueing).</summary>
    SlowCritical,
}

/// <summary>One window of a case: measured, the window formula on the run's own placement, and the label.</summary>
/// <param name="Window">Window index.</param>
/// <param name="MeasuredMicros">gem5's time of the window.</param>
/// <param name="ModelMicros">The window formula applied to the placement the gem5 run had in that window, plus gem5's migration stall of the window.</param>
/// <param name="FastMicros">The window in the fast node's trace.</param>
/// <param name="SlowMicros">The window in the slow node's trace.</param>
/// <param name="SlowShare">Share of the run's accesses in the window that went to the slow node.</param>
/// <param name="AccessRatio">The run's accesses in the window over the traces' accesses.</param>
/// <param name="Cause">The label.</param>
public sealed record WindowError(int Window, double MeasuredMicros, double ModelMicros, double FastMicros, double SlowMicros, double SlowShare,
    double AccessRatio, WindowCause Cause)
{
    /// <summary>Signed error of the window formula, µs.</summary>
    public double ErrorMicros => ModelMicros - MeasuredMicros;
}

/// <summary>
/// Splits a cross-check case's error into windows. Each gem5 case records
/// its own window trace (aligned with the single-device traces), so the
/// window formula can be applied to the placement the run really had, window
/// by window. The difference between that and the estimator's own run is
/// placement drift (a policy deciding differently on the two backends); the
/// rest is the model's error, labelled per window:
/// <list type="bullet">
/// <item>Migration: pages moved at the window's start (the trace's
/// <c>migrated</c> field) or during it (a page listed on two nodes). The
/// stall gem5 charged is added to the formula, so what remains is the cost
/// of the changed placement the formula misses.</item>
/// <item>AccessCounts: the run's accesses differ from the traces' by more than 5%.</item>
/// <item>Overlap: otherwise, measured below the formula (slow and fast accesses overlap).</item>
/// <item>SlowCritical: otherwise, measured above the formula.</item>
/// </list>
/// </summary>
public sealed record WindowDiagnosis
{
    /// <summary>Case id.</summary>
    public required string Case { get; init; }

    /// <summary>gem5's total, µs.</summary>
    public required double MeasuredMicros { get; init; }

    /// <summary>The window formula on the run's own placement plus gem5's migration stalls, µs.</summary>
    public required double ModelMicros { get; init; }

    /// <summary>The estimator's estimate of the case (its own placement or policy run), µs.</summary>
    public required double EstimateMicros { get; init; }

    /// <summary>All windows.</summary>
    public required IReadOnlyList<WindowError> Windows { get; init; }

    /// <summary>Estimate minus model: placement drift between the backends, µs.</summary>
    public double DriftMicros => EstimateMicros - ModelMicros;

    /// <summary>Signed model error per label, µs.</summary>
    public IReadOnlyDictionary<WindowCause, double> ErrorByCause =>
        Windows.GroupBy(w => w.Cause).ToDictionary(g => g.Key, g => g.Sum(w => w.ErrorMicros));

    /// <summary>
    /// Diagnoses one case from the run's window trace. Windows beyond the
    /// shorter of the two traces are ignored (the run and the traces execute
    /// the same instructions, so the counts match unless a run failed).
    /// </summary>
    public static WindowDiagnosis Of(string caseId, DifferentialEstimator estimator, WindowTrace run, double estimateMicros, int fastNode, int slowNode)
    {
        var tps = run.Header.TicksPerSecond;
        var windows = Math.Min(run.Windows.Count, estimator.WindowCount);

        // Node per page in each window of the run (majority of its accesses
        // when it moved), and whether anything moved in the window.
        var perWindow = new Dictionary<ulong, (int Node, uint Count)>[windows];
        var moved = new bool[windows];
        var firstSeen = new Dictionary<ulong, int>();
        for (var w = 0; w < windows; w++)
        {
            var win = run.Windows[w];
            var best = perWindow[w] = [];
            for (var i = 0; i < win.Pages.Length; i++)
            {
                var count = win.Reads[i] + win.Writes[i];
                if (best.TryGetValue(win.Pages[i], out var b))
                {
                    moved[w] = true;
                    if (count <= b.Count)
                    {
                        continue;
                    }
                }

                best[win.Pages[i]] = (win.Nodes[i], count);
                firstSeen.TryAdd(win.Pages[i], win.Nodes[i]);
            }
        }

        // The window formula asks windows in ascending order; pages not
        // touched by the run in a window keep the node they last had.
        var current = new Dictionary<ulong, int>(firstSeen);
        var at = -1;
        var model = estimator.EstimateWindows((w, page) =>
        {
            while (at < w)
            {
                at++;
                if (at < windows)
                {
                    foreach (var (p, d) in perWindow[at])
                    {
                        current[p] = d.Node;
                    }
                }
            }

            return current.TryGetValue(page, out var node) ? node : slowNode;
        });

        var rows = new List<WindowError>(windows);
        for (var w = 0; w < windows; w++)
        {
            var win = run.Windows[w];
            double slow = 0, all = 0;
            for (var i = 0; i < win.Pages.Length; i++)
            {
                var c = (double)win.Reads[i] + win.Writes[i];
                all += c;
                slow += win.Nodes[i] == slowNode ? c : 0;
            }

            var measured = win.Ticks / tps * 1e6;
            // The stall gem5 charged for this window's migrations is known
            // exactly; the formula covers the rest of the window.
            var stall = win.MigrationTicks / tps * 1e6;
            var traced = estimator.WindowAccesses(w);
            var ratio = traced > 0 ? all / traced : all > 0 ? double.PositiveInfinity : 1;
            var cause = moved[w] || win.MigratedPages > 0 ? WindowCause.Migration
                : Math.Abs(ratio - 1) > 0.05 ? WindowCause.AccessCounts
                : model[w] > measured ? WindowCause.Overlap
                : WindowCause.SlowCritical;
            rows.Add(new WindowError(w, measured, model[w] + stall, estimator.TraceWindowMicroseconds(fastNode, w),
                estimator.TraceWindowMicroseconds(slowNode, w), all > 0 ? slow / all : 0, ratio, cause));
        }

        return new WindowDiagnosis
        {
            Case = caseId,
            MeasuredMicros = rows.Sum(r => r.MeasuredMicros),
            ModelMicros = rows.Sum(r => r.ModelMicros),
            EstimateMicros = estimateMicros,
            Windows = rows,
        };
    }

    /// <summary>
    /// Markdown: per case, the error split into placement drift and the
    /// model's error by label; then the worst windows over all cases.
    /// </summary>
    public static string Markdown(string experiment, IReadOnlyList<WindowDiagnosis> cases, int worst = 10)
    {
        var inv = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        sb.AppendLine(CultureInfo.InvariantCulture, $"## {experiment}: where the error comes from");
        sb.AppendLine();
        sb.AppendLine("Error = estimate − gem5, in % of gem5's runtime. *drift*: the estimator's own placement or policy run vs the placement gem5 had; the other columns split the window formula's error (on gem5's own placement) by window label.");
        sb.AppendLine();
        sb.AppendLine("| case | gem5 µs | error % | drift % | migration % | access counts % | overlap % | slow critical % |");
        sb.AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var c in cases)
        {
            var by = c.ErrorByCause;
            string Pct(double v) => (100 * v / c.MeasuredMicros).ToString("+0.0;-0.0;0.0", inv);
            double Of(WindowCause k) => by.TryGetValue(k, out var v) ? v : 0;
            sb.AppendLine(CultureInfo.InvariantCulture,
                $"| {c.Case} | {c.MeasuredMicros:F1} | {Pct(c.EstimateMicros - c.MeasuredMicros)} | {Pct(c.DriftMicros)} | {Pct(Of(WindowCause.Migration))} | {Pct(Of(WindowCause.AccessCounts))} | {Pct(Of(WindowCause.Overlap))} | {Pct(Of(WindowCause.SlowCritical))} |");
        }

        sb.AppendLine();
        sb.AppendLine(CultureInfo.InvariantCulture, $"Worst {worst} windows (largest |error|):");
        sb.AppendLine();
        sb.AppendLine("| case | window | gem5 µs | formula µs | fast trace µs | slow trace µs | slow share | accesses vs traces | label |");
        sb.AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|---|");
        foreach (var (c, w) in cases.SelectMany(c => c.Windows.Select(w => (c, w))).OrderByDescending(x => Math.Abs(x.w.ErrorMicros)).Take(worst))
        {
            sb.AppendLine(CultureInfo.InvariantCulture,
                $"| {c.Case} | {w.Window} | {w.MeasuredMicros:F1} | {w.ModelMicros:F1} | {w.FastMicros:F1} | {w.SlowMicros:F1} | {w.SlowShare:F2} | {w.AccessRatio:F3} | {w.Cause} |");
        }

        return sb.ToString();
    }
}
