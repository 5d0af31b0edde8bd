namespace DeepMem.Core;

/// <summary>Counters of one node over an interval (an epoch or a whole run).</summary>
public sealed record NodeStats(
    int Node,
    ulong Reads,
    ulong Writes,
    ulong BytesRead,
    ulong BytesWritten,
    double AvgReadLatencyNs,
    ulong ResidentPages,
    ulong FreePages)
{
    /// <summary>Reads plus writes.</summary>
    public ulong Accesses => Reads + Writes;
}
