using System.CommandLine;
using DeepMem.Core;
using DeepMem.Experiments;
using DeepMem.Experiments.Execution;
using DeepMem.Experiments.Tracing;

namespace DeepMem.Cli.Commands;

/// <summary><c>deepmem trace</c>: record single-device window traces in gem5 for the estimator.</summary>
public static class TraceCommand
{
    private static readonly string[] CalibrateFlag = ["--calibrate"];

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
        var mix = new Option<string[]>("--calibrate-mix")
        {
            Description = "also record a calibration run with the pages interleaved a:b over the two nodes, e.g. 3:1 (repeatable; the run calibration-a-b)",
        };
        var only = new Option<string[]>("--only")
        {
            Description = "record only these runs: node names, 'calibration' or 'calibration-a-b' (repeatable; what a cluster task runs)",
        };
        var executor = new ExecutorFlags(Environment.ProcessorCount);
        var command = new Command("trace", "run the workload in gem5 once per node, all data bound to that node, recording window traces")
        {
            file, output, window, calibrate, mix, only,
        };
        executor.AddTo(command);
        command.SetAction((parse, ct) => ExecuteAsync(parse.GetValue(file)!, parse.GetValue(output), parse.GetValue(window),
            parse.GetValue(calibrate), parse.GetValue(only),
            spec => executor.Apply(parse, spec, Console.Error), ct, parse.GetValue(mix)));
        return command;
    }

    /// <summary>Records on this machine, <paramref name="parallel"/> runs at once; returns the exit code.</summary>
    public static Task<int> ExecuteAsync(FileInfo file, DirectoryInfo? output, string? window, int parallel, CancellationToken ct,
        bool calibrate = false) =>
        ExecuteAsync(file, output, window, calibrate, null, _ => new ExecutorSpec { Jobs = parallel }, ct);

    /// <summary>Records the runs (all, or <paramref name="only"/>) where <paramref name="executorFor"/> says (null: exit 2); returns the exit code.</summary>
    public static async Task<int> ExecuteAsync(FileInfo file, DirectoryInfo? output, string? window,
        bool calibrate, IReadOnlyList<string>? only, Func<ExecutorSpec, ExecutorSpec?> executorFor, CancellationToken ct,
        IReadOnlyList<string>? calibrateMixes = null)
    {
        var mixes = calibrateMixes ?? [];
        if (TraceRecording.CheckMixes(mixes) is { } bad)
        {
            await Console.Error.WriteLineAsync("error: " + bad);
            return ExitCodes.BadInput;
        }

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
        if (window is null && e.Spec.Epoch.IsTime)
        {
            await Console.Error.WriteLineAsync($"error: the epoch is {e.Spec.Epoch.Describe()}, which gives no trace window: give one in instructions with --window (e.g. --window 100k)");
            return ExitCodes.BadInput;
        }

        if (window is not null && (!Units.TryParseCount(window, out windowInsts) || windowInsts == 0))
        {
            await Console.Error.WriteLineAsync($"error: --window '{window}' is not {Units.CountHelp}");
            return ExitCodes.BadInput;
        }

        if (mixes.Count > 0 && e.Spec.Nodes.Count != 2)
        {
            await Console.Error.WriteLineAsync($"error: --calibrate-mix: a calibration run needs exactly two memory nodes; the experiment has {e.Spec.Nodes.Count}");
            return ExitCodes.BadInput;
        }

        var runs = TraceRecording.Runs(e, calibrate, mixes);
        if (only is { Count: > 0 } && only.Except(runs).ToList() is { Count: > 0 } unknown)
        {
            await Console.Error.WriteLineAsync($"error: --only: no run {string.Join(", ", unknown.Select(u => $"'{u}'"))}; runs: {string.Join(", ", runs)}");
            return ExitCodes.BadInput;
        }

        if (executorFor(e.Executor) is not { } spec)
        {
            return ExitCodes.BadInput;
        }

        var dir = TraceRecording.Folder(e, output?.FullName);
        var inv = System.Globalization.CultureInfo.InvariantCulture;
        try
        {
            var results = await TraceRecording.RecordAsync(e, file.ToString(), dir, windowInsts, calibrate, only is { Count: > 0 } ? only : runs, spec,
                run => ["trace", file.FullName, "--only", run, "--out", dir, "--window", windowInsts.ToString(inv), "--executor", "local",
                    .. calibrate ? CalibrateFlag : [], .. mixes.SelectMany(m => new[] { "--calibrate-mix", m })],
                ExecutorFlags.Printer(Console.Error), line => Console.Error.WriteLine(line), ct, mixes);
            foreach (var r in results)
            {
                (r.Ok ? Console.Out : Console.Error).WriteLine(r.Message);
            }

            Console.WriteLine($"traces: {dir}");
            return results.All(r => r.Ok) ? ExitCodes.Ok : ExitCodes.Failed;
        }
        catch (ExperimentFailureException f)
        {
            return CommandSupport.Fail(f, Console.Error);
        }
    }
}
