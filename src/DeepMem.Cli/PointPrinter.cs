using DeepMem.Core;
using DeepMem.Experiments;

namespace DeepMem.Cli;

/// <summary>Prints what <see cref="PointLoop"/> tells: a line per point, the cause of a failure, and the report at the end.</summary>
public static class PointPrinter
{
    /// <summary>The line of a finished point (and, for a failed one, its cause and output tail on <paramref name="stderr"/>).</summary>
    public static void Print(string label, ExperimentRunner.PointOutcome outcome, TextWriter stdout, TextWriter stderr)
    {
        var r = outcome.Record.Result;
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

    /// <summary>
    /// Runs <paramref name="job"/> through <see cref="PointLoop"/>, printing
    /// each point, and the report with <paramref name="mdLabel"/>; returns the exit code.
    /// </summary>
    public static async Task<int> RunAsync(PointJob job, Experiments.Execution.IExecutor executor, bool force, string mdLabel,
        TextWriter stdout, TextWriter stderr, CancellationToken ct)
    {
        PointLoopResult result;
        try
        {
            result = await PointLoop.RunAsync(job, executor, force, o => Print(job.Label(o.Experiment), o, stdout, stderr),
                executor is Experiments.Execution.LocalExecutor { Jobs: 1 } ? null : ExecutorFlags.Printer(stderr), ct);
        }
        catch (ExperimentFailureException f)
        {
            return CommandSupport.Fail(f, stderr);
        }

        if (result.Markdown is { } md)
        {
            await PrintReportAsync(job.ResultsRoot, md, result.Plot, mdLabel, stdout);
        }

        return result.AnyFailed ? ExitCodes.Failed : ExitCodes.Ok;
    }
}
