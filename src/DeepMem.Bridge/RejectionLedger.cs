using DeepMem.Core;
using Proto = DeepMem.Protocol.V1;

namespace DeepMem.Bridge;

/// <summary>
/// Rejections over a session, grouped by reason in bounded memory: at most
/// <see cref="MaxReasons"/> reasons (the rest under "other reasons"), each
/// with a count and its first <see cref="MaxIndices"/> item indices, so a
/// million bad items cost what one does.
/// </summary>
public sealed class RejectionLedger
{
    /// <summary>Most reasons kept apart; one more collects the rest.</summary>
    public const int MaxReasons = 32;

    /// <summary>Indices kept per reason.</summary>
    public const int MaxIndices = 8;

    /// <summary>Rejected items the policy sees per epoch (a sample).</summary>
    public const int MaxSample = 64;

    /// <summary>The reason under which reasons past <see cref="MaxReasons"/> are counted.</summary>
    public const string OtherReasons = "other reasons";

    private readonly Dictionary<string, (ulong Count, List<int> Indices)> _groups = new(StringComparer.Ordinal);

    /// <summary>Items rejected so far.</summary>
    public ulong Total { get; private set; }

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
            Total += count;
            var key = _groups.ContainsKey(reason) || _groups.Count < MaxReasons ? reason : OtherReasons;
            var entry = _groups.TryGetValue(key, out var e) ? e : (Count: 0UL, Indices: new List<int>());
            entry.Count += count;
            entry.Indices.AddRange(indices.Take(MaxIndices - entry.Indices.Count));
            _groups[key] = entry;
            lines.Add($"reply to event {outcome.ReplyTo}: {count} item(s) rejected: {reason} (first items: {string.Join(", ", indices.Take(MaxIndices))})");
        }

        var sample = outcome.Rejections.Take(MaxSample).Select(r => new Rejection((int)r.Index, r.Reason)).ToList();
        return (lines, sample);
    }

    /// <summary>The groups so far, most items first.</summary>
    public IReadOnlyList<RejectionSummary> Summaries() =>
        _groups.OrderByDescending(g => g.Value.Count).ThenBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => new RejectionSummary(g.Key, g.Value.Count, g.Value.Indices.ToList())).ToList();
}
