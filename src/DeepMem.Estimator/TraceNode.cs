namespace DeepMem.Estimator;

/// <summary>One memory node as recorded in a window trace header.</summary>
/// <param name="Id">Node id (0..N-1).</param>
/// <param name="Name">Node name from the experiment, e.g. "dram".</param>
/// <param name="Kind">Device kind as written by gem5 ("dram", "nvm", "hbm", "cxl").</param>
/// <param name="CapacityBytes">Capacity of the node in bytes.</param>
public sealed record TraceNode(int Id, string Name, string Kind, ulong CapacityBytes)
{
    /// <summary>Peak bandwidth of the node in GB/s as the header gives it (<c>bandwidth_gbps</c>); 0 when the header has none.</summary>
    public double BandwidthGbps { get; init; }
}
