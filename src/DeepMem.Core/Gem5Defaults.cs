namespace DeepMem.Core;

/// <summary>The simulated machine's constants where a message or a trace leaves them out: gem5's x86-64 SE mode.</summary>
public static class Gem5Defaults
{
    /// <summary>gem5 ticks per simulated second (one tick is a picosecond).</summary>
    public const ulong TicksPerSecond = 1_000_000_000_000UL;

    /// <summary>Page size in bytes of x86-64 SE mode.</summary>
    public const ulong PageSize = 4096;
}
