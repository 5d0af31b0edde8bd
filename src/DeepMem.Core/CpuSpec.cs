namespace DeepMem.Core;

/// <summary>CPU model and classic cache sizes.</summary>
/// <param name="Model">"o3" or "timing".</param>
/// <param name="FrequencyHz">Core clock.</param>
/// <param name="L1DBytes">L1 data cache size.</param>
/// <param name="L1IBytes">L1 instruction cache size.</param>
/// <param name="L2Bytes">L2 (last-level) cache size.</param>
public sealed record CpuSpec(string Model, double FrequencyHz, ulong L1DBytes, ulong L1IBytes, ulong L2Bytes);
