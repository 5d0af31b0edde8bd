using YamlDotNet.RepresentationModel;

namespace DeepMem.Experiments;

/// <summary>
/// Reads one YAML mapping, remembering which keys were read so that the
/// rest can be reported as unknown (with a "did you mean" hint).
/// Every problem goes to the shared <see cref="ProblemSink"/>.
/// </summary>
internal sealed class YamlMap
{
    private readonly HashSet<string> _read = [];

    public YamlMap(YamlMappingNode node, string path, ProblemSink sink)
    {
        Node = node;
        Path = path;
        Sink = sink;
    }

    public YamlMappingNode Node { get; }

    public string Path { get; }

    public ProblemSink Sink { get; }

    public string Sub(string key) => Path.Length == 0 ? key : Path + "." + key;

    /// <summary>The value node of a key, or null (with an error when required).</summary>
    public YamlNode? Get(string key, bool required = false)
    {
        _read.Add(key);
        foreach (var (k, v) in Node.Children)
        {
            if (k is YamlScalarNode s && s.Value == key)
            {
                return v;
            }
        }

        if (required)
        {
            Sink.Error(Node, Path, null, $"missing required key '{key}'");
        }

        return null;
    }

    /// <summary>A scalar value, or null (with an error when it is not a scalar or is missing but required).</summary>
    public string? Scalar(string key, bool required = false, string? expected = null)
    {
        var node = Get(key, required);
        if (node is null)
        {
            return null;
        }

        if (node is YamlScalarNode s && s.Value is not null && !(s.Value.Length == 0 && s.Style == YamlDotNet.Core.ScalarStyle.Plain))
        {
            return s.Value;
        }

        Sink.Error(node, Sub(key), null, $"expected {expected ?? "a value"}, got {Describe(node)}");
        return null;
    }

    /// <summary>A nested mapping, or null.</summary>
    public YamlMap? Map(string key, bool required = false)
    {
        var node = Get(key, required);
        switch (node)
        {
            case null:
                return null;
            case YamlMappingNode m:
                return new YamlMap(m, Sub(key), Sink);
            default:
                Sink.Error(node, Sub(key), null, $"expected a mapping (key: value lines), got {Describe(node)}");
                return null;
        }
    }

    /// <summary>A sequence, or null.</summary>
    public YamlSequenceNode? Seq(string key, bool required = false)
    {
        var node = Get(key, required);
        switch (node)
        {
            case null:
                return null;
            case YamlSequenceNode s:
                return s;
            default:
                Sink.Error(node, Sub(key), null, $"expected a list, got {Describe(node)}");
                return null;
        }
    }

    /// <summary>Reports every key that was never read as unknown.</summary>
    public void RejectUnknown(IReadOnlyCollection<string>? allowed = null)
    {
        var known = allowed ?? _read;
        foreach (var (k, _) in Node.Children)
        {
            var name = (k as YamlScalarNode)?.Value ?? "?";
            if (known.Contains(name))
            {
                continue;
            }

            var hint = Policies.Suggest.Closest(name, known);
            Sink.Error(k, Sub(name), name,
                $"unknown key '{name}'{(hint is null ? "" : $" (did you mean '{hint}'?)")}; allowed here: {string.Join(", ", known.Order())}");
        }
    }

    public static string Describe(YamlNode node) => node switch
    {
        YamlMappingNode => "a mapping",
        YamlSequenceNode => "a list",
        YamlScalarNode { Value: null or "" } => "nothing",
        YamlScalarNode s => $"'{s.Value}'",
        _ => "something else",
    };
}
