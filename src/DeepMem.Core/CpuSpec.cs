namespace DeepMem.Core;

/// <summary>CPU model and classic cache sizes.</summary>
/// <param name="Model">"o3" or "timing".</param>
/// <param name="FrequencyHz">Core clock.</param>
/// <param name="L1DBytes">L1 data cache size.</param>
/// <param name="L1IBytes">L1 instruction cache size.</param>
/// <param name="L2Bytes">L2 (last-level) cache size.</param>
public sealed record CpuSpec(string Model, double FrequencyHz, ulong L1DBytes, ulong L1IBytes, ulong L2Bytes)
{
    /// <summary>Most cores a CPU may have (<c>cpu.cores</c>).</summary>
    public const int MaxCores = 64;

    /// <summary>
    /// CPU cores, one thread context each (<c>cpu.cores</c>, 1 to
    /// <see cref="MaxCores"/>); each core has private L1s, the L2 is shared.
    /// Left out of serialized settings when 1, so single-core keys stay as they were.
    /// </summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public int Cores { get; init; } = 1;
}
