using DeepMem.Core;

namespace DeepMem.Experiments;

/// <summary>
/// Device presets: nominal parameters of the gem5 memory interfaces the
/// gem5 side instantiates for each preset. Policies use them to weigh nodes;
/// gem5 itself times every access from the real interface model.
/// </summary>
public static class DevicePresets
{
    /// <summary>One preset.</summary>
    public sealed record Preset(string Name, DeviceKind Kind, string Gem5Interface, double ReadLatencyNs, double WriteLatencyNs, double BandwidthGBps, double ExtraLatencyNs, string Summary);

    /// <summary>All presets by name.</summary>
    public static IReadOnlyList<Preset> All { get; } =
    [
        new("ddr4", DeviceKind.Dram, "DDR4_2400_8x8", 50, 50, 19.2, 0, "DDR4-2400, one 64-bit channel"),
        new("nvm", DeviceKind.Nvm, "NVM_2400_1x64", 150, 500, 19.2, 0, "gem5 NVM_2400_1x64 (tREAD 150ns, tWRITE 500ns)"),
        new("hbm", DeviceKind.Hbm, "HBM_1000_4H_1x128", 40, 40, 16, 0, "HBM 1000MHz 4-high, one 128-bit pseudo channel"),
        new("cxl", DeviceKind.Cxl, "DDR4_2400_8x8", 50, 50, 19.2, 100, "DDR4-2400 behind an added 100ns link latency (CXL.mem-like)"),
        new("custom", DeviceKind.Dram, "DDR4_2400_8x8", 0, 0, 0, 0, "explicit parameters; needs kind, read_latency, write_latency, bandwidth"),
    ];

    /// <summary>Preset names, for messages.</summary>
    public static IEnumerable<string> Names => All.Select(p => p.Name);

    /// <summary>Finds a preset by name; null when unknown.</summary>
    public static Preset? Find(string name) => All.FirstOrDefault(p => p.Name == name);
}
