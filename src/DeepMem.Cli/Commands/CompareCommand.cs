using System.CommandLine;
using DeepMem.Core;
using DeepMem.Experiments;
using DeepMem.Experiments.Execution;
using DeepMem.Policies;

namespace DeepMem.Cli.Commands;

/// <summary>
/// <c>deepmem compare</c>: runs a set of policies on one experiment's
/// workload and memory system (its first point), one result per policy under
/// <c>&lt;results&gt;/compare-&lt;backend&gt;/</c>, and writes a table
/// (compare.md) and a bar plot of runtime and migrations (compare.png).
/// Stored results with the same config are reused unless --force.
/// </summary>
public static class CompareCommand
{
    /// <summary>Policies compared when --policies is not given (besides the experiment's own).</summary>
    public static readonly IReadOnlyList<string> DefaultSet = ["first-touch", "interleave", "hemem", "memtis", "tpp", "colloid", "q-learning"];

    /// <summary>Builds the verb.</summary>
    public static Command Create()
    {
        var file = SharedOptions.ExperimentFile();
        var backend = SharedOptions.Backend();
        var output = SharedOptions.Output();
        var policies = new Option<string[]>("--policies", "-p")
        {
            Description = $"built-in policies to compare, comma-separated (default: the experiment's own policy and {string.Join(",", DefaultSet)}); "
                          + "a name equal to the experiment's policy keeps its options",
            AllowMultipleArgumentsPerToken = true,
        };
        var force = new Option<bool>("--force") { Description = "rerun policies whose result is already stored" };
        var noReport = new Option<bool>("--no-report") { Description = "store the results only (what a cluster task runs)", Hidden = true };
        var baseline = SharedOptions.Baseline();
        var executor = new ExecutorFlags();
        var command = new Command("compare", "run several policies on one workload and memory system; write a table and a bar plot of runtime and migrations")
        {
            file, policies, backend, output, force, noReport, baseline,
        };
        executor.AddTo(command);
        command.SetAction((parse, ct) => ExecuteAsync(parse.GetValue(file)!, parse.GetValue(policies), parse.GetValue(backend), parse.GetValue(output),
            parse.GetValue(force), spec => executor.Apply(parse, spec, Console.Error)?.Create(new ExperimentRunner(Backends.Create)),
            !parse.GetValue(noReport), Console.Out, Console.Error, ct, parse.GetValue(baseline)));
        return command;
    }

    /// <summary>The comparison points: the experiment with each policy, under <c>compare-&lt;backend&gt;</c>.</summary>
    public static List<Experiment> Points(Experiment experiment, IReadOnlyList<PolicySpec> policies, string? backend, DirectoryInfo? output)
    {
        var b = backend ?? experiment.Backend;
        var root = Path.Combine(output?.FullName ?? experiment.ResultsRoot, $"compare-{b}");
        return policies.Select(p =>
        {
            var point = new List<KeyValuePair<string, string>> { new("policy.name", p.DisplayName) };
            var e = experiment with { Policy = p, Backend = b, ResultsRoot = root, SweepPoint = point };
            return e with { Spec = e.Spec with { OutputDir = Path.Combine(root, e.PointId) } };
        }).ToList();
    }

    /// <summary>Resolves the policy list; problems go to <paramref name="problems"/>.</summary>
    public static List<PolicySpec> Resolve(Experiment experiment, string[]? names, List<string> problems)
    {
        var own = experiment.Policy;
        var requested = names is { Length: > 0 }
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

            var spec = new PolicySpec { Name = DefaultPolicies.Find(name)!.Name };
            foreach (var (_, message) in PolicyFactory.Check(spec))
            {
                problems.Add($"--policies: {message}");
            }

            specs.Add(spec);
        }

        return specs;
    }

    /// <summary>Runs the comparison on this machine, one policy at a time; returns the exit code.</summary>
    public static Task<int> ExecuteAsync(FileInfo file, string[]? names, string? backend, DirectoryInfo? output, bool force,
        Func<Experiment, IMemorySimulator> backends, TextWriter stdout, TextWriter stderr, CancellationToken ct) =>
        ExecuteAsync(file, names, backend, output, force, new LocalExecutor(new ExperimentRunner(backends)), true, stdout, stderr, ct);

    /// <summary>Runs the comparison on <paramref name="executor"/>; returns the exit code.</summary>
    public static Task<int> ExecuteAsync(FileInfo file, string[]? names, string? backend, DirectoryInfo? output, bool force,
        IExecutor executor, bool report, TextWriter stdout, TextWriter stderr, CancellationToken ct) =>
        ExecuteAsync(file, names, backend, output, force, _ => executor, report, stdout, stderr, ct);

    /// <summary>Runs the comparison on the executor <paramref name="executorFor"/> makes of the file's section (null: exit 2); returns the exit code.</summary>
    public static async Task<int> ExecuteAsync(FileInfo file, string[]? names, string? backend, DirectoryInfo? output, bool force,
        Func<ExecutorSpec, IExecutor?> executorFor, bool report, TextWriter stdout, TextWriter stderr, CancellationToken ct, string? baseline = null)
    {
        var loaded = CommandSupport.Load(file.ToString(), stderr, new LoadOptions { OutputFromCommandLine = output is not null }, ct);
        if (loaded is null)
        {
            return ExitCodes.BadInput;
        }

        var experiment = loaded.Experiments[0];
        if (loaded.Experiments.Count > 1 && report)
        {
            await stderr.WriteLineAsync($"note: {file}: comparing on the first of {loaded.Experiments.Count} sweep points ({experiment.PointId})");
        }

        var problems = new List<string>();
        var policies = Resolve(experiment, names, problems);
        foreach (var p in problems)
        {
            await stderr.WriteLineAsync("error: " + p);
        }

        if (problems.Count > 0 || policies.Count == 0)
        {
            return ExitCodes.BadInput;
        }

        var points = Points(experiment, policies, backend, output);
        if (executorFor(experiment.Executor) is not { } executor)
        {
            return ExitCodes.BadInput;
        }

        var tasks = points.Select(e => new PointTask(e,
            ExecutorFlags.TaskArguments("compare", file, ["--policies", e.Policy.DisplayName, "--no-report"], backend, output, force))).ToList();
        var batch = await PointBatch.RunAsync(executor, tasks, force, e => $"{e.Name} [{e.Policy.DisplayName}]", "policies", stdout, stderr, ct);
        if (batch.ExitCode is { } code)
        {
            return code;
        }

        if (!report)
        {
            return batch.FinishedCode;
        }

        var root = points[0].ResultsRoot;
        var (md, png) = ReportWriter.WriteComparison(root, $"{experiment.Name}: policies on {points[0].Backend}", batch.Finished.Select(o => o.Record).ToList(),
            baseline ?? experiment.Report.Baseline);
        await PointBatch.PrintReportAsync(root, md, png, "table:", stdout);
        return batch.FinishedCode;
    }
}
