using System.Globalization;
using System.Text;
using DeepMem.Estimator;
using DeepMem.Experiments.Exporters;
using static System.FormattableString;

namespace DeepMem.Experiments.CrossCheck;

/// <summary>What a window's error is made of (see <see cref="WindowDiagnosis"/>).</summary>
public enum WindowCause
{
    /// <summary>Pages moved during the window: the migration stall and the changed placement.</summary>
    Migration,

    /// <summary>The run's memory-side accesses differ from the traces' by more than 5% (cache set conflicts, write-backs shifted between windows, page-table walks).</summary>
    AccessCounts,

    /// <summary>The slow device's read latency in the run differs from the slow trace's: its queueing depends on how much traffic it carries.</summary>
    Bandwidth,

    /// <summary>What latency does not explain: the slow accesses overlap with each other and with the rest differently than in the single-device runs (memory-level parallelism, dependent loads).</summary>
    Mlp,

    /// <summary>The run or the traces have no memory counters (traces recorded before them), so bandwidth and MLP cannot be told apart.</summary>
    Unmeasured,
}

/// <summary>One window of a case: measured, the window formula on the run's own placement, and its error split.</summary>
/// <param name="Window">Window index.</param>
/// <param name="MeasuredMicros">gem5's time of the window.</param>
/// <param name="ModelMicros">The window formula applied to the placement the gem5 run had in that window, plus what gem5's migration stall of the window added to the run (on N cores, the most stalled thread's share).</param>
/// <param name="FastMicros">The window in the fast node's trace.</param>
/// <param name="SlowMicros">The window in the slow node's trace.</param>
/// <param name="SlowShare">Share of the run's accesses in the window that went to the slow node.</param>
/// <param name="AccessRatio">The run's accesses in the window over the traces' accesses.</param>
/// <param name="Cause">The label: the larger of the bandwidth and MLP parts, or Migration, AccessCounts or Unmeasured for the whole window.</param>
public sealed record WindowError(int Window, double MeasuredMicros, double ModelMicros, double FastMicros, double SlowMicros, double SlowShare,
    double AccessRatio, WindowCause Cause)
{
    /// <summary>Signed error of the window formula, µs.</summary>
    public double ErrorMicros => ModelMicros - MeasuredMicros;

    /// <summary>Mean read latency on the slow node in the slow trace's window, ns (NaN without counters).</summary>
    public double SlowTraceLatencyNs { get; init; } = double.NaN;

    /// <summary>Mean read latency on the slow node in the run's window, ns (NaN without counters or without slow reads).</summary>
    public double RunLatencyNs { get; init; } = double.NaN;

    /// <summary>Reads in flight at the slow node in the slow trace's window (NaN without counters).</summary>
    public double SlowTraceInFlight { get; init; } = double.NaN;

    /// <summary>Reads in flight at the slow node in the run's window (NaN without counters).</summary>
    public double RunInFlight { get; init; } = double.NaN;

    /// <summary>Part of the error from the slow node's changed read latency, µs (0 unless the cause is Bandwidth or Mlp).</summary>
    public double BandwidthMicros { get; init; }

    /// <summary>The rest of the error of a Bandwidth or Mlp window, µs.</summary>
    public double MlpMicros => Cause is WindowCause.Bandwidth or WindowCause.Mlp ? ErrorMicros - BandwidthMicros : 0;

    /// <summary>The window's error that goes with <paramref name="cause"/>, µs.</summary>
    public double PartMicros(WindowCause cause) => cause switch
    {
        WindowCause.Bandwidth => BandwidthMicros,
        WindowCause.Mlp => MlpMicros,
        _ when Cause == cause => ErrorMicros,
        _ => 0,
    };
}

