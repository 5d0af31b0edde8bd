using DeepMem.Core;

namespace DeepMem.Tests.Bridge;

/// <summary>A policy for protocol tests: records what it was called with and answers by the functions given.</summary>
internal sealed class RecordingPolicy : IPlacementPolicy
{
    public Func<Region, RegionPlacement> Place { get; init; } = _ => RegionPlacement.Default;

    public Func<EpochReport, IReadOnlyList<PageMigration>> Epoch { get; init; } = _ => [];

    public Topology? Topology { get; private set; }

    public List<Region> Regions { get; } = [];

    public List<EpochReport> Epochs { get; } = [];

    public void Initialize(Topology topology) => Topology = topology;

    public RegionPlacement PlaceRegion(Region region)
    {
        Regions.Add(region);
        return Place(region);
    }

    public IReadOnlyList<PageMigration> OnEpoch(EpochReport report)
    {
        Epochs.Add(report);
        return Epoch(report);
    }
}
