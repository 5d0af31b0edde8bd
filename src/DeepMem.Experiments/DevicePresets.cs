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
    /// <remarks><see cref="Channels"/>: the controllers gem5 gives the node by default, interleaved every 256 B; <see cref="BandwidthGBps"/> is over all of them.</remarks>
    public sealed record Preset(string Name, DeviceKind Kind, string Gem5Interface, double ReadLatencyNs, double WriteLatencyNs, double BandwidthGBps, double ExtraLatencyNs, string Summary, int Channels = 1);

    /// <summary>Channel counts gem5's side accepts for a node.</summary>
    public static IReadOnlyList<int> ChannelCounts { get; } = [1, 2, 4, 8, 16];

    /// <summary>All presets by name.</summary>
    public static IReadOnlyList<Preset> All { get; } =
    [
        new("ddr4", DeviceKind.Dram, "DDR4_2400_8x8", 28.3, 28.3, 19.2, 0, "DDR4-2400 x64: 19.2 GB/s, tRCD + tCL = 28 ns"),
        new("nvm", DeviceKind.Nvm, "NVM_2400_1x64", 150, 500, 2.3, 0, "gem5 NVM_2400_1x64 (tREAD 150ns, tWRITE 500ns); copies at ~2.3 GB/s (Optane-like write bandwidth)"),
        new("hbm", DeviceKind.Hbm, "HBM_1000_4H_1x128", 28, 28, 128, 0, "one HBM gen1 stack: 8 pseudo channels of 1000 MT/s x 128 bit, interleaved every 256 B = 128 GB/s", Channels: 8),
        new("cxl", DeviceKind.Cxl, "DDR4_2400_8x8", 28.3, 28.3, 16, 70, "DDR4-2400 behind a link adding 70 ns per round trip (CXL.mem-like)"),
        new("custom", DeviceKind.Dram, "DDR4_2400_8x8", 0, 0, 0, 0, "explicit parameters; needs kind, read_latency, write_latency, bandwidth"),
    ];

    /// <summary>Preset names, for messages.</summary>
    public static IEnumerable<string> Names => All.Select(p => p.Name);

    /// <summary>Finds a preset by name; null when unknown.</summary>
    public static Preset? Find(string name) => All.FirstOrDefault(p => p.Name == name);
}
