using DeepMem.Core;

namespace DeepMem.Experiments.CrossCheck;

/// <summary>
/// A fixed placement per region id (the ids the simulator reports, the same
/// in a trace and in a live run of the same program); other regions get
/// <see cref="Other"/>. Never migrates.
/// </summary>
/// <param name="byId">Placement per region id.</param>
/// <param name="other">Placement of regions not in the plan.</param>
public sealed class RegionPlanPolicy(IReadOnlyDictionary<ulong, RegionPlacement> byId, RegionPlacement other) : IPlacementPolicy
{
    /// <summary>Placement of regions not in the plan.</summary>
    public RegionPlacement Other { get; } = other;

    /// <inheritdoc />
    public void Initialize(Topology topology)
    {
    }

    /// <inheritdoc />
    public RegionPlacement PlaceRegion(Region region) => byId.TryGetValue(region.Id, out var p) ? p : Other;

    /// <inheritdoc />
    public IReadOnlyList<PageMigration> OnEpoch(EpochReport report) => [];
}
