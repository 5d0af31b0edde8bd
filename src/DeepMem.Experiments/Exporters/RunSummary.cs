using DeepMem.Core;

namespace DeepMem.Experiments.Exporters;

/// <summary>
/// What every exporter writes: one command's points, fastest first (points
/// that did not succeed last), each with its speed-up over the baseline
/// policy's point at the same sweep values.
/// </summary>
/// <param name="Title">The report's title.</param>
/// <param name="Baseline">The policy the speed-up column compares with.</param>
/// <param name="Rows">One row a point.</param>
public sealed record RunSummary(string Title, string Baseline, IReadOnlyList<RunSummaryRow> Rows)
{
    /// <summary>The baseline when none is chosen.</summary>
    public const string DefaultBaseline = "first-touch";

    /// <summary>
    /// The summary of <paramref name="records"/>. A point's baseline is the
    /// point of policy <paramref name="baseline"/> (a policy name such as
    /// first-touch, or a swept policy such as <c>interleave(by_bandwidth=true)</c>)
    /// whose other sweep values are the same; where there is none, or it did
    /// not succeed, the row says so instead of a ratio.
    /// </summary>
    public static RunSummary Of(string title, IReadOnlyList<ResultRecord> records, string baseline = DefaultBaseline)
    {
        ArgumentNullException.ThrowIfNull(records);
        ArgumentException.ThrowIfNullOrWhiteSpace(baseline);
        var baselines = records
            .GroupBy(OtherSweepValues, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => BaselineOf(g.ToList(), baseline), StringComparer.Ordinal);
        var rows = records
            .OrderBy(r => r.Result.Status == RunStatus.Succeeded ? 0 : 1)
            .ThenBy(r => r.Result.SimulatedSeconds)
            .Select(r => Row(r, baseline, baselines[OtherSweepValues(r)]))
            .ToList();
        return new RunSummary(title, baseline, rows);
    }

    private static RunSummaryRow Row(ResultRecord r, string baseline, ResultRecord? reference)
    {
        var res = r.Result;
        var succeeded = res.Status == RunStatus.Succeeded;
        var notes = OutcomeText.Notes(res);
        if (!succeeded && res.FailureReason is { } why)
        {
            notes = notes.Length == 0 ? why : $"{why}; {notes}";
        }

        double? speedup = null;
        string? missing = null;
        if (succeeded && res.SimulatedSeconds > 0)
        {
            if (reference is null)
            {
                missing = $"no {baseline} point";
            }
            else if (reference.Result.Status != RunStatus.Succeeded || reference.Result.SimulatedSeconds <= 0)
            {
                missing = $"{baseline} {OutcomeText.Status(reference.Result)}";
            }
            else
            {
                speedup = reference.Result.SimulatedSeconds / res.SimulatedSeconds;
            }
        }

        return new RunSummaryRow(r.Point, r.Policy, res.Backend, OutcomeText.Status(res), succeeded,
            res.SimulatedSeconds * 1e6, speedup, missing, res.MigratedPages, res.MigrationSeconds * 1e6, res.HostSeconds, notes);
    }

    /// <summary>A point's sweep values other than the policy's: the points compared with one baseline share them.</summary>
    private static string OtherSweepValues(ResultRecord r) =>
        string.Join(",", r.SweepValues.Where(kv => !IsPolicyKey(kv.Key)).OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => $"{kv.Key}={kv.Value}"));

    private static bool IsPolicyKey(string key) => key == "policy" || key.StartsWith("policy.", StringComparison.Ordinal);

    /// <summary>
    /// The baseline among points that differ only in policy: a point swept to
    /// exactly <paramref name="baseline"/> first (so <c>interleave</c> is not
    /// <c>interleave(by_bandwidth=true)</c>), else the first of that policy.
    /// </summary>
    private static ResultRecord? BaselineOf(IReadOnlyList<ResultRecord> group, string baseline) =>
        group.FirstOrDefault(r => r.SweepValues.Any(kv => IsPolicyKey(kv.Key) && kv.Value == baseline))
        ?? group.FirstOrDefault(r => r.Policy == baseline);
}
