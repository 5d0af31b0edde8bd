using DeepMem.Core;

namespace DeepMem.Tests.Estimator;

/// <summary>A policy for tests: placements by region order, migrations by epoch, and a record of every call.</summary>
internal sealed class ScriptedPolicy(Func<Region, int, RegionPlacement>? place = null, Func<EpochReport, IReadOnlyList<PageMigration>>? migrate = null)
    : IPlacementPolicy
{
    public Topology? Topology { get; private set; }

    public List<Region> Regions { get; } = [];

    public List<EpochReport> Reports { get; } = [];

    public void Initialize(Topology topology) => Topology = topology;

    public RegionPlacement PlaceRegion(Region region)
    {
        Regions.Add(region);
        return place?.Invoke(region, Regions.Count - 1) ?? RegionPlacement.Default;
    }

    public IReadOnlyList<PageMigration> OnEpoch(EpochReport report)
    {
        Reports.Add(report);
        return migrate?.Invoke(report) ?? [];
    }
}
