using System.Globalization;
using DeepMem.Core;

namespace DeepMem.Experiments;

/// <summary>
/// How a run's departures from plan read where the user looks (the
/// per-point line and report.md): decisions the simulator rejected, epochs
/// that ran under its fallback, and a failure's cause.
/// </summary>
public static class OutcomeText
{
    /// <summary>Reasons named in a note before "and N more".</summary>
    public const int ReasonsShown = 3;

    /// <summary>The status word: "succeeded", "failed", "cancelled", or "succeeded with fallback".</summary>
    public static string Status(RunResult r) =>
        r.Status == RunStatus.Succeeded && r.FallbackEpochs > 0 ? "succeeded with fallback" : r.Status.ToString().ToLowerInvariant();

    /// <summary>
    /// What did not go as planned, in one line ("" when everything did):
    /// rejected decisions with their commonest reasons, and how many epochs
    /// ran under the fallback and why.
    /// </summary>
    public static string Notes(RunResult r)
    {
        var inv = CultureInfo.InvariantCulture;
        var parts = new List<string>();
        if (r.RejectedDecisions > 0)
        {
            var reasons = r.Rejections.OrderByDescending(x => x.Count).ThenBy(x => x.Reason, StringComparer.Ordinal).ToList();
            var shown = string.Join("; ", reasons.Take(ReasonsShown).Select(x => string.Create(inv, $"{x.Count:N0}× {x.Reason}")));
            var more = reasons.Count > ReasonsShown ? $"; {reasons.Count - ReasonsShown} more reasons" : "";
            parts.Add(string.Create(inv, $"{r.RejectedDecisions:N0} decisions rejected") + (shown.Length > 0 ? $" ({shown}{more})" : ""));
        }

        if (r.FallbackEpochs > 0 || r.FallbackReason is not null)
        {
            var total = r.PolicyEpochs + r.FallbackEpochs;
            parts.Add(string.Create(inv, $"fell back: {r.FallbackEpochs} of {total} epochs without the policy")
                + (r.FallbackReason is null ? "" : $" ({r.FallbackReason})"));
        }

        return string.Join("; ", parts);
    }
}
