using System.CommandLine;
using System.Globalization;
using DeepMem.Core;
using DeepMem.Experiments;
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
        var command = new Command("run", "run an experiment (every sweep point) on its backend; stored results are reused")
        {
            file, backend, output, force,
        };
        command.SetAction((parse, ct) => ExecuteAsync(parse.GetValue(file)!, parse.GetValue(backend), parse.GetValue(output),
            parse.GetValue(force), Backends.Create, Console.Out, Console.Error, ct));
        return command;
    }

    /// <summary>Runs; returns the exit code.</summary>
    public static async Task<int> ExecuteAsync(FileInfo file, string? backend, DirectoryInfo? output, bool force,
        Func<Experiment, IMemorySimulator> backends, TextWriter stdout, TextWriter stderr, CancellationToken ct)
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

        var experiments = loaded.Experiments.Select(e => Override(e, backend, output)).ToList();
        var root = experiments[0].ResultsRoot;
        if (CommandSupport.UnwritableFolder(root) is { } why)
        {
            await stderr.WriteLineAsync($"error: cannot write results to '{root}': {why}");
            return ExitCodes.BadInput;
        }

        var runner = new ExperimentRunner(backends, line => stderr.WriteLine("warning: " + line));
        var failed = 0;
        var stored = 0;
        foreach (var e in experiments)
        {
            ExperimentRunner.PointOutcome outcome;
            try
            {
                outcome = await RunWithProgressAsync(runner, e, force, stdout, ct);
            }
            catch (BackendUnavailableException ex)
            {
                await stderr.WriteLineAsync($"{e.Name}/{e.PointId}: backend '{e.Backend}' unavailable: {ex.Message}");
                return ExitCodes.Failed;
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                await stderr.WriteLineAsync($"error: {e.Name}/{e.PointId}: cannot store the result under '{e.Spec.OutputDir}': {ex.Message}");
                return ExitCodes.Failed;
            }

            var r = outcome.Record.Result;
            var line = string.Create(CultureInfo.InvariantCulture,
                $"{e.Name}/{e.PointId}: {r.Status.ToString().ToLowerInvariant()}{(outcome.Skipped ? " (stored result reused)" : "")}, simulated {r.SimulatedSeconds * 1e6:F1} us, {r.MigratedPages} pages migrated, host {r.HostSeconds:F2} s");
            stdout.WriteLine(line);
            if (r.Status == RunStatus.Failed)
            {
                failed++;
                await stderr.WriteLineAsync($"  cause: {r.FailureReason}");
                if (!string.IsNullOrEmpty(r.OutputTail))
                {
                    await stderr.WriteLineAsync("  output tail:\n" + r.OutputTail);
                }
            }
            else if (r.Status == RunStatus.Cancelled)
            {
                await stderr.WriteLineAsync(
                    $"cancelled at {e.PointId}: {stored} of {experiments.Count} point{(experiments.Count == 1 ? "" : "s")} finished and kept under {root}; "
                    + "run the same command again to resume (stored successful points are reused, failed and cancelled ones run again)");
                return ExitCodes.Cancelled;
            }

            stored++;
        }

        var (md, png) = ReportWriter.Write(root, experiments[0].Name, line => stderr.WriteLine("warning: " + line));
        stdout.WriteLine();
        stdout.Write(await File.ReadAllTextAsync(md, CancellationToken.None));
        stdout.WriteLine();
        stdout.WriteLine($"results: {root}");
        stdout.WriteLine($"report:  {md}");
        if (png is not null)
        {
            stdout.WriteLine($"plot:    {png}");
        }

        return failed > 0 ? ExitCodes.Failed : ExitCodes.Ok;
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

    private static async Task<ExperimentRunner.PointOutcome> RunWithProgressAsync(ExperimentRunner runner, Experiment e, bool force, TextWriter stdout,
        CancellationToken ct)
    {
        if (stdout != Console.Out || Console.IsOutputRedirected || !AnsiConsole.Profile.Capabilities.Interactive)
        {
            return await runner.RunAsync(e, null, force, ct);
        }

        ExperimentRunner.PointOutcome? outcome = null;
        await AnsiConsole.Status().StartAsync($"{e.Name}/{e.PointId}: starting {e.Backend}", async ctx =>
        {
            var progress = new Progress<RunProgress>(p => ctx.Status(string.Create(CultureInfo.InvariantCulture,
                $"{e.Name}/{e.PointId}: {p.Instructions / 1e6:F1}M instructions, {p.Ticks / 1e6:F1} us simulated, epoch {p.Epochs}, {p.MigratedPages} pages migrated")));
            outcome = await runner.RunAsync(e, progress, force, ct);
        });
        return outcome!;
    }
}
