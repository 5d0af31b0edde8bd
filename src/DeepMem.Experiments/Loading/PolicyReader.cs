using DeepMem.Core;
using DeepMem.Policies;
using YamlDotNet.RepresentationModel;

namespace DeepMem.Experiments.Loading;

/// <summary>
/// The <c>policy:</c> section: a built-in policy by name or a plug-in by
/// assembly and type, its options (checked against its options class) and
/// the deadline of one policy call.
/// </summary>
internal static class PolicyReader
{
    /// <summary>The policy (first-touch when the section is absent), or null when it is bad (reported).</summary>
    public static PolicySpec? Read(YamlMap root, string baseDir, out TimeSpan deadline)
    {
        var sink = root.Sink;
        deadline = PolicyCallGuard.DefaultDeadline;
        var timeScale = TimeScale(root);
        var map = root.Map("policy");
        if (map is null)
        {
            return root.Get("policy") is null ? new PolicySpec { Name = DefaultPolicies.FirstTouch.Name, TimeScale = timeScale } : null;
        }

        var name = map.Scalar("name", expected: "a built-in policy name");
        var assembly = map.Scalar("assembly", expected: "the path of the plug-in assembly (.dll)");
        var type = map.Scalar("type", expected: "the full name of the policy class");
        deadline = Deadline(map) ?? deadline;
        var (options, optionNodes) = Options(map);
        map.RejectUnknown();
        if (name is not null && (assembly is not null || type is not null))
        {
            sink.Error(map.Node, map.Path, null, "give either 'name' (built-in) or 'assembly' + 'type' (plug-in), not both");
            return null;
        }

        if (name is null && (assembly is null || type is null))
        {
            sink.Error(map.Node, map.Path, null,
                $"give 'name' (one of {string.Join(", ", DefaultPolicies.All.Select(d => d.Name))}) or both 'assembly' and 'type' for a plug-in");
            return null;
        }

        var optionsType = name is not null ? DefaultPolicies.Find(name)?.OptionsType
            : PolicyFactory.ResolvePluginType(Path.GetFullPath(assembly!, baseDir), type!, out _) is { } pluginType ? PolicyFactory.FindOptionsType(pluginType)
            : null;
        foreach (var o in optionsType is null ? [] : OptionsBinder.Describe(optionsType))
        {
            if (o.Property.IsDefined(typeof(PathOptionAttribute), false) && options.TryGetValue(o.Key, out var value)
                && value.Scalar is { Length: > 0 } path)
            {
                options[o.Key] = OptionValue.Of(Path.GetFullPath(path, baseDir));
            }
        }

        var spec = new PolicySpec
        {
            TimeScale = timeScale,
            Name = name,
            Assembly = assembly is null ? null : Path.GetFullPath(assembly, baseDir),
            Type = type,
            Options = options,
        };
        foreach (var (key, message) in PolicyFactory.Check(spec))
        {
            var at = key.Length > 0 && optionNodes.TryGetValue(key, out var node) ? node
                : name is not null ? map.Get("name")! : map.Get(key.Length == 0 ? "type" : "options") ?? map.Node;
            sink.Error(at, key.Length > 0 ? map.Sub("options") + "." + key : map.Sub(name is not null ? "name" : "type"), key, message);
        }

        return spec;
    }

    /// <summary><c>policy.options</c>: each a value or a list of values, with the node of its key for messages.</summary>
    private static (Dictionary<string, OptionValue> Values, Dictionary<string, YamlNode> Nodes) Options(YamlMap map)
    {
        var options = new Dictionary<string, OptionValue>();
        var optionNodes = new Dictionary<string, YamlNode>();
        if (map.Map("options") is not { } opts)
        {
            return (options, optionNodes);
        }

        foreach (var (k, v) in opts.Node.Children)
        {
            var key = (k as YamlScalarNode)?.Value ?? "";
            optionNodes[key] = k;
            switch (v)
            {
                case YamlScalarNode s:
                    options[key] = OptionValue.Of(s.Value ?? "");
                    break;
                case YamlSequenceNode q when q.Children.All(c => c is YamlScalarNode):
                    options[key] = OptionValue.OfList(q.Children.Select(c => ((YamlScalarNode)c).Value ?? "").ToList());
                    break;
                default:
                    map.Sink.Error(v, opts.Sub(key), null, $"expected a value or a list of values, got {YamlMap.Describe(v)}");
                    break;
            }
        }

        return (options, optionNodes);
    }

    /// <summary>What <c>policy_time_scale</c> takes, for messages.</summary>
    public const string TimeScaleHelp = "a number >= 0 that divides every policy period in simulated time (e.g. 100 turns 10ms into 100us; 0 = every period is one epoch, as before periods were in time)";

    /// <summary>
    /// <c>policy_time_scale</c> (top level): the <c>time_scale</c> of every
    /// policy that has the option and does not set it; null when absent or bad (reported).
    /// </summary>
    private static string? TimeScale(YamlMap root)
    {
        var text = root.Scalar("policy_time_scale", expected: TimeScaleHelp);
        if (text is null)
        {
            return null;
        }

        if (double.TryParse(text, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var v) && v >= 0 && double.IsFinite(v))
        {
            return text.Trim();
        }

        root.Sink.Error(root.Get("policy_time_scale")!, "policy_time_scale", text, $"'{text}' is not a valid policy_time_scale: expected {TimeScaleHelp}");
        return null;
    }

    /// <summary>
    /// <c>policy.deadline</c>: the longest host time of one policy call, a
    /// duration from 1 ms to <see cref="PolicyCallGuard.MaxDeadline"/>; null when absent or bad (reported).
    /// </summary>
    private static TimeSpan? Deadline(YamlMap map)
    {
        var text = map.Scalar("deadline", expected: Units.DurationHelp);
        if (text is null)
        {
            return null;
        }

        if (Units.TryParseDurationNs(text, out var ns) && ns >= 1e6 && ns <= PolicyCallGuard.MaxDeadline.Ticks * 100.0)
        {
            return TimeSpan.FromTicks((long)(ns / 100));
        }

        map.Sink.Error(map.Get("deadline")!, map.Sub("deadline"), text,
            $"'{text}' is not a valid policy deadline: expected {Units.DurationHelp}, from 1ms to {PolicyCallGuard.MaxDeadline.TotalSeconds:0}s (default {PolicyCallGuard.DefaultDeadline.TotalSeconds:0}s)");
        return null;
    }
}
