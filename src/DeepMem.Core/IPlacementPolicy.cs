namespace DeepMem.Core;

/// <summary>
/// A placement policy: decides where each new region goes and which pages
/// migrate at the end of each epoch. The same instance runs unchanged on
/// every backend (gem5 or the estimator).
/// </summary>
/// <remarks>
/// A policy with options declares a public constructor taking one options
/// object (a class with settable properties); the experiment's
/// <c>policy.options</c> mapping is bound to it (see docs/policies.md for the
/// option types and the declared rules, e.g. <c>[Range]</c>).
/// Calls come one at a time, in simulation order, on a policy thread of the
/// host, each under a deadline (<c>policy.deadline</c>, 60 s by default): a
/// call that has not returned by then fails the run and is abandoned, since
/// a synchronous method cannot be aborted (see <see cref="PolicyCallGuard"/>).
/// Any exception, <see cref="OperationCanceledException"/> included, fails
/// the run with the policy's name, the call and the epoch.
/// </remarks>
public interface IPlacementPolicy
{
    /// <summary>Called once, before any other call, with the simulated machine.</summary>
    void Initialize(Topology topology);

    /// <summary>A region was created and not yet touched: choose its placement.</summary>
    RegionPlacement PlaceRegion(Region region);

    /// <summary>An epoch ended: return the pages to migrate now (may be empty).</summary>
    IReadOnlyList<PageMigration> OnEpoch(EpochReport report);
}
