using DeepMem.Core;

namespace DeepMem.Estimator;

/// <summary>
/// Weighted page interleave by page index within the region, as Linux
/// weighted interleave does for a VMA: with weights w_0..w_k over nodes
/// n_0..n_k and P = sum w, page i goes to the node whose slot range holds
/// i mod P (node n_0 owns slots [0, w_0), n_1 the next w_1, ...).
/// </summary>
internal static class InterleavePattern
{
    /// <summary>Position in <paramref name="placement"/>.Nodes of the node that page <paramref name="pageIndex"/> belongs to.</summary>
    public static int Slot(RegionPlacement placement, ulong pageIndex)
    {
        var nodes = placement.Nodes;
        var weights = placement.Weights;
        if (weights.Count == 0)
        {
            return (int)(pageIndex % (ulong)nodes.Count);
        }

        ulong total = 0;
        foreach (var w in weights)
        {
            total += (ulong)w;
        }

        var target = pageIndex % total;
        for (var i = 0; i < weights.Count; i++)
        {
            if (target < (ulong)weights[i])
            {
                return i;
            }

            target -= (ulong)weights[i];
        }

        return weights.Count - 1;
    }

    /// <summary>The node page <paramref name="pageIndex"/> of an interleaved region goes to.</summary>
    public static int Node(RegionPlacement placement, ulong pageIndex) => placement.Nodes[Slot(placement, pageIndex)];

    /// <summary>Every problem with a placement for <paramref name="nodeCount"/> nodes; empty when valid.</summary>
    public static string? Check(RegionPlacement placement, int nodeCount)
    {
        if (placement.Mode == PlacementMode.Default)
        {
            return null;
        }

        if (placement.Nodes.Count == 0)
        {
            return $"{placement}: mode {placement.Mode} needs at least one node";
        }

        foreach (var n in placement.Nodes)
        {
            if (n < 0 || n >= nodeCount)
            {
                return $"{placement}: node {n} does not exist (nodes: {nodeCount})";
            }
        }

        if (placement.Mode == PlacementMode.Interleave && placement.Weights.Count > 0)
        {
            if (placement.Weights.Count != placement.Nodes.Count)
            {
                return $"{placement}: {placement.Weights.Count} weights for {placement.Nodes.Count} nodes";
            }

            if (placement.Weights.Any(w => w <= 0))
            {
                return $"{placement}: interleave weights must be greater than zero (were {string.Join(",", placement.Weights)})";
            }
        }

        return null;
    }
}
