using System.Globalization;
using System.Text.RegularExpressions;
using DeepMem.Core;
using YamlDotNet.RepresentationModel;

namespace DeepMem.Experiments.Loading;

/// <summary>The <c>memory:</c> section: the NUMA nodes, each a device preset with overrides.</summary>
internal static partial class MemoryReader
{
    [GeneratedRegex(@"^[A-Za-z_][A-Za-z0-9_]*$")]
    private static partial Regex NodeName();

    /// <summary>The nodes, or null when the section is missing or a node is bad (reported).</summary>
    public static List<NodeSpec>? Read(YamlMap root)
    {
        var sink = root.Sink;
        var memory = root.Map("memory", required: true);
        if (memory is null)
        {
            return null;
        }

        var seq = memory.Seq("nodes", required: true);
        memory.RejectUnknown();
        if (seq is null)
        {
            return null;
        }

        if (seq.Children.Count == 0)
        {
            sink.Error(seq, memory.Sub("nodes"), null, "at least one node is needed (two or more for placement to matter)");
            return null;
        }

        if (seq.Children.Count > ExperimentLoader.MaxNodes)
        {
            sink.Error(seq, memory.Sub("nodes"), null, $"at most {ExperimentLoader.MaxNodes} nodes are supported (was {seq.Children.Count})");
            return null;
        }

        var nodes = new List<NodeSpec>();
        var names = new HashSet<string>();
        for (var i = 0; i < seq.Children.Count; i++)
        {
            var path = $"{memory.Sub("nodes")}[{i}]";
            if (seq.Children[i] is not YamlMappingNode m)
            {
                sink.Error(seq.Children[i], path, null, $"expected a node mapping (name, preset, capacity), got {YamlMap.Describe(seq.Children[i])}");
                continue;
            }

            if (Node(new YamlMap(m, path, sink), names) is { } node)
            {
                nodes.Add(node);
            }
        }

        return nodes.Count == seq.Children.Count ? nodes : null;
    }

    private static NodeSpec? Node(YamlMap n, HashSet<string> names)
    {
        var sink = n.Sink;
        var name = n.Scalar("name", required: true, expected: "a node name");
        if (name is not null && !NodeName().IsMatch(name))
        {
            sink.Error(n.Get("name")!, n.Sub("name"), name, $"node name '{name}' must be an identifier: letters, digits and '_', not starting with a digit");
        }
        else if (name is not null && !names.Add(name))
        {
            sink.Error(n.Get("name")!, n.Sub("name"), name, $"node name '{name}' is used twice; node names must be unique");
        }

        var presetName = n.Choice("preset", DevicePresets.Names.ToList());
        if (n.Get("preset") is null)
        {
            sink.Error(n.Node, n.Path, null, $"missing required key 'preset'; allowed: {string.Join(", ", DevicePresets.Names)}");
        }

        var preset = presetName is null ? null : DevicePresets.Find(presetName);
        ulong capacity = 0;
        var capText = n.Scalar("capacity", required: true, expected: Units.SizeHelp);
        if (capText is not null)
        {
            if (!Units.TryParseSize(capText, out capacity) || capacity == 0)
            {
                sink.Error(n.Get("capacity")!, n.Sub("capacity"), capText, $"'{capText}' is not a valid capacity: expected {Units.SizeHelp}, greater than zero");
            }
            else if (capacity % (1024 * 1024) != 0)
            {
                sink.Error(n.Get("capacity")!, n.Sub("capacity"), capText, $"capacity must be a whole number of MiB (was {capacity} bytes), as gem5 builds one address range per node");
            }
        }

        var kind = preset?.Kind ?? DeviceKind.Dram;
        var kindText = n.Choice("kind", ["dram", "nvm", "hbm", "cxl"]);
        if (kindText is not null)
        {
            kind = Enum.Parse<DeviceKind>(kindText, ignoreCase: true);
        }

        var read = n.DurationNs("read_latency", preset?.ReadLatencyNs);
        var write = n.DurationNs("write_latency", preset?.WriteLatencyNs);
        var extra = n.DurationNs("extra_latency", preset?.ExtraLatencyNs) ?? 0;
        double? bandwidth = preset?.BandwidthGBps;
        var bwText = n.Scalar("bandwidth", expected: Units.BandwidthHelp);
        if (bwText is not null)
        {
            if (Units.TryParseBandwidth(bwText, out var bps) && bps > 0)
            {
                bandwidth = bps / 1e9;
            }
            else
            {
                sink.Error(n.Get("bandwidth")!, n.Sub("bandwidth"), bwText, $"'{bwText}' is not {Units.BandwidthHelp}, greater than zero");
            }
        }

        var channels = 0;
        var channelText = n.Scalar("channels", expected: "one of " + string.Join(", ", DevicePresets.ChannelCounts));
        if (channelText is not null)
        {
            if (int.TryParse(channelText, NumberStyles.None, CultureInfo.InvariantCulture, out var c) && DevicePresets.ChannelCounts.Contains(c))
            {
                channels = c;
                if (bwText is null && preset is not null && presetName != "custom")
                {
                    // The preset's bandwidth is over its own channel count.
                    bandwidth = preset.BandwidthGBps * c / preset.Channels;
                }
            }
            else
            {
                sink.Error(n.Get("channels")!, n.Sub("channels"), channelText, $"'{channelText}' is not a channel count gem5 builds; allowed: {string.Join(", ", DevicePresets.ChannelCounts)}");
            }
        }

        if (presetName == "custom")
        {
            foreach (var (key, given) in new[] { ("kind", kindText is not null), ("read_latency", n.Get("read_latency") is not null), ("write_latency", n.Get("write_latency") is not null), ("bandwidth", bwText is not null) })
            {
                if (!given)
                {
                    sink.Error(n.Node, n.Path, null, $"preset 'custom' needs '{key}'");
                }
            }
        }

        n.RejectUnknown();
        return name is not null && preset is not null
            ? new NodeSpec(name, preset.Name, kind, capacity, read ?? 0, write ?? 0, bandwidth ?? 0, extra, channels)
            : null;
    }
}
