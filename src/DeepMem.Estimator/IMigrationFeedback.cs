namespace DeepMem.Estimator;

/// <summary>Why the estimator refused one migration.</summary>
public enum MigrationProblem
{
    /// <summary>The target node does not exist.</summary>
    NoSuchNode,

    /// <summary>The page was never touched (no frame yet) or is not in the traces.</summary>
    NotMapped,

    /// <summary>The target node has no free frame.</summary>
    NodeFull,
}

/// <summary>One refused migration: its index in the policy's list and why.</summary>
public readonly record struct MigrationRefusal(int Index, MigrationProblem Problem);

/// <summary>
/// Optional for a policy run on the estimator: told, right after the
/// estimator applied the migrations an <see cref="Core.IPlacementPolicy.OnEpoch"/>
/// call returned, which items it refused (the rest were applied; a page
/// already on its target counts as applied). The deepmem.v1 server uses it
/// to send each reply's verdict with the next event, as gem5 does; the call
/// comes on the replay's thread, outside the policy's deadline guard.
/// </summary>
public interface IMigrationFeedback
{
    /// <summary>The verdict on the last <see cref="Core.IPlacementPolicy.OnEpoch"/> answer of <paramref name="count"/> items.</summary>
    void MigrationsApplied(int count, IReadOnlyList<MigrationRefusal> refused);
}
