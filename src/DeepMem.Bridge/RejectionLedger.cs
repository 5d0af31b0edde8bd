using DeepMem.Core;
using Proto = DeepMem.Protocol.V1;

namespace DeepMem.Bridge;

/// <summary>
/// Rejections over a session as the simulator reports them: grouped by
/// reason in bounded memory (a <see cref="RejectionTally"/>), one log line
/// per reason per reply, and a bounded sample for the policy, so a million
/// bad items cost what one does.
/// </summary>
public sealed class RejectionLedger
{
    /// <summary>Most reasons kept apart; one more collects the rest.</summary>
    public const int MaxReasons = RejectionTally.MaxReasons;

    /// <summary>Indices named per reason in a log line.</summary>
    public const int MaxIndices = 8;

    /// <summary>Rejected items the policy sees per epoch (a sample).</summary>
    public const int MaxSample = 64;

    /// <summary>The reason under which reasons past <see cref="MaxReasons"/> are counted.</summary>
    public const string OtherReasons = RejectionTally.OtherReasons;

    private readonly RejectionTally _tally = new();

    /// <summary>Items rejected so far.</summary>
    public ulong Total => _tally.Total;

    /// <summary>
    /// Adds one reply's verdict; returns one log line per reason and a
    /// bounded sample of the rejected items for the policy.
    /// </summary>
    public (IReadOnlyList<string> Lines, IReadOnlyList<Rejection> Sample) Add(Proto.ReplyOutcome outcome)
    {
        var lines = new List<string>();
        var groups = outcome.Groups.Select(g => (g.Reason, Count: (ulong)g.Count, Indices: g.FirstIndices.Select(i => (int)i).ToList())).ToList();
        if (groups.Count == 0 && outcome.Rejections.Count > 0)
        {
            // A verdict without groups: group its items here.
            groups = outcome.Rejections.GroupBy(r => r.Reason, StringComparer.Ordinal)
                .Select(g => (g.Key, (ulong)g.LongCount(), g.Select(r => (int)r.Index).Take(MaxIndices).ToList())).ToList();
        }

        foreach (var (reason, count, indices) in groups)
        {
            _tally.Add(reason, count, indices);
            lines.Add($"reply to event {outcome.ReplyTo}: {count} item(s) rejected: {reason} (first items: {string.Join(", ", indices.Take(MaxIndices))})");
        }

        var sample = outcome.Rejections.Take(MaxSample).Select(r => new Rejection((int)r.Index, r.Reason)).ToList();
        return (lines, sample);
    }

    /// <summary>The groups so far, most items first.</summary>
    public IReadOnlyList<RejectionSummary> Summaries() => _tally.Summary();
}
