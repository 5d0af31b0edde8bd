namespace DeepMem.Estimator;

/// <summary>Settings of the estimator backend.</summary>
public sealed record EstimatorOptions
{
    /// <summary>Folder holding the single-device window traces of the workload (one per node).</summary>
    public string? TraceDir { get; init; }

    /// <summary>Which trace's per-page counts weight the interpolation (default: the average of all traces).</summary>
    public CountReference Reference { get; init; } = CountReference.Average;

    /// <summary>Weight of one memory-side write relative to one read when counting accesses (default 1).</summary>
    public double WriteWeight { get; init; } = 1.0;

    /// <summary>Bytes moved per memory-side access, for the byte counters of the node statistics (default 64, one cache line).</summary>
    public ulong AccessBytes { get; init; } = 64;

    /// <summary>
    /// Use the trace folder's calibration run when there is one (default
    /// true): the window formula becomes T_0 + (T_1 − T_0) · x^γ(w) with γ
    /// fitted per window to the calibration. False keeps the linear formula.
    /// </summary>
    public bool UseCalibration { get; init; } = true;

    /// <summary>
    /// The loaded-latency window model (default <see cref="Estimator.LoadedLatency.Off"/>),
    /// used where the traces carry memory counters and no calibration run is
    /// used: each window's time is split into a part that does not depend on
    /// memory latency and a part proportional to the accesses' mean latency,
    /// and a node that serves only part of the window's accesses queues less
    /// than in its single-device trace (docs/estimator.md, "Loaded latency").
    /// </summary>
    public LoadedLatency LoadedLatency { get; init; } = LoadedLatency.Off;

    /// <summary>
    /// Link latency in front of a node's controller, ns, by node name (a
    /// CXL-like node's added latency; nodes not named have none). The traces'
    /// memory counters time a read at the controller, without the link, so
    /// the loaded-latency model and the latencies the estimator reports add
    /// it to each read. The experiment loader fills it from the nodes.
    /// </summary>
    public IReadOnlyDictionary<string, double> LinkLatencyNs { get; init; } = new Dictionary<string, double>();

    /// <summary>
    /// Charge the cache refill after a migration on the dynamic backend
    /// (default false): the first window that touches a moved page again
    /// reads the lines the CPU touches there, beyond the memory accesses the
    /// traces show, from the page's new node. Needs traces recorded with the
    /// CPU's touches (<c>deepmem trace</c> records them).
    /// </summary>
    public bool Refill { get; init; }
}
