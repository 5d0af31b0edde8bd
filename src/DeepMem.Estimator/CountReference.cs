namespace DeepMem.Estimator;

/// <summary>
/// Which per-page access counts weight the per-node window times. The
/// single-device runs execute the same instructions, so their memory-side
/// counts differ only through timing effects (prefetch, writeback order).
/// </summary>
public enum CountReference
{
    /// <summary>
    /// The mean of every trace's counts (symmetric in the nodes, and the
    /// default: no single run's timing artefacts dominate).
    /// </summary>
    Average,
    /// <summary>The counts of the trace with the smallest total time (the paper's fast run).</summary>
    Fastest,
}
