namespace DeepMem.Core;

/// <summary>One memory device of an experiment.</summary>
/// <param name="Name">Node name, unique in the experiment.</param>
/// <param name="Preset">Device preset (ddr4, nvm, hbm, cxl) or "custom".</param>
/// <param name="Kind">Device kind.</param>
/// <param name="CapacityBytes">Capacity in bytes (a whole number of pages).</param>
/// <param name="ReadLatencyNs">Unloaded read latency of the device.</param>
/// <param name="WriteLatencyNs">Unloaded write latency of the device.</param>
/// <param name="BandwidthGBps">Peak bandwidth in GB/s.</param>
/// <param name="ExtraLatencyNs">Added link latency (CXL-like), each way summed.</param>
/// <param name="Channels">Controllers gem5 interleaves the node over (every 256 B); 0 leaves the preset's count (8 for hbm, else 1).</param>
public sealed record NodeSpec(
    string Name,
    string Preset,
    DeviceKind Kind,
    ulong CapacityBytes,
    double ReadLatencyNs,
    double WriteLatencyNs,
    double BandwidthGBps,
    double ExtraLatencyNs,
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingDefault)]
    int Channels = 0);
