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
        var executor = new ExecutorFlags();
        var command = new Command("run", "run an experiment (every sweep point) on its backend; stored results are reused")
        {
            file, backend, output, force, point,
        };
        executor.AddTo(command);
        command.SetAction((parse, ct) =>
        {
            var runner = new ExperimentRunner(Backends.Create);
            return ExecuteAsync(parse.GetValue(file)!, parse.GetValue(backend), parse.GetValue(output), parse.GetValue(force),
                spec => executor.Apply(parse, spec, Console.Error) is { } s
                    ? s.Kind == "local" ? new LocalExecutor(runner, s.Jobs) { PointProgress = Spinner } : s.Create(runner)
                    : null,
                parse.GetValue(point), Console.Out, Console.Error, ct);
        });
        return command;
    }

    /// <summary>Runs every point on this machine, one at a time; returns the exit code.</summary>
    public static Task<int> ExecuteAsync(FileInfo file, string? backend, DirectoryInfo? output, bool force,
        Func<Experiment, IMemorySimulator> backends, CancellationToken ct) =>
        ExecuteAsync(file, backend, output, force, _ => new LocalExecutor(new ExperimentRunner(backends)) { PointProgress = Spinner }, null,
            Console.Out, Console.Error, ct);

    /// <summary>Runs the points (all, or those named in <paramref name="only"/>) on <paramref name="executor"/>; returns the exit code.</summary>
    public static Task<int> ExecuteAsync(FileInfo file, string? backend, DirectoryInfo? output, bool force,
        IExecutor executor, IReadOnlyList<string>? only, TextWriter stdout, TextWriter stderr, CancellationToken ct) =>
        ExecuteAsync(file, backend, output, force, _ => executor, only, stdout, stderr, ct);

    /// <summary>
    /// Runs the points (all, or those named in <paramref name="only"/>) on the
    /// executor that <paramref name="executorFor"/> makes of the file's
    /// <c>executor:</c> section (null: bad flags, exit 2); returns the exit code.
    /// </summary>
    public static async Task<int> ExecuteAsync(FileInfo file, string? backend, DirectoryInfo? output, bool force,
        Func<ExecutorSpec, IExecutor?> executorFor, IReadOnlyList<string>? only, TextWriter stdout, TextWriter stderr, CancellationToken ct)
    {
        var loaded = CommandSupport.Load(file.ToString(), stderr);
        if (loaded is null)
        {
            return ExitCodes.BadInput;
        }

        var experiments = loaded.Experiments.Select(e => Override(e, backend, output)).ToList();
        if (only is { Count: > 0 })
        {
            var unknown = only.Where(id => experiments.All(e => e.PointId != id)).ToList();
            if (unknown.Count > 0)
            {
                await stderr.WriteLineAsync($"error: --point: {file} has no point {string.Join(", ", unknown.Select(u => $"'{u}'"))}; its points: "
                                            + string.Join(", ", experiments.Select(e => e.PointId).Take(20)) + (experiments.Count > 20 ? ", ..." : ""));
                return ExitCodes.BadInput;
            }

            experiments = experiments.Where(e => only.Contains(e.PointId)).ToList();
        }

        if (executorFor(experiments[0].Executor) is not { } executor)
        {
            return ExitCodes.BadInput;
        }

        var tasks = experiments.Select(e => new PointTask(e, ExecutorFlags.TaskArguments("run", file, e, backend, output, force))).ToList();
        IReadOnlyList<ExperimentRunner.PointOutcome> outcomes;
        try
        {
            outcomes = await executor.RunAsync(tasks, force, outcome => Print(outcome, stdout, stderr),
                executor is LocalExecutor { Jobs: 1 } ? null : ExecutorFlags.Printer(stderr), ct);
        }
        catch (BackendUnavailableException ex)
        {
            await stderr.WriteLineAsync($"{experiments[0].Name}: backend '{experiments[0].Backend}' unavailable: {ex.Message}");
            return ExitCodes.Failed;
        }
        catch (ExecutorUnavailableException ex)
        {
            await stderr.WriteLineAsync($"{experiments[0].Name}: executor '{executor.Name}' unavailable: {ex.Message}");
            return ExitCodes.Failed;
        }

        var finished = outcomes.Where(o => o.Record.Result.Status != RunStatus.Cancelled).ToList();
        if (finished.Count < outcomes.Count)
        {
            await stderr.WriteLineAsync($"cancelled: {finished.Count} of {outcomes.Count} points finished and are kept under {experiments[0].ResultsRoot}; "
                                        + "run the same command again to resume (finished points are reused)");
            return ExitCodes.Cancelled;
        }

        var root = experiments[0].ResultsRoot;
        var (md, png) = ReportWriter.Write(root, experiments[0].Name, finished.Select(o => o.Record).ToList());
        await stdout.WriteLineAsync();
        await stdout.WriteAsync(await File.ReadAllTextAsync(md, CancellationToken.None));
        await stdout.WriteLineAsync();
        await stdout.WriteLineAsync($"results: {root}");
        await stdout.WriteLineAsync($"report:  {md}");
        if (png is not null)
        {
            await stdout.WriteLineAsync($"plot:    {png}");
        }

        return finished.Any(o => o.Record.Result.Status == RunStatus.Failed) ? ExitCodes.Failed : ExitCodes.Ok;
    }

    private static void Print(ExperimentRunner.PointOutcome outcome, TextWriter stdout, TextWriter stderr)
    {
        var e = outcome.Experiment;
        var r = outcome.Record.Result;
        if (r.Status == RunStatus.Cancelled)
        {
            return;
        }

        if (ReferenceEquals(stdout, Console.Out) && !Console.IsOutputRedirected)
        {
            stdout.Write("\r\u001b[2K"); // clears the status line of the point that ran
        }

        stdout.WriteLine(PointLine.Format($"{e.Name}/{e.PointId}", outcome));
        if (r.Status == RunStatus.Failed)
        {
            stderr.WriteLine($"  cause: {r.FailureReason}");
            if (!string.IsNullOrEmpty(r.OutputTail))
            {
                stderr.WriteLine("  output tail:\n" + r.OutputTail);
            }
        }
    }

    private static Experiment Override(Experiment e, string? backend, DirectoryInfo? output)
    {
        if (backend is not null)
        {
            e = e with { Backend = backend };
        }

        if (output is not null)
        {
            var root = output.FullName;
            e = e with
            {
                ResultsRoot = root,
                Spec = e.Spec with { OutputDir = e.SweepPoint.Count == 0 ? root : Path.Combine(root, e.PointId) },
            };
        }

        return e;
    }

    /// <summary>A live status line for the one running point, when the terminal is interactive.</summary>
    private static IProgress<RunProgress>? Spinner(Experiment e)
    {
        if (Console.IsOutputRedirected || !AnsiConsole.Profile.Capabilities.Interactive)
        {
            return null;
        }

        return new Progress<RunProgress>(p => AnsiConsole.Markup(Markup.Escape(string.Create(CultureInfo.InvariantCulture,
            $"\r{e.Name}/{e.PointId}: {p.Instructions / 1e6:F1}M instructions, {p.Ticks / 1e6:F1} us simulated, epoch {p.Epochs}, {p.MigratedPages} pages migrated   "))));
    }
}
