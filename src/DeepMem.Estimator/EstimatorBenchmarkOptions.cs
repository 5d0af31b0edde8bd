namespace DeepMem.Estimator;

/// <summary>Settings of <see cref="EstimatorBenchmark"/>.</summary>
public sealed record EstimatorBenchmarkOptions
{
    /// <summary>Shape of the synthetic trace set measured (default: 2 nodes, 2,000 windows, 64 regions of 256 pages).</summary>
    public SyntheticTraceSpec Trace { get; init; } = new()
    {
        Nodes = 2,
        Windows = 2000,
        Regions = 64,
        PagesPerRegion = 256,
        TouchesPerRegionWindow = 32,
        Seed = 42,
    };

    /// <summary>Host seconds to spend on each measurement (at least one iteration each).</summary>
    public double SecondsPerMeasurement { get; init; } = 1.0;

    /// <summary>Host seconds gem5 takes for one placement of the same workload, if known: adds the speed ratio to the report.</summary>
    public double? Gem5SecondsPerPlacement { get; init; }
}
