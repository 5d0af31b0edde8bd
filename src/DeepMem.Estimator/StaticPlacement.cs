using DeepMem.Core;

namespace DeepMem.Estimator;

/// <summary>
/// A placement that does not change during the run: one
/// <see cref="RegionPlacement"/> per trace region (index = position in
/// <see cref="TraceSet.Regions"/>) and a node for pages outside every region.
/// The static estimate ignores capacity: Default puts a region on node 0,
/// Bind and Preferred on their first node, Interleave by
/// virtual page number over the nodes in ascending id order, as Linux and
/// the patched gem5 interleave a VMA (see <see cref="InterleavePattern"/>).
/// </summary>
/// <param name="Regions">One placement per region, in trace order.</param>
/// <param name="OtherNode">Node of pages that lie in no region.</param>
public sealed record StaticPlacement(IReadOnlyList<RegionPlacement> Regions, int OtherNode = 0)
{
    /// <summary>Every region (and the other pages) on <paramref name="node"/>.</summary>
    public static StaticPlacement AllOn(int node, int regionCount) =>
        new(Enumerable.Repeat(RegionPlacement.Bind(node), regionCount).ToList(), node);

    /// <summary>Region i bound to <paramref name="regionNodes"/>[i].</summary>
    public static StaticPlacement FromNodes(IReadOnlyList<int> regionNodes, int otherNode = 0) =>
        new(regionNodes.Select(RegionPlacement.Bind).ToList(), otherNode);

    /// <summary>Every region interleaved over <paramref name="nodes"/> with <paramref name="weights"/>; other pages on <paramref name="otherNode"/>.</summary>
    public static StaticPlacement InterleaveAll(int regionCount, IReadOnlyList<int> nodes, IReadOnlyList<int> weights, int otherNode = 0) =>
        new(Enumerable.Repeat(RegionPlacement.Interleave(nodes, weights), regionCount).ToList(), otherNode);

    /// <summary>Short text, e.g. "[bind(0), interleave(0:1,1:3)] other 0".</summary>
    public override string ToString() => $"[{string.Join(", ", Regions)}] other {OtherNode}";
}
