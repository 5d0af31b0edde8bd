using System.CommandLine;
using DeepMem.Experiments;
using DeepMem.Experiments.Exporters;
using DeepMem.Experiments.Execution;

namespace DeepMem.Cli.Commands;

/// <summary><c>deepmem bench</c>: throughput benchmarks that print ratios measured in one run.</summary>
public static class BenchCommand
{
    /// <summary>Builds the verb.</summary>
    public static Command Create()
    {
        var what = new Argument<string>("what") { Description = "estimator | bridge | executors" };
        what.AcceptOnlyFromAmong("estimator", "bridge", "executors");
        var experiment = new Option<FileInfo?>("--experiment", "-e")
        {
            Description = "bridge: the gem5 experiment for the with/without-bridge overhead run; executors: the sweep to run each way",
        };
        var jobs = new Option<int>("--jobs", "-j") { Description = "executors: parallel runs of the local and Slurm ways", DefaultValueFactory = _ => 2 };
        var reps = new Option<int>("--repetitions", "-r") { Description = "bridge: runs each way", DefaultValueFactory = _ => 3 };
        var gem5Seconds = new Option<double?>("--gem5-seconds")
        {
            Description = "host seconds of one gem5 run of the same workload, to print the speed ratio",
        };
        var command = new Command("bench", "benchmarks: estimator throughput (static placements/s, window-page updates/s, ratio to gem5); bridge round trip and gem5 overhead")
        {
            what, gem5Seconds, experiment, reps, jobs,
        };
        command.SetAction(async (parse, ct) =>
        {
            if (parse.GetValue(what) == "executors")
            {
                if (parse.GetValue(experiment) is not { } sweep)
                {
                    await Console.Error.WriteLineAsync("error: bench executors needs -e <experiment with a sweep>");
                    return ExitCodes.BadInput;
                }

                return await ExecutorsAsync(sweep, Math.Max(1, parse.GetValue(jobs)), ct);
            }

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

            Console.WriteLine(Benchmarks.Estimator(parse.GetValue(gem5Seconds), ct));
            return ExitCodes.Ok;
        });
        return command;
    }

    /// <summary>
    /// Runs every point of <paramref name="file"/> three ways into fresh
    /// folders: locally one at a time, locally <paramref name="jobs"/> at a
    /// time, and as a Slurm array (when sbatch is here) with at most
    /// <paramref name="jobs"/> tasks running; prints the wall time of each,
    /// the speed-ups, and Slurm's overhead per task against the local run at
    /// the same parallelism.
    /// </summary>
    private static async Task<int> ExecutorsAsync(FileInfo file, int jobs, CancellationToken ct)
    {
        var loaded = CommandSupport.Load(file.ToString(), Console.Error, ct: ct);
        if (loaded is null)
        {
            return ExitCodes.BadInput;
        }

        IReadOnlyList<ExecutorWay> walls;
        try
        {
            walls = await ExecutorBenchmark.RunAsync(loaded.Experiments, file.ToString(), jobs,
                (e, output) => ExecutorFlags.TaskArguments("run", file, ["--point", e.PointId], null, new DirectoryInfo(output), false), ct);
        }
        catch (ExperimentFailureException f)
        {
            return CommandSupport.Fail(f, Console.Error);
        }

        var inv = System.Globalization.CultureInfo.InvariantCulture;
        var table = new MarkdownTable(MarkdownTable.Text("way"), MarkdownTable.Number("points"), MarkdownTable.Number("wall (s)"),
            MarkdownTable.Number("speed-up vs local -j 1"), MarkdownTable.Number("sum of points' host time (s)"));
        foreach (var w in walls)
        {
            table.Add(w.Name, w.Points.ToString(inv), w.Seconds.ToString("F1", inv), (walls[0].Seconds / w.Seconds).ToString("F2", inv), w.HostSum.ToString("F1", inv));
        }

        Console.Write(table.ToString());

        if (walls.Count == 3)
        {
            var perTask = (walls[2].Seconds - walls[1].Seconds) * jobs / Math.Max(1, walls[2].Points);
            Console.WriteLine(string.Create(inv,
                $"Slurm overhead per task against local -j {jobs}: {perTask:F2} s (wall difference {walls[2].Seconds - walls[1].Seconds:F1} s x {jobs} slots / {walls[2].Points} tasks)"));
        }
        else
        {
            Console.WriteLine("no sbatch on PATH: the Slurm way was not run");
        }

        return ExitCodes.Ok;
    }
}
