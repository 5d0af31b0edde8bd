using DeepMem.Core;
using DeepMem.Experiments;
using DeepMem.Experiments.Execution;

namespace DeepMem.Cli;

/// <summary>The point loop that <c>run</c> and <c>compare</c> share: run on an executor, print each point, say what a cancel kept.</summary>
public static class PointBatch
{
    /// <summary>What became of the batch: the exit code when it ends the command here (unavailable, cancelled), else the finished outcomes.</summary>
    public sealed record Result(int? ExitCode, IReadOnlyList<ExperimentRunner.PointOutcome> Finished)
    {
        /// <summary>Exit code of a batch that finished: 1 when a point failed.</summary>
        public int FinishedCode => Finished.Any(o => o.Record.Result.Status == RunStatus.Failed) ? ExitCodes.Failed : ExitCodes.Ok;
    }

    /// <summary>Runs <paramref name="tasks"/>, printing one line per point (<paramref name="label"/>) as it finishes.</summary>
    public static async Task<Result> RunAsync(IExecutor executor, IReadOnlyList<PointTask> tasks, bool force,
        Func<Experiment, string> label, string what, TextWriter stdout, TextWriter stderr, CancellationToken ct)
    {
        var first = tasks[0].Point;
        IReadOnlyList<ExperimentRunner.PointOutcome> outcomes;
        try
        {
            outcomes = await executor.RunAsync(tasks, force, outcome => Print(label(outcome.Experiment), outcome, stdout, stderr),
                executor is LocalExecutor { Jobs: 1 } ? null : ExecutorFlags.Printer(stderr), ct);
        }
        catch (BackendUnavailableException ex)
        {
            await stderr.WriteLineAsync($"{first.Name}: backend '{first.Backend}' unavailable: {ex.Message}");
            return new Result(ExitCodes.Failed, []);
        }
        catch (ExecutorUnavailableException ex)
        {
            await stderr.WriteLineAsync($"{first.Name}: executor '{executor.Name}' unavailable: {ex.Message}");
            return new Result(ExitCodes.Failed, []);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            await stderr.WriteLineAsync($"error: {first.Name}: cannot store the result under '{first.ResultsRoot}': {ex.Message}");
            return new Result(ExitCodes.Failed, []);
        }

        var finished = outcomes.Where(o => o.Record.Result.Status != RunStatus.Cancelled).ToList();
        if (finished.Count < outcomes.Count)
        {
            var at = outcomes.First(o => o.Record.Result.Status == RunStatus.Cancelled).Experiment.PointId;
            await stderr.WriteLineAsync($"cancelled at {at}: {finished.Count} of {outcomes.Count} {what} finished and kept under {first.ResultsRoot}; "
                                        + $"run the same command again to resume (stored successful {what} are reused, failed and cancelled ones run again)");
            return new Result(ExitCodes.Cancelled, finished);
        }

        return new Result(null, finished);
    }

    /// <summary>Prints the report's table and where the files are.</summary>
    public static async Task PrintReportAsync(string root, string md, string? png, string mdLabel, TextWriter stdout)
    {
        await stdout.WriteLineAsync();
        await stdout.WriteAsync(await File.ReadAllTextAsync(md, CancellationToken.None));
        await stdout.WriteLineAsync();
        await stdout.WriteLineAsync($"results: {root}");
        await stdout.WriteLineAsync($"{mdLabel,-8} {md}");
        if (png is not null)
        {
            await stdout.WriteLineAsync($"plot:    {png}");
        }
    }

    private static void Print(string label, ExperimentRunner.PointOutcome outcome, TextWriter stdout, TextWriter stderr)
    {
        var r = outcome.Record.Result;
        if (r.Status == RunStatus.Cancelled)
        {
            return;
        }

        if (ReferenceEquals(stdout, Console.Out) && !Console.IsOutputRedirected)
        {
            stdout.Write("\r\u001b[2K"); // clears the status line of the point that ran
        }

        stdout.WriteLine(PointLine.Format(label, outcome));
        if (r.Status == RunStatus.Failed)
        {
            stderr.WriteLine($"  cause: {r.FailureReason}");
            if (!string.IsNullOrEmpty(r.OutputTail))
            {
                stderr.WriteLine("  output tail:\n" + r.OutputTail);
            }
        }
    }
}
