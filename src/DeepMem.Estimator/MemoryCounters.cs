namespace DeepMem.Estimator;

/// <summary>
/// What one node's memory interface served in one trace window (gem5's
/// <c>readBursts</c>, <c>writeBursts</c>, <c>totMemAccLat</c> and
/// <c>totQLat</c> of <c>system.memory.mem_ctrlsN.dram</c>, over the window):
/// the evidence for bandwidth and memory-level parallelism per window.
/// </summary>
/// <param name="Reads">Read bursts the device served (64-byte lines; reads that hit the write queue are not counted).</param>
/// <param name="Writes">Write bursts the device served.</param>
/// <param name="ReadLatencyTicks">Summed latency of those reads, from arrival at the controller to data.</param>
/// <param name="QueueTicks">The part of <paramref name="ReadLatencyTicks"/> the reads waited before their burst (for NVM it includes the media read).</param>
public readonly record struct MemoryCounters(ulong Reads, ulong Writes, ulong ReadLatencyTicks, ulong QueueTicks)
{
    /// <summary>Mean latency of one read, in ticks; 0 without reads.</summary>
    public double MeanReadLatency => Reads == 0 ? 0 : (double)ReadLatencyTicks / Reads;

    /// <summary>Mean latency of one read in ns, for a trace of <paramref name="ticksPerSecond"/>; 0 without reads.</summary>
    public double MeanReadLatencyNs(double ticksPerSecond) => MeanReadLatency / ticksPerSecond * 1e9;

    /// <summary>
    /// Reads in flight at the device on average over a window of
    /// <paramref name="windowTicks"/> (Little's law: summed latency over
    /// time): the memory-level parallelism the device saw.
    /// </summary>
    public double ReadsInFlight(ulong windowTicks) => windowTicks == 0 ? 0 : (double)ReadLatencyTicks / windowTicks;
}
