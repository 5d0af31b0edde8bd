using System.Text.Json;
using DeepMem.Bridge;
using DeepMem.Core;
using DeepMem.Experiments;

namespace DeepMem.Tests.Contracts;

/// <summary>
/// The device preset table is one file
/// (gem5-patches/python/deepmem/device_presets.json): the gem5 side's
/// deepmem.config, loaded under /usr/bin/python3, and the C#
/// <see cref="DevicePresets"/> must describe the same devices.
/// </summary>
public class DevicePresetContractTests
{
    private const string Dump = """
        import json
        from deepmem import config as c
        print(json.dumps({
            "presets": [dict(name=n, kind=p.kind, interface=p.interface,
                             bandwidth_gbps=p.bandwidth_gbps,
                             added_latency_ns=p.added_latency_ns,
                             read_latency_ns=p.read_latency_ns,
                             write_latency_ns=p.write_latency_ns,
                             channels=p.channels)
                        for n, p in c.PRESETS.items()],
            "channel_counts": list(c.CHANNEL_COUNTS)}))
        """;

    [Fact]
    public void The_gem5_side_and_the_CSharp_side_read_the_same_presets()
    {
        var py = JsonDocument.Parse(PythonSide.Run(["-c", Dump])).RootElement;
        var gem5 = py.GetProperty("presets").EnumerateArray().ToList();
        var cs = DevicePresets.All.Where(p => p.Name != "custom").ToList();

        Assert.Equal(gem5.Select(p => p.GetProperty("name").GetString()), cs.Select(p => p.Name));
        foreach (var (g, c) in gem5.Zip(cs))
        {
            Assert.Equal(g.GetProperty("kind").GetString(), c.Kind.ToString().ToLowerInvariant());
            Assert.Equal(g.GetProperty("interface").GetString(), c.Gem5Interface);
            Assert.Equal(g.GetProperty("bandwidth_gbps").GetDouble(), c.BandwidthGBps);
            Assert.Equal(g.GetProperty("added_latency_ns").GetDouble(), c.ExtraLatencyNs);
            // gem5's side counts the link into the latencies; the C# side keeps it apart.
            Assert.Equal(g.GetProperty("read_latency_ns").GetDouble(), c.ReadLatencyNs + c.ExtraLatencyNs, 9);
            Assert.Equal(g.GetProperty("write_latency_ns").GetDouble(), c.WriteLatencyNs + c.ExtraLatencyNs, 9);
            Assert.Equal(g.GetProperty("channels").GetInt32(), c.Channels);
        }

        Assert.Equal(py.GetProperty("channel_counts").EnumerateArray().Select(e => e.GetInt32()), DevicePresets.ChannelCounts);
    }

    [Fact]
    public void The_embedded_table_is_the_file_in_the_python_package()
    {
        using var file = File.OpenRead(Path.Combine(PythonSide.PackagePath, "deepmem", "device_presets.json"));
        var (presets, channels) = DevicePresets.Parse(file);
        Assert.Equal(presets, DevicePresets.All);
        Assert.Equal(channels, DevicePresets.ChannelCounts);
    }

    [Theory]
    [InlineData(DeviceKind.Dram)]
    [InlineData(DeviceKind.Nvm)]
    [InlineData(DeviceKind.Hbm)]
    [InlineData(DeviceKind.Cxl)]
    public void A_custom_node_goes_to_gem5_as_a_preset_of_its_kind(DeviceKind kind)
    {
        var name = Gem5CommandLine.Gem5Preset(new NodeSpec("n", "custom", kind, 1 << 20, 1, 1, 1, 0));
        var preset = DevicePresets.Find(name);
        Assert.NotNull(preset);
        Assert.Equal(kind, preset.Kind);
    }
}
