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
}
