namespace DeepMem.Core.Tiering;

/// <summary>
/// What a tiering policy knows about one page: where it is and how it was
/// used. <see cref="PageTracker"/> keeps the node and the recency fields; the
/// policy owns <see cref="Reads"/>, <see cref="Writes"/> and <see cref="Heat"/>.
/// </summary>
public sealed class PageState(ulong page, int node)
{
    /// <summary>Virtual page number.</summary>
    public ulong Page { get; } = page;

    /// <summary>Node the page is on (after the migrations the policy issued).</summary>
    public int Node { get; internal set; } = node;

    /// <summary>Reads in the latest epoch (0 when the page was not touched in it).</summary>
    public uint EpochReads { get; internal set; }

    /// <summary>Writes in the latest epoch (0 when the page was not touched in it).</summary>
    public uint EpochWrites { get; internal set; }

    /// <summary>Epoch of the latest touch.</summary>
    public ulong LastTouchEpoch { get; internal set; }

    /// <summary>Epoch of the touch before the latest one; null when touched once.</summary>
    public ulong? PreviousTouchEpoch { get; internal set; }

    /// <summary>Simulated time (the report's end tick) of the epoch of the latest touch.</summary>
    public ulong LastTouchTick { get; internal set; }

    /// <summary>Simulated time (the report's start tick) of the epoch of the latest touch.</summary>
    public ulong LastTouchStartTick { get; internal set; }

    /// <summary>
    /// Simulated ticks between the end of the epoch of the previous touch and
    /// the start of the epoch of the latest one (0 for touches in consecutive
    /// epochs): the longest the page can have gone untouched, as far as epochs
    /// tell; null when touched once.
    /// </summary>
    public ulong? UntouchedTicks => PreviousTouchTick is { } before ? (LastTouchStartTick > before ? LastTouchStartTick - before : 0) : null;

    /// <summary>Simulated time (end tick) of the epoch of the touch before the latest one; null when touched once.</summary>
    public ulong? PreviousTouchTick { get; internal set; }

    /// <summary>Epochs in which the page was touched.</summary>
    public ulong Touches { get; internal set; }

    /// <summary>A read counter the policy maintains (e.g. sampled, cooled).</summary>
    public double Reads { get; set; }

    /// <summary>A write counter the policy maintains.</summary>
    public double Writes { get; set; }

    /// <summary>A hotness score the policy maintains.</summary>
    public double Heat { get; set; }

    /// <summary>Reads plus writes of the latest epoch.</summary>
    public uint EpochAccesses => EpochReads + EpochWrites;
}
