using System.CommandLine;
using System.Globalization;
using DeepMem.Core;
using DeepMem.Experiments;
using DeepMem.Experiments.Execution;
using Spectre.Console;

namespace DeepMem.Cli.Commands;

/// <summary><c>deepmem run</c>: run every point of an experiment, resuming what is done.</summary>
public static class RunCommand
{
    /// <summary>Builds the verb.</summary>
    public static Command Create()
    {
        var file = SharedOptions.ExperimentFile();
        var backend = SharedOptions.Backend();
        var output = SharedOptions.Output();
        var force = new Option<bool>("--force") { Description = "rerun points whose result is already stored" };
        var point = new Option<string[]>("--point")
        {
            Description = "run only this sweep point (its id as printed, e.g. 'policy.name=hemem'; repeatable)",
        };
        var baseline = SharedOptions.Baseline();
        var executor = new ExecutorFlags();
        var command = new Command("run", "run an experiment (every sweep point) on its backend; stored results are reused")
        {
            file, backend, output, force, point, baseline,
        };
        executor.AddTo(command);
        command.SetAction((parse, ct) =>
        {
            var runner = Runner(Backends.Create, Console.Error);
            return ExecuteAsync(parse.GetValue(file)!, parse.GetValue(backend), parse.GetValue(output), parse.GetValue(force),
                spec => executor.Apply(parse, spec, Console.Error) is { } s
                    ? s.Kind == "local" ? new LocalExecutor(runner, s.Jobs) { PointProgress = Spinner } : s.Create(runner)
                    : null,
                parse.GetValue(point), Console.Out, Console.Error, ct, parse.GetValue(baseline));
        });
        return command;
    }

    /// <summary>Runs every point on this machine, one at a time; returns the exit code.</summary>
    public static Task<int> ExecuteAsync(FileInfo file, string? backend, DirectoryInfo? output, bool force,
        Func<Experiment, IMemorySimulator> backends, CancellationToken ct) =>
        ExecuteAsync(file, backend, output, force, backends, Console.Out, Console.Error, ct);

    /// <summary>Runs every point on this machine, one at a time, printing to the given writers; returns the exit code.</summary>
    public static Task<int> ExecuteAsync(FileInfo file, string? backend, DirectoryInfo? output, bool force,
        Func<Experiment, IMemorySimulator> backends, TextWriter stdout, TextWriter stderr, CancellationToken ct) =>
        ExecuteAsync(file, backend, output, force, _ => new LocalExecutor(Runner(backends, stderr)) { PointProgress = Spinner }, null,
            stdout, stderr, ct);

    /// <summary>A runner that warns on <paramref name="stderr"/> about stored results it cannot read.</summary>
    private static ExperimentRunner Runner(Func<Experiment, IMemorySimulator> backends, TextWriter stderr) =>
        new(backends, line => stderr.WriteLine("warning: " + line));

    /// <summary>Runs the points (all, or those named in <paramref name="only"/>) on <paramref name="executor"/>; returns the exit code.</summary>
    public static Task<int> ExecuteAsync(FileInfo file, string? backend, DirectoryInfo? output, bool force,
        IExecutor executor, IReadOnlyList<string>? only, TextWriter stdout, TextWriter stderr, CancellationToken ct) =>
        ExecuteAsync(file, backend, output, force, _ => executor, only, stdout, stderr, ct);

    /// <summary>
    /// Runs the points (all, or those named in <paramref name="only"/>) on the
    /// executor that <paramref name="executorFor"/> makes of the file's
    /// <c>executor:</c> section (null: bad flags, exit 2); returns the exit
    /// code. The report compares with <paramref name="baseline"/> (null: the file's <c>report.baseline</c>).
    /// </summary>
    public static async Task<int> ExecuteAsync(FileInfo file, string? backend, DirectoryInfo? output, bool force,
        Func<ExecutorSpec, IExecutor?> executorFor, IReadOnlyList<string>? only, TextWriter stdout, TextWriter stderr, CancellationToken ct,
        string? baseline = null)
    {
        LoadResult? loaded;
        try
        {
            loaded = CommandSupport.Load(file.ToString(), stderr,
                new LoadOptions { CheckBackendFiles = backend is null, OutputFromCommandLine = output is not null }, ct);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            await stderr.WriteLineAsync($"{file}: cancelled while loading; nothing was run");
            return ExitCodes.Cancelled;
        }

        if (loaded is null)
        {
            return ExitCodes.BadInput;
        }

        List<Experiment> experiments;
        try
        {
            experiments = PointLoop.RunPoints(loaded.Experiments, file.ToString(), backend, output?.FullName, only);
        }
        catch (ExperimentFailureException f)
        {
            return CommandSupport.Fail(f, stderr);
        }

        if (CommandSupport.UnwritableFolder(experiments[0].ResultsRoot) is { } why)
        {
            await stderr.WriteLineAsync($"error: cannot write results to '{experiments[0].ResultsRoot}': {why}");
            return ExitCodes.BadInput;
        }

        if (executorFor(experiments[0].Executor) is not { } executor)
        {
            return ExitCodes.BadInput;
        }

        var job = PointLoop.RunJob(experiments, e => ExecutorFlags.TaskArguments("run", file, ["--point", e.PointId], backend, output, force),
            baseline ?? experiments[0].Report.Baseline);
        return await PointPrinter.RunAsync(job, executor, force, "report:", stdout, stderr, ct);
    }

    /// <summary>A live status line for the one running point, when the terminal is interactive.</summary>
    private static Progress<RunProgress>? Spinner(Experiment e)
    {
        if (Console.IsOutputRedirected || !AnsiConsole.Profile.Capabilities.Interactive)
        {
            return null;
        }

        return new Progress<RunProgress>(p => AnsiConsole.Markup(Markup.Escape(string.Create(CultureInfo.InvariantCulture,
            $"\r{e.Name}/{e.PointId}: {p.Instructions / 1e6:F1}M instructions, {p.Ticks / 1e6:F1} us simulated, epoch {p.Epochs} (of {e.Spec.Epoch.Describe()}), {p.MigratedPages} pages migrated   "))));
    }
}
