using System.ComponentModel.DataAnnotations;
using DeepMem.Core;

namespace DeepMem.Policies.BuiltIn;

/// <summary>Options of <see cref="FirstTouchPolicy"/>.</summary>
public sealed class FirstTouchOptions
{
    /// <summary>Preferred node; -1 means the fastest node.</summary>
    [PolicyOption("preferred node id; -1 = the fastest node (lowest read latency)")]
    [Range(-1, int.MaxValue)]
    public int Node { get; set; } = -1;
}

/// <summary>
/// Linux's default: every page goes to the preferred node on first touch
/// until it is full, then spills to the next node (MPOL_PREFERRED). Never
/// migrates.
/// </summary>
public sealed class FirstTouchPolicy(FirstTouchOptions options) : IPlacementPolicy
{
    private int _node;

    /// <inheritdoc />
    public void Initialize(Topology topology)
    {
        if (options.Node >= topology.Nodes.Count)
        {
            throw new ArgumentException($"node {options.Node} out of range (nodes: {topology.Nodes.Count})");
        }

        _node = options.Node < 0 ? topology.FastestNode.Id : options.Node;
    }

    /// <inheritdoc />
    public RegionPlacement PlaceRegion(Region region) => RegionPlacement.Preferred(_node);

    /// <inheritdoc />
    public IReadOnlyList<PageMigration> OnEpoch(EpochReport report) => [];
}
