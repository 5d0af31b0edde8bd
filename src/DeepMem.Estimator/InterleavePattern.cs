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

    /// <summary>Node of each slot of the pattern: page i goes to <c>table[i % table.Length]</c>.</summary>
    public static int[] SlotTable(RegionPlacement placement)
    {
        var nodes = placement.Nodes;
        var weights = placement.Weights;
        if (weights.Count == 0)
        {
            return nodes.ToArray();
        }

        var table = new List<int>();
        for (var i = 0; i < nodes.Count; i++)
        {
            for (var k = 0; k < weights[i]; k++)
            {
                table.Add(nodes[i]);
            }
        }

        return table.ToArray();
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

        var nodes = placement.Nodes;
        for (var i = 0; i < nodes.Count; i++)
        {
            if (nodes[i] < 0 || nodes[i] >= nodeCount)
            {
                return $"{placement}: node {nodes[i]} does not exist (nodes: {nodeCount})";
            }
        }

        if (placement.Mode == PlacementMode.Interleave && placement.Weights.Count > 0)
        {
            if (placement.Weights.Count != placement.Nodes.Count)
            {
                return $"{placement}: {placement.Weights.Count} weights for {placement.Nodes.Count} nodes";
            }

            var positive = true;
            for (var i = 0; i < placement.Weights.Count; i++)
            {
                positive &= placement.Weights[i] > 0;
            }

            if (!positive)
            {
                return $"{placement}: interleave weights must be greater than zero (were {string.Join(",", placement.Weights)})";
            }
        }

        return null;
    }
}
