using System.CommandLine;
using DeepMem.Bridge;
using DeepMem.Core;
using DeepMem.Experiments;

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
        var parallel = new Option<int>("--parallel", "-j")
        {
            Description = "gem5 runs at once (default: the number of cores)",
            DefaultValueFactory = _ => Environment.ProcessorCount,
        };
        var calibrate = new Option<bool>("--calibrate")
        {
            Description = "also record the calibration run (two nodes: every page interleaved 1:1) that the estimator fits its per-window correction to",
        };
        var command = new Command("trace", "run the workload in gem5 once per node, all data bound to that node, recording window traces")
        {
            file, output, window, parallel, calibrate,
        };
        command.SetAction((parse, ct) => ExecuteAsync(parse.GetValue(file)!, parse.GetValue(output), parse.GetValue(window),
            parse.GetValue(parallel), ct, parse.GetValue(calibrate)));
        return command;
    }

    /// <summary>Records; returns the exit code.</summary>
    public static async Task<int> ExecuteAsync(FileInfo file, DirectoryInfo? output, string? window, int parallel, CancellationToken ct,
        bool calibrate = false)
    {
        var loaded = CommandSupport.Load(file.ToString(), Console.Error);
        if (loaded is null)
        {
            return ExitCodes.BadInput;
        }

        var e = loaded.Experiments[0];
        if (loaded.Experiments.Count > 1)
        {
            await Console.Error.WriteLineAsync($"note: the file has {loaded.Experiments.Count} sweep points; traces are recorded for the first ({e.PointId})");
        }

        var windowInsts = e.Spec.EpochInstructions;
        if (window is not null && (!Units.TryParseCount(window, out windowInsts) || windowInsts == 0))
        {
            await Console.Error.WriteLineAsync($"error: --window '{window}' is not {Units.CountHelp}");
            return ExitCodes.BadInput;
        }

        var dir = output?.FullName ?? e.Estimator.TraceDir ?? Path.Combine(e.ResultsRoot, "traces");
        var recorder = new TraceRecorder(e.Gem5) { RelativeRoot = RepoLocator.FindRoot(Path.GetDirectoryName(Path.GetFullPath(file.ToString()))) };
        try
        {
            var results = await recorder.RecordAsync(e.Spec, dir, windowInsts, parallel, line => Console.Error.WriteLine(line), ct, calibrate);
            foreach (var r in results)
            {
                (r.Ok ? Console.Out : Console.Error).WriteLine(r.Message);
            }

            Console.WriteLine($"traces: {dir}");
            return results.All(r => r.Ok) ? ExitCodes.Ok : ExitCodes.Failed;
        }
        catch (InvalidOperationException ex)
        {
            await Console.Error.WriteLineAsync("error: " + ex.Message);
            return ExitCodes.Failed;
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            return ExitCodes.Cancelled;
        }
    }
}
