using System.CommandLine;
using DeepMem.Estimator;

namespace DeepMem.Cli.Commands;

/// <summary><c>deepmem bench</c>: throughput benchmarks that print ratios measured in one run.</summary>
public static class BenchCommand
{
    /// <summary>Builds the verb.</summary>
    public static Command Create()
    {
        var what = new Argument<string>("what") { Description = "estimator" };
        what.AcceptOnlyFromAmong("estimator");
        var gem5Seconds = new Option<double?>("--gem5-seconds")
        {
            Description = "host seconds of one gem5 run of the same workload, to print the speed ratio",
        };
        var command = new Command("bench", "benchmarks: estimator throughput (static placements/s, window-page updates/s, ratio to gem5)")
        {
            what, gem5Seconds,
        };
        command.SetAction(parse =>
        {
            var options = new EstimatorBenchmarkOptions();
            if (parse.GetValue(gem5Seconds) is { } s)
            {
                options = options with { Gem5SecondsPerPlacement = s };
            }

            Console.WriteLine(EstimatorBenchmark.Run(options));
            return ExitCodes.Ok;
        });
        return command;
    }
}
