using System.CommandLine;
using DeepMem.Core;
using DeepMem.Experiments;
using DeepMem.Experiments.Execution;

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
    /// <summary>Builds the verb.</summary>
    public static Command Create()
    {
        var file = SharedOptions.ExperimentFile();
        var backend = SharedOptions.Backend();
        var output = SharedOptions.Output();
        var policies = new Option<string[]>("--policies", "-p")
        {
            Description = $"built-in policies to compare, comma-separated (default: the experiment's own policy and {string.Join(",", Comparison.DefaultSet)}); "
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

        PointJob job;
        try
        {
            job = Comparison.Job(experiment, names, backend, output?.FullName, report,
                policy => ExecutorFlags.TaskArguments("compare", file, ["--policies", policy, "--no-report"], backend, output, force), baseline);
        }
        catch (ExperimentFailureException f)
        {
            return CommandSupport.Fail(f, stderr);
        }

        if (executorFor(experiment.Executor) is not { } executor)
        {
            return ExitCodes.BadInput;
        }

        return await PointPrinter.RunAsync(job, executor, force, "table:", stdout, stderr, ct);
    }
}