/// <summary>
/// Splits a cross-check case's error into windows. Each gem5 case records
/// its own window trace (aligned with the single-device traces), so the
/// window formula can be applied to the placement the run really had, window
/// by window. The difference between that and the estimator's own run is
/// placement drift (a policy deciding differently on the two backends); the
/// rest is the model's error, split per window:
/// <list type="bullet">
/// <item>Migration: pages moved at the window's start (the trace's
/// <c>migrated</c> field) or during it (a page listed on two nodes). The
/// stall gem5 charged is added to the formula, so what remains is the cost
/// of the changed placement the formula misses.</item>
/// <item>AccessCounts: the run's accesses differ from the traces' by more than 5%.</item>
/// <item>Otherwise, from the memory counters (trace field <c>mem</c>), the
/// bandwidth part: the formula charges the slow node's accesses what they
/// cost in the slow trace, whose reads waited L1 on average against L0 in
/// the fast trace. In the run they waited L; scaling the formula's excess
/// over the fast trace by (L − L0)/(L1 − L0) (clamped to 0..3) gives what
/// the same accesses cost at the run's latency, and the difference is the
/// error due to the slow node's load (queueing, i.e. bandwidth). The rest
/// is MLP: the same latency overlapping differently with other accesses
/// and work. No prefetch part: the system has no hardware prefetcher.</item>
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

    /// <summary>
    /// For a static case: the touched pages (of the estimator's traces) that
    /// gem5 placed on another node than the estimate assumed, and how many
    /// pages were compared; null for policy runs, whose placements may drift.
    /// </summary>
    public (int Misplaced, int Compared)? PlacementCheck { get; init; }

    /// <summary>
    /// Compares a static placement's page map (virtual page → node, as the
    /// estimator applies it) with the node each page had when the run first
    /// touched it.
    /// </summary>
    public static (int Misplaced, int Compared) CheckPlacement(IReadOnlyDictionary<ulong, int> expected, WindowTrace run)
    {
        var seen = new HashSet<ulong>();
        int misplaced = 0, compared = 0;
        foreach (var w in run.Windows)
        {
            for (var i = 0; i < w.Pages.Length; i++)
            {
                if (seen.Add(w.Pages[i]) && expected.TryGetValue(w.Pages[i], out var node))
                {
                    compared++;
                    misplaced += node == w.Nodes[i] ? 0 : 1;
                }
            }
        }

        return (misplaced, compared);
    }

    /// <summary>Estimate minus model: placement drift between the backends, µs.</summary>
    public double DriftMicros => EstimateMicros - ModelMicros;

    /// <summary>Signed model error per cause, µs: whole windows for Migration, AccessCounts and Unmeasured, the split parts for Bandwidth and Mlp.</summary>
    public IReadOnlyDictionary<WindowCause, double> ErrorByCause =>
        Enum.GetValues<WindowCause>().ToDictionary(c => c, c => Windows.Sum(w => w.PartMicros(c)));

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
            // The stall gem5 charged for this window's migrations is known;
            // the formula covers the rest of the window. On N cores gem5
            // spreads a batch's pages round-robin over the threads, and the
            // run waits for the most stalled one: ceil(pages / N) of the
            // pages' cost (exact when the batch's pages cost the same).
            var stall = WallStall(win.MigrationTicks / tps * 1e6, win.MigratedPages, run.Header.Cores);
            var traced = estimator.WindowAccesses(w);
            var ratio = traced > 0 ? all / traced : all > 0 ? double.PositiveInfinity : 1;
            var fastMicros = estimator.TraceWindowMicroseconds(fastNode, w);
            var slowMicros = estimator.TraceWindowMicroseconds(slowNode, w);
            var fastMem = estimator.Traces.Traces[fastNode].Windows[w].Memory;
            var slowMem = estimator.Traces.Traces[slowNode].Windows[w].Memory;
            var runMem = win.Memory;
            var cause = moved[w] || win.MigratedPages > 0 ? WindowCause.Migration
                : Math.Abs(ratio - 1) > 0.05 ? WindowCause.AccessCounts
                : fastMem is null || slowMem is null || runMem is null ? WindowCause.Unmeasured
                : WindowCause.Mlp;
            var row = new WindowError(w, measured, model[w] + stall, fastMicros, slowMicros, all > 0 ? slow / all : 0, ratio, cause);
            if (fastMem is not null && slowMem is not null && runMem is not null)
            {
                var l0 = fastMem[fastNode].MeanReadLatency;
                var l1 = slowMem[slowNode].MeanReadLatency;
                var l = runMem[slowNode].MeanReadLatency;
                row = row with
                {
                    SlowTraceLatencyNs = slowMem[slowNode].MeanReadLatencyNs(tps),
                    RunLatencyNs = runMem[slowNode].Reads > 0 ? runMem[slowNode].MeanReadLatencyNs(tps) : double.NaN,
                    SlowTraceInFlight = slowMem[slowNode].ReadsInFlight(estimator.Traces.Traces[slowNode].Windows[w].Ticks),
                    RunInFlight = runMem[slowNode].ReadsInFlight(win.Ticks),
                };
                if (cause == WindowCause.Mlp && runMem[slowNode].Reads > 0 && l1 > l0)
                {
                    var k = Math.Clamp((l - l0) / (l1 - l0), 0, 3);
                    var bandwidth = (model[w] - fastMicros) * (1 - k);
                    var mlp = row.ErrorMicros - bandwidth;
                    row = row with
                    {
                        BandwidthMicros = bandwidth,
                        Cause = Math.Abs(bandwidth) > Math.Abs(mlp) ? WindowCause.Bandwidth : WindowCause.Mlp,
                    };
                }
            }

            rows.Add(row);
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
    /// What a batch of <paramref name="pages"/> migrations costing
    /// <paramref name="totalMicros"/> in all adds to the run on
    /// <paramref name="cores"/> cores (docs/gem5.md, "Migration stalls").
    /// </summary>
    internal static double WallStall(double totalMicros, ulong pages, int cores) =>
        pages == 0 || cores <= 1 ? totalMicros : totalMicros * Math.Ceiling(pages / (double)cores) / pages;

    private static readonly WindowCause[] PartOrder = [WindowCause.Migration, WindowCause.AccessCounts, WindowCause.Bandwidth, WindowCause.Mlp, WindowCause.Unmeasured];

    /// <summary>Name of a part in the reports.</summary>
    public static string PartName(WindowCause cause) => cause switch
    {
        WindowCause.AccessCounts => "access counts",
        WindowCause.Mlp => "MLP",
        _ => cause.ToString().ToLowerInvariant(),
    };

    /// <summary>
    /// Mean |part| over <paramref name="cases"/>, in % of each case's gem5
    /// runtime: drift first, then the causes, by their report names.
    /// </summary>
    public static IReadOnlyList<KeyValuePair<string, double>> MeanParts(IReadOnlyList<WindowDiagnosis> cases)
    {
        double Mean(Func<WindowDiagnosis, double> part) => cases.Count == 0 ? 0 : cases.Average(c => Math.Abs(100 * part(c) / c.MeasuredMicros));
        return [new("drift", Mean(c => c.DriftMicros)), .. PartOrder.Select(cause => new KeyValuePair<string, double>(PartName(cause), Mean(c => c.ErrorByCause[cause])))];
    }

    /// <summary>
    /// Markdown: per case, the error split into placement drift and the
    /// model's error by cause; the mean |part| over the cases; then the worst
    /// windows over all cases with the slow node's latency and reads in flight.
    /// </summary>
    public static string Markdown(string experiment, IReadOnlyList<WindowDiagnosis> cases, int worst = 10, PlacementRepeatability? repeatability = null)
    {
        var inv = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        sb.AppendLine(inv, $"## {experiment}: where the error comes from");
        sb.AppendLine();
        sb.AppendLine("Error = estimate − gem5, in % of gem5's runtime, = drift + the window formula's error on gem5's own placement, split by cause. "
            + "*drift*: the estimator's own placement or policy run vs the placement gem5 had. *bandwidth*: the part explained by the slow node's read latency "
            + "in the run differing from the slow trace's (its queueing depends on its load). *MLP*: the rest of those windows (overlap). "
            + "*unmeasured*: windows without memory counters. There is no prefetch part: the simulated system has no hardware prefetcher.");
        sb.AppendLine();
        var perCase = new MarkdownTable(
            [MarkdownTable.Text("case"), MarkdownTable.Number("gem5 µs"), MarkdownTable.Number("error %"), MarkdownTable.Number("drift %"),
             .. PartOrder.Select(p => MarkdownTable.Number($"{PartName(p)} %"))]);
        foreach (var c in cases)
        {
            var by = c.ErrorByCause;
            string Pct(double v) => (100 * v / c.MeasuredMicros).ToString("+0.0;-0.0;0.0", inv);
            perCase.Add([c.Case, c.MeasuredMicros.ToString("F1", inv), Pct(c.EstimateMicros - c.MeasuredMicros), Pct(c.DriftMicros),
                .. PartOrder.Select(cause => Pct(by[cause]))]);
        }

        perCase.AppendTo(sb);

        var checkedCases = cases.Where(c => c.PlacementCheck is not null).ToList();
        if (checkedCases.Count > 0)
        {
            sb.AppendLine();
            var off = checkedCases.Where(c => c.PlacementCheck!.Value.Misplaced > 0).ToList();
            sb.AppendLine(off.Count == 0
                ? string.Create(inv, $"Placement check: in all {checkedCases.Count} static cases gem5 put every touched page on the node the estimate assumed.")
                : string.Create(inv, $"Placement check: gem5 put pages elsewhere than the estimate assumed in {string.Join(", ", off.Select(c => $"{c.Case} ({c.PlacementCheck!.Value.Misplaced} of {c.PlacementCheck.Value.Compared} pages)"))}; their drift is that difference."));
        }

        if (repeatability is not null)
        {
            sb.AppendLine();
            sb.AppendLine(repeatability.Markdown());
        }

        sb.AppendLine();
        sb.AppendLine(inv, $"Mean |part| over the {cases.Count} cases, % of runtime: {string.Join(", ", MeanParts(cases).Select(p => string.Create(inv, $"{p.Key} {p.Value:F2}")))}.");
        sb.AppendLine();
        sb.AppendLine(inv, $"Worst {worst} windows (largest |error|); latency and in flight: the slow node's mean read latency and reads in flight, slow trace → run:");
        sb.AppendLine();
        var worstWindows = new MarkdownTable(
            MarkdownTable.Text("case"), MarkdownTable.Number("window"), MarkdownTable.Number("gem5 µs"), MarkdownTable.Number("formula µs"),
            MarkdownTable.Number("fast trace µs"), MarkdownTable.Number("slow trace µs"), MarkdownTable.Number("slow share"),
            MarkdownTable.Number("accesses vs traces"), MarkdownTable.Number("read latency ns"), MarkdownTable.Number("reads in flight"),
            MarkdownTable.Number("bandwidth µs"), MarkdownTable.Number("MLP µs"), MarkdownTable.Text("label"));
        static string Num(double v, string f) => double.IsNaN(v) ? "–" : v.ToString(f, CultureInfo.InvariantCulture);
        foreach (var (c, w) in cases.SelectMany(c => c.Windows.Select(w => (c, w))).OrderByDescending(x => Math.Abs(x.w.ErrorMicros)).Take(worst))
        {
            worstWindows.Add(c.Case, Invariant($"{w.Window}"), Invariant($"{w.MeasuredMicros:F1}"), Invariant($"{w.ModelMicros:F1}"),
                Invariant($"{w.FastMicros:F1}"), Invariant($"{w.SlowMicros:F1}"), Invariant($"{w.SlowShare:F2}"), Invariant($"{w.AccessRatio:F3}"),
                $"{Num(w.SlowTraceLatencyNs, "F0")} → {Num(w.RunLatencyNs, "F0")}", $"{Num(w.SlowTraceInFlight, "F2")} → {Num(w.RunInFlight, "F2")}",
                Invariant($"{w.BandwidthMicros:F1}"), Invariant($"{w.MlpMicros:F1}"), w.Cause.ToString());
        }

        worstWindows.AppendTo(sb);
        return sb.ToString();
    }
}
