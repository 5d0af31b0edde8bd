namespace DeepMem.Core;

/// <summary>
/// A placement policy: decides where each new region goes and which pages
/// migrate at the end of each epoch. The same instance runs unchanged on
/// every backend (gem5 or the estimator).
/// </summary>
/// <remarks>
/// A policy with options declares a public constructor taking one options
/// object (a class with settable properties); the experiment's
/// <c>policy.options</c> mapping is bound to it. Calls come from one thread,
/// in simulation order.
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
