namespace DeepMem.Estimator;

/// <summary>Shape of a generated trace set (see <see cref="SyntheticTraces"/>).</summary>
public sealed record SyntheticTraceSpec
{
    /// <summary>Number of nodes; node d has access latency <see cref="FastLatencyNs"/> × (1 + <see cref="SlowdownPerNode"/> × d).</summary>
    public int Nodes { get; init; } = 2;

    /// <summary>Number of windows.</summary>
    public int Windows { get; init; } = 1000;

    /// <summary>Number of regions.</summary>
    public int Regions { get; init; } = 50;

    /// <summary>Pages per region.</summary>
    public int PagesPerRegion { get; init; } = 64;

    /// <summary>Mean number of (page, count) entries per region per window for the hottest region.</summary>
    public int TouchesPerRegionWindow { get; init; } = 8;

    /// <summary>Instructions per window.</summary>
    public ulong WindowInstructions { get; init; } = 100_000;

    /// <summary>Compute time per window independent of memory, in nanoseconds.</summary>
    public double ComputeNsPerWindow { get; init; } = 20_000;

    /// <summary>Memory-side access latency of node 0 in nanoseconds.</summary>
    public double FastLatencyNs { get; init; } = 80;

    /// <summary>Relative extra latency per node id.</summary>
    public double SlowdownPerNode { get; init; } = 1.5;

    /// <summary>Number of phases; each reshuffles which regions are hot.</summary>
    public int Phases { get; init; } = 4;

    /// <summary>Random seed (the same seed gives the same traces).</summary>
    public int Seed { get; init; } = 1;

    /// <summary>Capacity of every node in bytes (default: all regions fit anywhere).</summary>
    public ulong? CapacityBytes { get; init; }
}
