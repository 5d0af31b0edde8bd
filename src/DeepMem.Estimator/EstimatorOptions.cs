namespace DeepMem.Estimator;

/// <summary>Settings of the estimator backend.</summary>
public sealed record EstimatorOptions
{
    /// <summary>Folder holding the single-device window traces of the workload (one per node).</summary>
    public string? TraceDir { get; init; }
}
