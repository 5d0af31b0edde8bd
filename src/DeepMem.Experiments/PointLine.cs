using System.Globalization;

namespace DeepMem.Experiments;

/// <summary>The line each verb prints per point: status, reuse, figures, and what did not go as planned.</summary>
public static class PointLine
{
    /// <summary>
    /// "<paramref name="label"/>: succeeded, simulated 12.3 us, 4 pages
    /// migrated, host 0.10 s", then "; 1,797 decisions rejected (...)" or
    /// "; fell back: ..." when that happened, and "(stored result reused)"
    /// or "(ran again: ...)" on reuse or rerun.
    /// </summary>
    public static string Format(string label, ExperimentRunner.PointOutcome outcome)
    {
        var r = outcome.Record.Result;
        var reuse = outcome.Skipped ? " (stored result reused)" : outcome.WhyRerun is { } why ? $" (ran again: {why})" : "";
        var line = string.Create(CultureInfo.InvariantCulture,
            $"{label}: {OutcomeText.Status(r)}{reuse}, simulated {r.SimulatedSeconds * 1e6:F1} us, {r.MigratedPages} pages migrated, host {r.HostSeconds:F2} s");
        var notes = OutcomeText.Notes(r);
        return notes.Length == 0 ? line : $"{line}; {notes}";
    }
}
