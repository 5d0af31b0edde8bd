namespace DeepMem.Core;

/// <summary>What a policy learns at the end of an epoch.</summary>
public sealed record EpochReport(
    ulong Epoch,
    ulong StartTick,
    ulong EndTick,
    ulong EpochInstructions,
    ulong TotalInstructions,
    IReadOnlyList<NodeStats> Nodes,
    PageCounts Pages,
    ulong MigratedPages,
    ulong MigrationTicks,
    IReadOnlyList<Rejection> RejectedMigrations)
{
    /// <summary>Simulated duration of the epoch in ticks.</summary>
    public ulong Ticks => EndTick - StartTick;

    /// <summary>
    /// Committed instructions of each core in the epoch, core 0 first (one per simulated core); empty when the
    /// simulator does not report them. <see cref="EpochInstructions"/> counts core 0 only.
    /// </summary>
    public IReadOnlyList<long> CoreInstructions { get; init; } = [];
}
