using DeepMem.Core;

namespace DeepMem.Tests.Policies;

/// <summary>Wraps a policy and records what it saw and decided.</summary>
internal sealed class RecordingPolicy(IPlacementPolicy inner) : IPlacementPolicy
{
    public Topology? Topology { get; private set; }

    public List<EpochReport> Reports { get; } = [];

    public List<IReadOnlyList<PageMigration>> Decisions { get; } = [];

    public List<RegionPlacement> Placements { get; } = [];

    public void Initialize(Topology topology)
    {
        Topology = topology;
        inner.Initialize(topology);
    }

    public RegionPlacement PlaceRegion(Region region)
    {
        var p = inner.PlaceRegion(region);
        Placements.Add(p);
        return p;
    }

    public IReadOnlyList<PageMigration> OnEpoch(EpochReport report)
    {
        Reports.Add(report);
        var d = inner.OnEpoch(report);
        Decisions.Add(d.ToList());
        return d;
    }
}
