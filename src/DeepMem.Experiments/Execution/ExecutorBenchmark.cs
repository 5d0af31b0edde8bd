namespace DeepMem.Experiments.Execution;

/// <summary>One way of running a sweep in <see cref="ExecutorBenchmark"/>, and how it went.</summary>
/// <param name="Name">The way ("local -j 1", ...).</param>
/// <param name="Seconds">Its wall time.</param>
/// <param name="Points">Results it stored.</param>
/// <param name="HostSum">The sum of its points' host time.</param>
public sealed record ExecutorWay(string Name, double Seconds, int Points, double HostSum);

/// <summary>
/// <c>bench executors</c>: every point of a sweep run three ways into fresh
/// folders, locally one at a time, locally <c>jobs</c> at a time, and as a
/// Slurm array (when sbatch is here) with at most <c>jobs</c> tasks running.
/// </summary>
public static class ExecutorBenchmark
{
    /// <summary>
    /// Runs <paramref name="loaded"/> (the points of one file) each way;
    /// <paramref name="taskArguments"/> gives a cluster task's deepmem
    /// arguments for a point stored under a results folder. A way that ends
    /// short, or with a failed point, stops it with <see cref="ExperimentFailureException"/>.
    /// </summary>
    public static async Task<IReadOnlyList<ExecutorWay>> RunAsync(IReadOnlyList<Experiment> loaded, string file, int jobs,
        Func<Experiment, string, IReadOnlyList<string>> taskArguments, CancellationToken ct)
    {
        var scratch = Directory.CreateTempSubdirectory("deepmem-bench-executors-").FullName;
        var ways = new List<(string Name, Func<IExecutor> Make)>
        {
            ("local -j 1", () => new LocalExecutor(new ExperimentRunner(Backends.Create), 1)),
            ($"local -j {jobs}", () => new LocalExecutor(new ExperimentRunner(Backends.Create), jobs)),
        };
        if (CommandLine.Exists("sbatch"))
        {
            ways.Add(($"slurm ({jobs} at a time)", () => new SlurmExecutor(new SlurmOptions
            {
                MaxRunning = jobs,
                PollInterval = TimeSpan.FromSeconds(1),
                DeepMemCommand = Environment.GetEnvironmentVariable("DEEPMEM_COMMAND")?.Split(' ', StringSplitOptions.RemoveEmptyEntries) ?? [],
            })));
        }

        var walls = new List<ExecutorWay>();
        try
        {
            for (var i = 0; i < ways.Count; i++)
            {
                var output = Path.Combine(scratch, $"way{i}");
                var points = PointLoop.RunPoints(loaded, file, null, output, null);
                var job = PointLoop.RunJob(points, e => taskArguments(e, output), points[0].Report.Baseline);
                var clock = System.Diagnostics.Stopwatch.StartNew();
                PointLoopResult result;
                try
                {
                    result = await PointLoop.RunAsync(job, ways[i].Make(), false, _ => { }, null, ct).ConfigureAwait(false);
                }
                catch (ExperimentFailureException f)
                {
                    throw new ExperimentFailureException(f.Kind, $"{ways[i].Name}: {f.Message}; the benchmark stops");
                }

                var wall = clock.Elapsed.TotalSeconds;
                if (result.AnyFailed)
                {
                    throw new ExperimentFailureException(FailureKind.Failed, $"{ways[i].Name}: a point failed; the benchmark stops");
                }

                var records = Directory.EnumerateFiles(output, ResultStore.FileName, SearchOption.AllDirectories)
                    .Select(ResultStore.Read).Where(r => r is not null).ToList();
                walls.Add(new ExecutorWay(ways[i].Name, wall, records.Count, records.Sum(r => r!.Result.HostSeconds)));
            }
        }
        finally
        {
            Directory.Delete(scratch, recursive: true);
        }

        return walls;
    }
}
