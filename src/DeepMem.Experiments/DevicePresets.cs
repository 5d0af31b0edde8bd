using System.Text.Json;
using DeepMem.Core;

namespace DeepMem.Experiments;

/// <summary>
/// Device presets: nominal parameters of the gem5 memory interfaces the
/// gem5 side instantiates for each preset. Policies use them to weigh nodes;
/// gem5 itself times every access from the real interface model. The table
/// is gem5-patches/python/deepmem/device_presets.json, which the gem5 side
/// reads too (deepmem/config.py); this assembly embeds it. Only "custom"
/// (explicit numbers in the YAML) is added here.
/// </summary>
public static class DevicePresets
{
    /// <summary>One preset.</summary>
    /// <remarks><see cref="Channels"/>: the controllers gem5 gives the node by default, interleaved every 256 B; <see cref="BandwidthGBps"/> is over all of them.</remarks>
    public sealed record Preset(string Name, DeviceKind Kind, string Gem5Interface, double ReadLatencyNs, double WriteLatencyNs, double BandwidthGBps, double ExtraLatencyNs, string Summary, int Channels = 1);

    /// <summary>Name of the embedded preset table.</summary>
    public const string ResourceName = "DeepMem.Experiments.device_presets.json";

    private static readonly (IReadOnlyList<Preset> Presets, IReadOnlyList<int> Channels) Table = Load();

    /// <summary>Channel counts gem5's side accepts for a node.</summary>
    public static IReadOnlyList<int> ChannelCounts => Table.Channels;

    /// <summary>All presets by name.</summary>
    public static IReadOnlyList<Preset> All => Table.Presets;

    /// <summary>Preset names, for messages.</summary>
    public static IEnumerable<string> Names => All.Select(p => p.Name);

    /// <summary>Finds a preset by name; null when unknown.</summary>
    public static Preset? Find(string name) => All.FirstOrDefault(p => p.Name == name);

    /// <summary>Reads a preset table (the format of device_presets.json) and adds "custom".</summary>
    public static (IReadOnlyList<Preset> Presets, IReadOnlyList<int> Channels) Parse(Stream json)
    {
        using var doc = JsonDocument.Parse(json);
        var root = doc.RootElement;
        var presets = root.GetProperty("presets").EnumerateArray().Select(p => new Preset(
            p.GetProperty("name").GetString()!,
            Enum.Parse<DeviceKind>(p.GetProperty("kind").GetString()!, ignoreCase: true),
            p.GetProperty("interface").GetString()!,
            p.GetProperty("read_latency_ns").GetDouble(),
            p.GetProperty("write_latency_ns").GetDouble(),
            p.GetProperty("bandwidth_gbps").GetDouble(),
            p.GetProperty("added_latency_ns").GetDouble(),
            p.GetProperty("summary").GetString()!,
            p.GetProperty("channels").GetInt32())).ToList();
        presets.Add(new("custom", DeviceKind.Dram, "DDR4_2400_8x8", 0, 0, 0, 0, "explicit parameters; needs kind, read_latency, write_latency, bandwidth"));
        var channels = root.GetProperty("channel_counts").EnumerateArray().Select(c => c.GetInt32()).ToList();
        return (presets, channels);
    }

    private static (IReadOnlyList<Preset>, IReadOnlyList<int>) Load()
    {
        using var stream = typeof(DevicePresets).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"the preset table {ResourceName} is not embedded in {typeof(DevicePresets).Assembly.GetName().Name}");
        return Parse(stream);
    }
}
