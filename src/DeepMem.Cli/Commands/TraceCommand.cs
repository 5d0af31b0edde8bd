using System.CommandLine;
using DeepMem.Bridge;
using DeepMem.Core;
using DeepMem.Experiments;
using DeepMem.Experiments.Execution;

namespace DeepMem.Cli.Commands;

/// <summary><c>deepmem trace</c>: record single-device window traces in gem5 for the estimator.</summary>
public static class TraceCommand
{
    /// <summary>Builds the verb.</summary>
    public static Command Create()
    {
        var file = SharedOptions.ExperimentFile();
        var output = new Option<DirectoryInfo?>("--out")
        {
            Description = "trace folder (default: the experiment's estimator.traces, else <output>/traces)",
        };
        var window = new Option<string>("--window")
        {
            Description = "instructions per window, e.g. 100k (default: the experiment's epoch)",
        };
        var calibrate = new Option<bool>("--calibrate")
        {
            Description = "also record the calibration run (two nodes: every page interleaved 1:1) that the estimator fits its per-window correction to",
        };
        var only = new Option<string[]>("--only")
        {
            Description = "record only these runs: node names, or 'calibration' (repeatable; what a cluster task runs)",
        };
        var executor = new ExecutorFlags();
        var command = new Command("trace", "run the workload in gem5 once per node, all data bound to that node, recording window traces")
        {
            file, output, window, calibrate, only,
        };
        executor.AddTo(command);
        command.SetAction((parse, ct) => ExecuteAsync(parse.GetValue(file)!, parse.GetValue(output), parse.GetValue(window), ct,
            parse.GetValue(calibrate), parse.GetValue(only),
            spec => executor.Apply(parse, executor.JobsGiven(parse) ? spec : spec with { Jobs = Environment.ProcessorCount }, Console.Error)));
        return command;
    }

    /// <summary>Records on this machine, <paramref name="parallel"/> runs at once; returns the exit code.</summary>
    public static Task<int> ExecuteAsync(FileInfo file, DirectoryInfo? output, string? window, int parallel, CancellationToken ct,
        bool calibrate = false) =>
        ExecuteAsync(file, output, window, ct, calibrate, null, _ => new ExecutorSpec { Jobs = parallel });

    /// <summary>Records the runs (all, or <paramref name="only"/>) where <paramref name="executorFor"/> says (null: exit 2); returns the exit code.</summary>
    public static async Task<int> ExecuteAsync(FileInfo file, DirectoryInfo? output, string? window, CancellationToken ct,
        bool calibrate, IReadOnlyList<string>? only, Func<ExecutorSpec, ExecutorSpec?> executorFor)
    {
        var loaded = CommandSupport.Load(file.ToString(), Console.Error, ct: ct);
        if (loaded is null)
        {
            return ExitCodes.BadInput;
        }

        var e = loaded.Experiments[0];
        if (loaded.Experiments.Count > 1 && only is not { Count: > 0 })
        {
            await Console.Error.WriteLineAsync($"note: the file has {loaded.Experiments.Count} sweep points; traces are recorded for the first ({e.PointId})");
        }

        var windowInsts = e.Spec.EpochInstructions;
        if (window is not null && (!Units.TryParseCount(window, out windowInsts) || windowInsts == 0))
        {
            await Console.Error.WriteLineAsync($"error: --window '{window}' is not {Units.CountHelp}");
            return ExitCodes.BadInput;
        }

        var runs = e.Spec.Nodes.Select(n => n.Name).Concat(calibrate ? [TraceRecorder.CalibrationRun] : []).ToList();
        if (only is { Count: > 0 } && only.Except(runs).ToList() is { Count: > 0 } unknown)
        {
            await Console.Error.WriteLineAsync($"error: --only: no run {string.Join(", ", unknown.Select(u => $"'{u}'"))}; runs: {string.Join(", ", runs)}");
            return ExitCodes.BadInput;
        }

        if (executorFor(e.Executor) is not { } spec)
        {
            return ExitCodes.BadInput;
        }

        var dir = output?.FullName ?? e.Estimator.TraceDir ?? Path.Combine(e.ResultsRoot, "traces");
        var recorder = new TraceRecorder(e.Gem5) { RelativeRoot = RepoLocator.FindRoot(Path.GetDirectoryName(Path.GetFullPath(file.ToString()))) };
        try
        {
            var selected = only is { Count: > 0 } ? only : runs;
            var results = spec.Kind == "slurm"
                ? await OnSlurmAsync(new SlurmExecutor(spec.Slurm), file, e, dir, windowInsts, calibrate, selected, ct)
                : await recorder.RecordAsync(e.Spec, dir, windowInsts, spec.Jobs, line => Console.Error.WriteLine(line), ct, calibrate, selected.ToList());
            foreach (var r in results)
            {
                (r.Ok ? Console.Out : Console.Error).WriteLine(r.Message);
            }

            Console.WriteLine($"traces: {dir}");
            return results.All(r => r.Ok) ? ExitCodes.Ok : ExitCodes.Failed;
        }
        catch (Exception ex) when (ex is InvalidOperationException or ExecutorUnavailableException)
        {
            await Console.Error.WriteLineAsync("error: " + ex.Message);
            return ExitCodes.Failed;
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            await Console.Error.WriteLineAsync($"cancelled: finished traces are kept in {dir}; run the same command again to record them anew");
            return ExitCodes.Cancelled;
        }
    }

    /// <summary>One Slurm task per run, each running <c>deepmem trace --only</c> for its run into the same folder.</summary>
    private static async Task<IReadOnlyList<TraceRecorder.NodeTrace>> OnSlurmAsync(SlurmExecutor slurm, FileInfo file, Experiment e, string dir,
        ulong window, bool calibrate, IReadOnlyList<string> runs, CancellationToken ct)
    {
        var results = new TraceRecorder.NodeTrace?[runs.Count];
        var args = runs.Select(run =>
        {
            var a = new List<string> { "trace", file.FullName, "--only", run, "--out", dir, "--window", window.ToString(System.Globalization.CultureInfo.InvariantCulture), "--executor", "local" };
            if (calibrate)
            {
                a.Add("--calibrate");
            }

            return (IReadOnlyList<string>)a;
        }).ToList();
        var progress = ExecutorFlags.Printer(Console.Error);
        await slurm.RunArrayAsync($"trace-{e.Name}", Path.Combine(e.ResultsRoot, "slurm"), args, (end, lastTry) =>
        {
            var run = runs[end.Task];
            var trace = Path.Combine(dir, run == TraceRecorder.CalibrationRun ? TraceRecorder.CalibrationFileName : TraceRecorder.TraceFileName(run));
            var ok = end.State == "COMPLETED" && File.Exists(trace) && File.GetLastWriteTimeUtc(trace) >= end.Submitted.UtcDateTime.AddSeconds(-2);
            if (ok || lastTry)
            {
                results[end.Task] = new TraceRecorder.NodeTrace(run, trace, ok,
                    ok ? $"{run}: trace written ({end.Name})" : $"{run}: {end.Describe()}\n{end.Tail(SlurmExecutor.TailLines)}", 0, string.Join(' ', args[end.Task]));
            }

            return ok;
        }, (running, pending) => progress.Report(new ExecutorProgress(results.Count(r => r?.Ok == true), running, pending, results.Count(r => r?.Ok == false))),
            ct);
        return results.Select(r => r!).ToList();
    }
}
