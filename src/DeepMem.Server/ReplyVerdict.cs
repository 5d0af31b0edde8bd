using System.Text.RegularExpressions;
using Proto = DeepMem.Protocol.V1;

namespace DeepMem.Server;

/// <summary>
/// The verdict on one reply, summarised in bounded memory exactly as the
/// gem5 side does (<c>RejectionTally</c> in deepmem/bridge/driver.py): per
/// reason a count and the first few indices, at most
/// <see cref="MaxGroups"/> reasons (the rest under "other reasons"), a
/// sample of <see cref="MaxSample"/> items, each reason one line of at most
/// <see cref="MaxReasonChars"/> characters; a page number in a reason is
/// per item, so the group keeps the kind of problem only.
/// </summary>
public sealed partial class ReplyVerdict
{
    public const int MaxGroups = 16;
    public const int MaxGroupIndices = 8;
    public const int MaxSample = 16;
    public const int MaxReasonChars = 200;
    public const string OtherReasons = "other reasons";

    private readonly List<(string Reason, uint Count, List<uint> Indices)> _groups = [];
    private readonly List<Proto.Rejection> _sample = [];

    /// <summary>Items applied.</summary>
    public uint Applied { get; set; }

    /// <summary>Items rejected.</summary>
    public uint Total { get; private set; }

    [GeneratedRegex(@"\bpage (?:0x[0-9a-fA-F]+|\d+)\b")]
    private static partial Regex Page();

    /// <summary>Rejects item <paramref name="index"/> for <paramref name="reason"/>.</summary>
    public void Add(int index, string reason) => AddRange(index, 1, reason);

    /// <summary>Rejects items <paramref name="first"/> .. first+count-1, all for <paramref name="reason"/>.</summary>
    public void AddRange(int first, int count, string reason)
    {
        if (count <= 0)
        {
            return;
        }

        reason = Short(reason);
        Total += (uint)count;
        for (var i = first; i < first + Math.Min(count, MaxSample - _sample.Count); i++)
        {
            _sample.Add(new Proto.Rejection { Index = (uint)i, Reason = reason });
        }

        var key = Page().Replace(reason, "page");
        var g = _groups.FindIndex(x => x.Reason == key);
        if (g < 0)
        {
            if (_groups.Count >= MaxGroups - 1)
            {
                key = OtherReasons;
                g = _groups.FindIndex(x => x.Reason == key);
            }

            if (g < 0)
            {
                _groups.Add((key, 0, []));
                g = _groups.Count - 1;
            }
        }

        var (r, c, indices) = _groups[g];
        var room = MaxGroupIndices - indices.Count;
        for (var i = first; i < first + Math.Min(count, Math.Max(room, 0)); i++)
        {
            indices.Add((uint)i);
        }

        _groups[g] = (r, c + (uint)count, indices);
    }

    /// <summary>One log line per reason.</summary>
    public IEnumerable<string> Lines() =>
        _groups.Select(g => $"{g.Count} x {g.Reason} (first items: {string.Join(", ", g.Indices)})");

    /// <summary>The wire form, for the next event's <c>previous_reply</c>.</summary>
    public Proto.ReplyOutcome ToProto(ulong replyTo)
    {
        var msg = new Proto.ReplyOutcome { ReplyTo = replyTo, Applied = Applied, Rejected = Total };
        msg.Rejections.AddRange(_sample);
        foreach (var (reason, count, indices) in _groups)
        {
            var group = new Proto.RejectionGroup { Reason = reason, Count = count };
            group.FirstIndices.AddRange(indices);
            msg.Groups.Add(group);
        }

        return msg;
    }

    private static string Short(string reason)
    {
        var line = string.Join(' ', reason.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
        return line.Length > MaxReasonChars ? line[..(MaxReasonChars - 3)] + "..." : line;
    }
}
