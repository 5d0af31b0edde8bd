using DeepMem.Policies;

namespace DeepMem.Experiments;

/// <summary>
/// <c>compare</c>: a set of policies on one experiment's workload and memory
/// system (its first point), one result per policy under
/// <c>&lt;results&gt;/compare-&lt;backend&gt;/</c>, and a table and bar plot of
/// runtime and migrations. Runs through <see cref="PointLoop"/>.
/// </summary>
public static class Comparison
{
    /// <summary>Policies compared when none are named (besides the experiment's own).</summary>
    public static readonly IReadOnlyList<string> DefaultSet = ["first-touch", "interleave", "hemem", "memtis", "tpp", "colloid", "q-learning"];

    /// <summary>The comparison points: the experiment with each policy, under <c>compare-&lt;backend&gt;</c>.</summary>
    public static List<Experiment> Points(Experiment experiment, IReadOnlyList<PolicySpec> policies, string? backend, string? output)
    {
        var b = backend ?? experiment.Backend;
        var root = Path.Combine(output is null ? experiment.ResultsRoot : Path.GetFullPath(output), $"compare-{b}");
        return policies.Select(p =>
        {
            var point = new List<KeyValuePair<string, string>> { new("policy.name", p.DisplayName) };
            var e = experiment with { Policy = p, Backend = b, ResultsRoot = root, SweepPoint = point };
            return e with { Spec = e.Spec with { OutputDir = Path.Combine(root, e.PointId) } };
        }).ToList();
    }

    /// <summary>
    /// The policies named in <paramref name="names"/> (comma-separated items;
    /// none: the experiment's own and <see cref="DefaultSet"/>); a name equal
    /// to the experiment's policy keeps its options. Problems go to <paramref name="problems"/>.
    /// </summary>
    public static List<PolicySpec> Resolve(Experiment experiment, IReadOnlyList<string>? names, List<string> problems)
    {
        var own = experiment.Policy;
        var requested = names is { Count: > 0 }
            ? names.SelectMany(n => n.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).ToList()
            : new[] { own.DisplayName }.Concat(DefaultSet).ToList();
        var specs = new List<PolicySpec>();
        foreach (var name in requested.Distinct(StringComparer.OrdinalIgnoreCase))
        {
            if (string.Equals(name, own.DisplayName, StringComparison.OrdinalIgnoreCase))
            {
                specs.Add(own);
                continue;
            }

            if (DefaultPolicies.Find(name) is null)
            {
                var hint = Suggest.Closest(name, DefaultPolicies.All.Select(d => d.Name));
                problems.Add($"--policies: unknown policy '{name}'{(hint is null ? "" : $" (did you mean '{hint}'?)")}; built-in policies: {string.Join(", ", DefaultPolicies.All.Select(d => d.Name))}");
                continue;
            }

            // The experiment's policy_time_scale holds for every policy compared.
            var spec = new PolicySpec { Name = DefaultPolicies.Find(name)!.Name, TimeScale = own.TimeScale };
            foreach (var (_, message) in PolicyFactory.Check(spec))
            {
                problems.Add($"--policies: {message}");
            }

            specs.Add(spec);
        }

        return specs;
    }

    /// <summary>
    /// The batch of <c>compare</c>: one point per resolved policy, "name [policy]"
    /// lines, and (with <paramref name="report"/>) the comparison table. Bad
    /// policy names are bad input (<see cref="ExperimentFailureException"/>, one line each).
    /// <paramref name="taskArguments"/> gives the deepmem arguments that run one policy's point alone, by the policy's name.
    /// </summary>
    public static PointJob Job(Experiment experiment, IReadOnlyList<string>? names, string? backend, string? output, bool report,
        Func<string, IReadOnlyList<string>> taskArguments, string? baseline = null)
    {
        var problems = new List<string>();
        var policies = Resolve(experiment, names, problems);
        if (problems.Count > 0 || policies.Count == 0)
        {
            throw new ExperimentFailureException(FailureKind.BadInput,
                problems.Count == 0 ? "error: --policies: no policy named" : string.Join("\n", problems.Select(p => "error: " + p)));
        }

        var points = Points(experiment, policies, backend, output);
        return new PointJob(points, e => $"{e.Name} [{e.Policy.DisplayName}]", "policies", e => taskArguments(e.Policy.DisplayName),
            report ? records => ReportWriter.WriteComparison(points[0].ResultsRoot, $"{experiment.Name}: policies on {points[0].Backend}", records,
                baseline ?? experiment.Report.Baseline) : null);
    }
}
