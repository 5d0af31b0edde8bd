namespace DeepMem.Core;

/// <summary>
/// A backend that runs a workload on a memory system under a placement
/// policy: gem5 (the reference) or the differential estimator (fast).
/// </summary>
public interface IMemorySimulator
{
    /// <summary>Backend name as written in experiment files ("gem5", "estimator").</summary>
    string Name { get; }

    /// <summary>
    /// Runs <paramref name="spec"/> with <paramref name="policy"/>. Failures
    /// of the simulator come back as a result with
    /// <see cref="RunStatus.Failed"/> and the cause; cancellation as
    /// <see cref="RunStatus.Cancelled"/>.
    /// </summary>
    Task<RunResult> RunAsync(
        SimulationSpec spec,
        IPlacementPolicy policy,
        IProgress<RunProgress>? progress,
        CancellationToken cancellationToken);
}
