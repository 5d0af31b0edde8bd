namespace DeepMem.Core;

/// <summary>
/// A policy that places every region by one placement and never migrates:
/// the runs that record single-device traces (every page bound to one node)
/// and the calibration run (pages interleaved). Since it never decides
/// anything at run time, a backend may apply <see cref="Placement"/> itself
/// without a controller (gem5 runs it as its default policy, without the
/// bridge); any backend can also run it as an ordinary policy.
/// </summary>
/// <param name="placement">Where every page goes.</param>
public sealed class FixedPlacementPolicy(RegionPlacement placement) : IPlacementPolicy, INamedPolicy
{
    /// <summary>Where every page goes.</summary>
    public RegionPlacement Placement { get; } = placement;

    /// <inheritdoc />
    public string Name => $"fixed {Placement}";

    /// <inheritdoc />
    public void Initialize(Topology topology)
    {
    }

    /// <inheritdoc />
    public RegionPlacement PlaceRegion(Region region) => Placement;

    /// <inheritdoc />
    public IReadOnlyList<PageMigration> OnEpoch(EpochReport report) => [];
}
