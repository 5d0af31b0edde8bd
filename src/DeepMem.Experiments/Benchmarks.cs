using DeepMem.Estimator;

namespace DeepMem.Experiments;

/// <summary>The estimator's throughput benchmark (<c>deepmem bench estimator</c>).</summary>
public static class Benchmarks
{
    /// <summary>
    /// Runs it; with <paramref name="gem5SecondsPerPlacement"/> (host seconds
    /// of one gem5 run of the same workload) it also prints the speed ratio.
    /// Returns its report.
    /// </summary>
    public static string Estimator(double? gem5SecondsPerPlacement, CancellationToken ct)
    {
        var options = new EstimatorBenchmarkOptions();
        if (gem5SecondsPerPlacement is { } s)
        {
            options = options with { Gem5SecondsPerPlacement = s };
        }

        return EstimatorBenchmark.Run(options, ct);
    }
}
