using DeepMem.Core;
using YamlDotNet.RepresentationModel;

namespace DeepMem.Experiments;

/// <summary>
/// Reads one YAML mapping, remembering which keys were read so that the
/// rest can be reported as unknown (with a "did you mean" hint): a section
/// reader's known keys are the keys it reads, never a list kept beside it.
/// Every problem goes to the shared <see cref="ProblemSink"/>.
/// </summary>
internal sealed class YamlMap
{
    private readonly List<string> _read = [];

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

    /// <summary>The keys read so far, in the order first read.</summary>
    public IReadOnlyList<string> ReadKeys => _read;

    /// <summary>The value node of a key, or null (with an error when required).</summary>
    public YamlNode? Get(string key, bool required = false)
    {
        if (!_read.Contains(key))
        {
            _read.Add(key);
        }
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

    /// <summary>
    /// One of <paramref name="allowed"/>, or null (absent, or not allowed:
    /// an error naming the allowed values and the closest one).
    /// </summary>
    public string? Choice(string key, IReadOnlyList<string> allowed)
    {
        var value = Scalar(key, expected: "one of " + string.Join(", ", allowed));
        if (value is null)
        {
            return null;
        }

        if (allowed.Contains(value))
        {
            return value;
        }

        var hint = Policies.Suggest.Closest(value, allowed);
        Sink.Error(Get(key)!, Sub(key), value,
            $"'{value}' is not allowed{(hint is null ? "" : $" (did you mean '{hint}'?)")}; allowed: {string.Join(", ", allowed)}");
        return null;
    }

    /// <summary>A true/false choice: null when absent or not allowed (reported).</summary>
    public bool? Flag(string key) => Choice(key, ["true", "false"]) is { } v ? v == "true" : null;

    /// <summary>
    /// A duration in nanoseconds, or <paramref name="fallback"/> when absent;
    /// a value that is not a duration, or is under <paramref name="minNs"/>,
    /// is reported (<paramref name="rule"/> is appended to the message) and
    /// gives the fallback.
    /// </summary>
    public double? DurationNs(string key, double? fallback, double minNs = double.NegativeInfinity, string rule = "")
    {
        var text = Scalar(key, expected: Units.DurationHelp);
        if (text is null)
        {
            return fallback;
        }

        if (Units.TryParseDurationNs(text, out var ns) && ns >= minNs)
        {
            return ns;
        }

        Sink.Error(Get(key)!, Sub(key), text, $"'{text}' is not {Units.DurationHelp}{rule}");
        return fallback;
    }

    /// <summary>Reports every key of the mapping that no reader read as unknown, naming the keys that were read.</summary>
    public void RejectUnknown()
    {
        var known = _read;
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
