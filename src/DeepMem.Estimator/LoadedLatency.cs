namespace DeepMem.Estimator;

/// <summary>
/// How the estimator's window formula treats the memory nodes' loaded
/// latency when the traces carry memory counters and no calibration run is
/// used (docs/estimator.md, "Loaded latency").
/// </summary>
public enum LoadedLatency
{
    /// <summary>The linear formula: every access to a node costs what it cost in that node's single-device trace.</summary>
    Off,

    /// <summary>A node's queueing delay shrinks in proportion to its share of the window's accesses (the queue a closed loop of outstanding misses builds is split between the nodes).</summary>
    Proportional,
}
