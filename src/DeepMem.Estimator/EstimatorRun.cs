using DeepMem.Core;

namespace DeepMem.Estimator;

/// <summary>A replay on the estimator backend with the details a <see cref="RunResult"/> has no room for.</summary>
/// <param name="Result">The run result, as <see cref="IMemorySimulator.RunAsync"/> returns it.</param>
/// <param name="WindowMicroseconds">Estimated time of each replayed window (migration time not included).</param>
/// <param name="BindSpills">Pages of a bound region placed outside its nodes because they were all full (Linux would fail the allocation).</param>
/// <param name="Fallbacks">Pages placed on a fallback node because their first choice was full (preferred, default and interleave modes).</param>
/// <param name="PageUpdates">Window-page entries replayed (the dynamic backend's unit of work).</param>
public sealed record EstimatorRun(
    RunResult Result,
    IReadOnlyList<double> WindowMicroseconds,
    ulong BindSpills,
    ulong Fallbacks,
    ulong PageUpdates)
{
    /// <summary>Cache lines refetched after migrations (traces with CPU touches only).</summary>
    public ulong RefetchedLines { get; init; }

    /// <summary>What those refetches added to the run, µs.</summary>
    public double RefetchMicroseconds { get; init; }
}
