using System.CommandLine;
using DeepMem.Estimator;
using DeepMem.Experiments;

namespace DeepMem.Cli.Commands;

/// <summary><c>deepmem bench</c>: throughput benchmarks that print ratios measured in one run.</summary>
public static class BenchCommand
{
    /// <summary>Builds the verb.</summary>
    public static Command Create()
    {
        var what = new Argument<string>("what") { Description = "estimator | bridge" };
        what.AcceptOnlyFromAmong("estimator", "bridge");
        var experiment = new Option<FileInfo?>("--experiment", "-e") { Description = "bridge: the gem5 experiment for the with/without-bridge overhead run" };
        var reps = new Option<int>("--repetitions", "-r") { Description = "bridge: runs each way", DefaultValueFactory = _ => 3 };
        var gem5Seconds = new Option<double?>("--gem5-seconds")
        {
            Description = "host seconds of one gem5 run of the same workload, to print the speed ratio",
        };
        var command = new Command("bench", "benchmarks: estimator throughput (static placements/s, window-page updates/s, ratio to gem5); bridge round trip and gem5 overhead")
        {
            what, gem5Seconds, experiment, reps,
        };
        command.SetAction(async (parse, ct) =>
        {
            if (parse.GetValue(what) == "bridge")
            {
                var root = RepoLocator.FindRoot() ?? Directory.GetCurrentDirectory();
                Console.WriteLine(await BridgeBenchmark.RoundTripAsync(Path.Combine(root, "gem5-patches", "python"), ct: ct));
                if (parse.GetValue(experiment) is { } file)
                {
                    var loaded = CommandSupport.Load(file.ToString(), Console.Error, ct: ct);
                    if (loaded is null)
                    {
                        return ExitCodes.BadInput;
                    }

                    Console.WriteLine(await BridgeBenchmark.OverheadAsync(loaded.Experiments[0], 1_000_000, parse.GetValue(reps), ct));
                }

                return ExitCodes.Ok;
            }

            var options = new EstimatorBenchmarkOptions();
            if (parse.GetValue(gem5Seconds) is { } s)
            {
                options = options with { Gem5SecondsPerPlacement = s };
            }

            Console.WriteLine(EstimatorBenchmark.Run(options, ct));
            return ExitCodes.Ok;
        });
        return command;
    }
}
