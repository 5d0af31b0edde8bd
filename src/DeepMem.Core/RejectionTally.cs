namespace DeepMem.Core;

/// <summary>
/// Counts rejected decision items by reason in bounded memory: at most
/// <see cref="MaxReasons"/> reasons (later new ones count under
/// <see cref="OtherReasons"/>), reasons cut at <see cref="MaxReasonLength"/>
/// characters, and the first <see cref="IndicesPerReason"/> item indices of
/// each. A million bad items cost the same as ten.
/// </summary>
public sealed class RejectionTally
{
    /// <summary>Distinct reasons kept.</summary>
    public const int MaxReasons = 32;

    /// <summary>Item indices kept per reason.</summary>
    public const int IndicesPerReason = 8;

    /// <summary>Characters kept of a reason.</summary>
    public const int MaxReasonLength = 300;

    /// <summary>The reason that collects what comes after <see cref="MaxReasons"/> distinct ones.</summary>
    public const string OtherReasons = "(other reasons)";

    private readonly Dictionary<string, (ulong Count, List<int> First)> _byReason = new(StringComparer.Ordinal);

    /// <summary>Items counted.</summary>
    public ulong Total { get; private set; }

    /// <summary>Counts one rejected item.</summary>
    public void Add(int index, string reason) => Add(reason, 1, [index]);

    /// <summary>Counts a group of <paramref name="count"/> items (e.g. one received as a summary).</summary>
    public void Add(string reason, ulong count, IEnumerable<int> firstIndices)
    {
        if (count == 0)
        {
            return;
        }

        reason = Cut(reason);
        if (!_byReason.ContainsKey(reason) && _byReason.Count >= MaxReasons)
        {
            reason = OtherReasons;
        }

        if (!_byReason.TryGetValue(reason, out var entry))
        {
            entry = (0, []);
        }

        foreach (var i in firstIndices)
        {
            if (entry.First.Count >= IndicesPerReason)
            {
                break;
            }

            entry.First.Add(i);
        }

        _byReason[reason] = (entry.Count + count, entry.First);
        Total += count;
    }

    /// <summary>The groups, commonest first.</summary>
    public IReadOnlyList<RejectionSummary> Summary() => _byReason
        .OrderByDescending(kv => kv.Value.Count).ThenBy(kv => kv.Key, StringComparer.Ordinal)
        .Select(kv => new RejectionSummary(kv.Key, kv.Value.Count, kv.Value.First.ToArray()))
        .ToList();

    /// <summary>A reason cut to <see cref="MaxReasonLength"/> characters, on one line.</summary>
    public static string Cut(string reason)
    {
        var one = reason.ReplaceLineEndings(" ");
        return one.Length <= MaxReasonLength ? one : one[..(MaxReasonLength - 1)] + "…";
    }
}
