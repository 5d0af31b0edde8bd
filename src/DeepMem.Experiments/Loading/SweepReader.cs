using System.Globalization;
using System.Text.RegularExpressions;
using DeepMem.Core;
using YamlDotNet.RepresentationModel;

namespace DeepMem.Experiments.Loading;

/// <summary>
/// The <c>sweep:</c> section (and <c>sweep_limit</c>): its size is checked
/// before it is expanded into points, each point a list of key-path
/// overrides applied to a fresh copy of the file's tree.
/// </summary>
internal static partial class SweepReader
{
    [GeneratedRegex(@"^([A-Za-z_][A-Za-z0-9_]*)(\[(\d+)\])?$")]
    private static partial Regex PathSegment();

    /// <summary>
    /// Counts the sweep's points before expanding it: over the limit
    /// (<see cref="ExperimentLoader.DefaultSweepLimit"/> or the file's <c>sweep_limit</c>) is
    /// an error naming both, so a typo cannot take minutes and gigabytes.
    /// </summary>
    public static bool SizeOk(YamlMappingNode rootNode, ProblemSink sink)
    {
        var root = new YamlMap(rootNode, "", sink);
        var limit = ExperimentLoader.DefaultSweepLimit;
        if (root.Scalar("sweep_limit", expected: Units.CountHelp) is { } text)
        {
            if (!Units.TryParseCount(text, out var parsed) || parsed == 0 || parsed > int.MaxValue)
            {
                sink.Error(root.Get("sweep_limit")!, "sweep_limit", text,
                    $"'{text}' is not a valid sweep limit: expected a number of points from 1 to {int.MaxValue:N0}, {Units.CountHelp}");
                return false;
            }

            limit = (long)parsed;
        }

        if (root.Get("sweep") is not YamlMappingNode sweep)
        {
            return true;
        }

        var sizes = sweep.Children.Values.OfType<YamlSequenceNode>().Select(q => (long)Math.Max(1, q.Children.Count)).ToList();
        var points = sizes.Aggregate(1.0, (a, b) => a * b);
        if (points <= limit)
        {
            return true;
        }

        var inv = System.Globalization.CultureInfo.InvariantCulture;
        var product = string.Join(" x ", sizes.Select(n => n.ToString("N0", inv)));
        sink.Error(rootNode.Children.Keys.First(k => k is YamlScalarNode { Value: "sweep" }), "sweep", null, string.Create(inv,
            $"the sweep has {(points < 1e15 ? ((long)points).ToString("N0", inv) : points.ToString("E2", inv))} points ({product}), over the limit of {limit:N0}; shorten the lists, or set 'sweep_limit' higher if you mean it"));
        return false;
    }

    public static List<List<(string Key, YamlNode KeyNode, YamlNode Value)>> Expand(YamlMappingNode root, ProblemSink sink)
    {
        var result = new List<List<(string, YamlNode, YamlNode)>> { new() };
        var map = new YamlMap(root, "", sink);
        var sweep = map.Map("sweep");
        if (sweep is null)
        {
            return result;
        }

        foreach (var (k, v) in sweep.Node.Children)
        {
            var key = (k as YamlScalarNode)?.Value ?? "";
            if (key == "sweep" || key.StartsWith("sweep.", StringComparison.Ordinal) || key == "name")
            {
                sink.Error(k, "sweep." + key, key, "cannot sweep 'name' or 'sweep' itself");
                continue;
            }

            if (v is not YamlSequenceNode seq || seq.Children.Count == 0)
            {
                sink.Error(v, "sweep." + key, null, $"expected a non-empty list of values to try, got {YamlMap.Describe(v)}");
                continue;
            }

            var next = new List<List<(string, YamlNode, YamlNode)>>();
            foreach (var point in result)
            {
                foreach (var value in seq.Children)
                {
                    next.Add([.. point, (key, k, value)]);
                }
            }

            result = next;
        }

        return result;
    }

    public static bool Override(YamlMappingNode root, string path, YamlNode keyNode, YamlNode value, ProblemSink sink)
    {
        var segments = path.Split('.');
        YamlNode current = root;
        for (var i = 0; i < segments.Length; i++)
        {
            var m = PathSegment().Match(segments[i]);
            if (!m.Success || current is not YamlMappingNode map)
            {
                sink.Error(keyNode, "sweep." + path, path, "not a key path; write it like 'policy.name' or 'memory.nodes[0].capacity'");
                return false;
            }

            var name = m.Groups[1].Value;
            var last = i == segments.Length - 1;
            var key = new YamlScalarNode(name);
            sink.MadeAt(key, keyNode);
            if (!map.Children.TryGetValue(key, out var child))
            {
                if (last && !m.Groups[2].Success)
                {
                    map.Children[key] = value;
                    return true;
                }

                if (!m.Groups[2].Success)
                {
                    child = new YamlMappingNode();
                    sink.MadeAt(child, keyNode);
                    map.Children[key] = child;
                }
                else
                {
                    sink.Error(keyNode, "sweep." + path, path, $"'{string.Join('.', segments[..(i + 1)])}' is not in the file, so its items cannot be swept");
                    return false;
                }
            }

            if (m.Groups[2].Success)
            {
                var index = int.Parse(m.Groups[3].Value, CultureInfo.InvariantCulture);
                if (child is not YamlSequenceNode seq || index >= seq.Children.Count)
                {
                    sink.Error(keyNode, "sweep." + path, path,
                        $"'{name}[{index}]' does not exist (the list has {(child as YamlSequenceNode)?.Children.Count ?? 0} items)");
                    return false;
                }

                if (last)
                {
                    seq.Children[index] = value;
                    return true;
                }

                current = seq.Children[index];
            }
            else if (last)
            {
                map.Children[key] = value;
                return true;
            }
            else
            {
                current = child;
            }
        }

        return true;
    }

    public static string Compact(YamlNode node) => node switch
    {
        YamlScalarNode s => s.Value ?? "",
        YamlMappingNode m when m.Children.TryGetValue(new YamlScalarNode("name"), out var name) =>
            Compact(name) + (m.Children.Count > 1
                ? "(" + string.Join(",", m.Children.Where(kv => Compact(kv.Key) != "name").Select(kv => kv.Value is YamlMappingNode inner
                    ? string.Join(",", inner.Children.Select(x => Compact(x.Key) + "=" + Compact(x.Value)))
                    : Compact(kv.Key) + "=" + Compact(kv.Value))) + ")"
                : ""),
        YamlSequenceNode q => "[" + string.Join(",", q.Children.Select(Compact)) + "]",
        YamlMappingNode m => "{" + string.Join(",", m.Children.Select(kv => Compact(kv.Key) + "=" + Compact(kv.Value))) + "}",
        _ => "?",
    };
}
