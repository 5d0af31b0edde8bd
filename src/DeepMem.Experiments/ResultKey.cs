using System.Globalization;
using System.Text;
using System.Text.Json;
using DeepMem.Core;
using DeepMem.Policies;

namespace DeepMem.Experiments;

/// <summary>
/// The key a stored result is reused under, the same for <c>run</c>,
/// <c>compare</c> and <c>crosscheck</c>: a digest of every input that can
/// change the answer, each input digested on its own so that a rerun can say
/// which one changed. Files count by content, never by path or date: the
/// workload binary and the gem5 binary, the gem5 config script and
/// gem5-side Python (gem5 backend), the window traces (estimator backend),
/// a plug-in's assembly and every assembly beside it, and every file a
/// policy option names (plans, q-tables). Settings count by value; what only
/// names or places things (experiment name, description, output folder,
/// working folder, paths) does not count.
/// </summary>
/// <param name="Value">Hex digest of all inputs.</param>
/// <param name="Inputs">Digest per input, by input name.</param>
public sealed record ResultKey(string Value, IReadOnlyDictionary<string, string> Inputs)
{
    /// <summary>Bumped when the key's make-up changes; results stored under another version rerun.</summary>
    public const int Version = 2;

    /// <summary>Input name of the settings (machine, CPU, workload arguments, epochs, migration cost, policy, backend).</summary>
    public const string Settings = "settings";

    /// <summary>The key of an experiment point.</summary>
    public static ResultKey Of(Experiment e) => For(e, e.Policy.DisplayName, e.Policy);

    /// <summary>
    /// The key of a run of <paramref name="experiment"/> (its spec, on its
    /// backend) under <paramref name="policy"/>, where <paramref name="decision"/>
    /// names what decides placement (a policy's name, or a static placement
    /// written out). The backend adds its own inputs and settings.
    /// </summary>
    public static ResultKey For(Experiment experiment, string decision, PolicySpec? policy)
    {
        var spec = experiment.Spec;
        var inputs = new SortedDictionary<string, string>(StringComparer.Ordinal);
        var options = new List<string>();
        foreach (var (key, value) in (policy?.Options ?? new Dictionary<string, OptionValue>()).OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            if (value.Scalar is { } s && Path.IsPathRooted(s) && File.Exists(s))
            {
                // A file option counts by its content, not by where it lies.
                options.Add($"{key}=<file>");
                inputs[$"policy file {key}"] = ContentDigest.OfFile(s);
            }
            else
            {
                options.Add($"{key}={value}");
            }
        }

        if (policy?.Assembly is { } assembly)
        {
            var full = Path.GetFullPath(assembly);
            var folder = Path.GetDirectoryName(full) ?? ".";
            inputs["policy assembly"] = ContentDigest.OfFile(assembly);
            // Its dependencies: whatever the load context can resolve from beside it.
            inputs["policy assembly folder"] = ContentDigest.OfFiles(
                Directory.Exists(folder)
                    ? Directory.EnumerateFiles(folder)
                        .Where(f => f != full && (f.EndsWith(".dll", StringComparison.OrdinalIgnoreCase) || f.EndsWith(".deps.json", StringComparison.OrdinalIgnoreCase)))
                        .Select(f => (Path.GetFileName(f), f))
                    : []);
        }

        var backend = experiment.Backend;
        var backendSettings = Backends.Get(backend).KeyInputs(experiment, inputs);
        var settings = new
        {
            spec.Nodes,
            spec.Cpu,
            spec.Workload.Args,
            spec.EpochInstructions,
            spec.PageSize,
            spec.Migration,
            Decision = decision,
            PolicyType = policy?.Type,
            Options = options,
            Backend = backend,
            BackendSettings = backendSettings,
        };
        inputs[Settings] = ContentDigest.OfText(SettingsText(settings, spec, PolicyTimeScale(policy)));
        var all = new StringBuilder(string.Create(CultureInfo.InvariantCulture, $"result key {Version}\n"));
        foreach (var (name, digest) in inputs)
        {
            all.Append(name).Append('=').Append(digest).Append('\n');
        }

        return new ResultKey(ContentDigest.OfText(all.ToString()), inputs);
    }

    /// <summary>
    /// The time scale of a policy's periods where it has them (a built-in
    /// policy with periods in simulated time: its <c>time_scale</c> when the options leave it out,
    /// the experiment's <c>policy_time_scale</c> or the default 1; a plug-in:
    /// the experiment's, when set); null otherwise. Results stored before
    /// periods were in simulated time ran with periods of one epoch, so a
    /// tiering policy's key differs from those.
    /// </summary>
    private static string? PolicyTimeScale(PolicySpec? policy)
    {
        if (policy is null || policy.Options.ContainsKey(PolicySpec.TimeScaleKey))
        {
            return null;
        }

        if (policy.Name is not null)
        {
            var type = DefaultPolicies.Find(policy.Name)?.OptionsType;
            return type is not null && PolicyFactory.HasTimeScale(type) && PolicyFactory.HasPeriods(type)
                ? Normalize(policy.TimeScale ?? "1")
                : null;
        }

        return policy.TimeScale is { } s ? Normalize(s) : null;

        static string Normalize(string s) =>
            double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) ? v.ToString("R", CultureInfo.InvariantCulture) : s;
    }

    /// <summary>
    /// The settings as JSON; what came after the key's make-up (more than one
    /// core, an epoch in simulated time, a policy's time scale) is added only where it is not the old default, so that the keys
    /// of experiments that do not use it stay as they were.
    /// </summary>
    private static string SettingsText(object settings, SimulationSpec spec, string? policyTimeScale)
    {
        var text = JsonSerializer.Serialize(settings);
        if (spec.Cpu.Cores == 1 && !spec.Epoch.IsTime && policyTimeScale is null)
        {
            return text;
        }

        var node = System.Text.Json.Nodes.JsonNode.Parse(text)!.AsObject();
        if (spec.Cpu.Cores > 1)
        {
            node["Cores"] = spec.Cpu.Cores;
        }

        if (spec.Epoch.IsTime)
        {
            node["EpochTicks"] = spec.Epoch.Ticks;
        }

        if (policyTimeScale is not null)
        {
            node["PolicyTimeScale"] = policyTimeScale;
        }

        return node.ToJsonString();
    }

    /// <summary>
    /// The inputs that differ from <paramref name="stored"/> (a stored
    /// record's inputs; null for a record from before this key), for the
    /// line that says why a point runs again.
    /// </summary>
    public IReadOnlyList<string> ChangedSince(IReadOnlyDictionary<string, string>? stored)
    {
        if (stored is null || stored.Count == 0)
        {
            return ["stored by an older version"];
        }

        return Inputs.Keys.Union(stored.Keys).Order(StringComparer.Ordinal)
            .Where(k => !Inputs.TryGetValue(k, out var a) || !stored.TryGetValue(k, out var b) || a != b)
            .ToList();
    }
}
