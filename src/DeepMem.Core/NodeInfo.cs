namespace DeepMem.Core;

/// <summary>One memory device, seen by the program as one NUMA node.</summary>
/// <param name="Id">Node id (0..N-1, ordered by physical start address).</param>
/// <param name="Name">Name from the experiment file, e.g. "dram".</param>
/// <param name="Kind">Device kind.</param>
/// <param name="BaseAddress">Physical start address of the node's range.</param>
/// <param name="CapacityBytes">Capacity of the node in bytes.</param>
/// <param name="ReadLatencyNs">Nominal unloaded read latency.</param>
/// <param name="WriteLatencyNs">Nominal unloaded write latency.</param>
/// <param name="BandwidthGBps">Nominal peak bandwidth in GB/s (10^9 bytes/s).</param>
public sealed record NodeInfo(
    int Id,
    string Name,
    DeviceKind Kind,
    ulong BaseAddress,
    ulong CapacityBytes,
    double ReadLatencyNs,
    double WriteLatencyNs,
    double BandwidthGBps)
{
    /// <summary>Number of pages of <paramref name="pageSize"/> bytes the node holds.</summary>
    public ulong CapacityPages(ulong pageSize) => CapacityBytes / pageSize;
}
