using DeepMem.Core;

namespace DeepMem.Estimator;

/// <summary>
/// Weighted page interleave the way Linux (and the patched gem5's
/// DeepMemNuma) places the pages of a VMA: the interleave index of a page is
/// its offset in the mapping, which for anonymous memory is its virtual page
/// number, and the nodes are walked in ascending id order, as a nodemask is,
/// whatever order the placement lists them in. With weights w_n and
/// P = Σ w, page v goes to the node whose slot range holds v mod P (the
/// lowest node owns slots [0, w), the next one the following w', ...).
/// A node listed twice keeps the weight listed last, as gem5 applies them.
/// </summary>
internal static class InterleavePattern
{
    /// <summary>
    /// Position in <paramref name="placement"/>.Nodes of the node that the
    /// page with virtual page number <paramref name="vpn"/> belongs to (of a
    /// node listed twice, its last position). Allocation-free: it runs per page.
    /// </summary>
    public static int Slot(RegionPlacement placement, ulong vpn)
    {
        var nodes = placement.Nodes;
        ulong total = 0;
        for (var i = 0; i < nodes.Count; i++)
        {
            if (IsLastListing(nodes, i))
            {
                total += Weight(placement, i);
            }
        }

        var target = vpn % total;
        var previous = int.MinValue;
        while (true)
        {
            // The next node in ascending id order, at its last listing.
            var next = -1;
            for (var i = 0; i < nodes.Count; i++)
            {
                if (nodes[i] > previous && IsLastListing(nodes, i) && (next < 0 || nodes[i] < nodes[next]))
                {
                    next = i;
                }
            }

            var w = Weight(placement, next);
            if (target < w)
            {
                return next;
            }

            target -= w;
            previous = nodes[next];
        }
    }

    private static bool IsLastListing(IReadOnlyList<int> nodes, int i)
    {
        for (var j = i + 1; j < nodes.Count; j++)
        {
            if (nodes[j] == nodes[i])
            {
                return false;
            }
        }

        return true;
    }

    private static ulong Weight(RegionPlacement placement, int i) => placement.Weights.Count == 0 ? 1UL : (ulong)placement.Weights[i];

    /// <summary>Node of each slot of the pattern: the page with virtual page number v goes to <c>table[v % table.Length]</c>.</summary>
    public static int[] SlotTable(RegionPlacement placement)
    {
        var nodes = placement.Nodes;
        var weights = placement.Weights;
        var weightOf = new SortedDictionary<int, int>();
        for (var i = 0; i < nodes.Count; i++)
        {
            weightOf[nodes[i]] = weights.Count == 0 ? 1 : weights[i];
        }

        var table = new List<int>();
        foreach (var (node, weight) in weightOf)
        {
            for (var k = 0; k < weight; k++)
            {
                table.Add(node);
            }
        }

        return table.ToArray();
    }

    /// <summary>The node the page with virtual page number <paramref name="vpn"/> of an interleaved region goes to.</summary>
    public static int Node(RegionPlacement placement, ulong vpn) => placement.Nodes[Slot(placement, vpn)];

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
