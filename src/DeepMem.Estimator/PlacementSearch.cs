namespace DeepMem.Estimator;

/// <summary>
/// Finds the static region→node placement with the lowest estimate when
/// one node (the fast one) holds at most a given number of bytes and the
/// others are unlimited. The search ranks with the linear estimate; with a
/// nonlinear estimator (<see cref="DifferentialEstimator.Nonlinear"/>:
/// calibrated, or the loaded-latency model) it then searches again with that
/// estimate: every subset of the items that fits when there are at most
/// <see cref="PlacementSearchOptions.ExactNonlinearLimit"/> of them
/// ("exhaustive", proven optimal for that estimate), else a local search of
/// single moves from the linear plan (method "+local", not proven).
/// </summary>
/// <remarks>
/// <para>
/// The static estimate is C + Σ_i K[i, n_i] over the items i (the regions,
/// plus the pages outside every region as one more item); see
/// <see cref="DifferentialEstimator"/>. Off the fast node F an item goes to
/// its cheapest other node, s_i = min_{d≠F} K[i, d]; on F it costs
/// f_i = K[i, F]. With benefit b_i = s_i − f_i and size c_i (touched pages ×
/// page size), the best plan maximises Σ b_i over a set of items with
/// Σ c_i ≤ capacity: a 0/1 knapsack. Items with b_i ≤ 0 never go to F.
/// </para>
/// <para>
/// Exact (at most <see cref="PlacementSearchOptions.ExactRegionLimit"/> candidate
/// items): depth-first branch and bound over items sorted by benefit per byte,
/// pruned with the fractional (Dantzig) bound. Heuristic (more items):
/// greedy by benefit per byte, taking each item that still fits, then the
/// better of that and the single most beneficial item that fits; this is
/// never worse than half the optimum benefit.
/// </para>
/// </remarks>
public static class PlacementSearch
{
    /// <summary>Searches the best plan for <paramref name="estimator"/> under <paramref name="options"/>.</summary>
    public static PlacementPlan FindBest(DifferentialEstimator estimator, PlacementSearchOptions options)
    {
        var ix = estimator.Index;
        var n = ix.N;
        var fast = options.FastNode ?? ix.Set.FastestNode;
        if ((uint)fast >= (uint)n)
        {
            throw new ArgumentException($"fast node {fast} does not exist (nodes: {n})");
        }

        var capacityBytes = options.CapacityBytes
            ?? throw new ArgumentException("the fast node's capacity is required (PlacementSearchOptions.CapacityBytes): the traces' header capacities are those of the tracing runs");
        var pageSize = ix.PageSize;
        var capacity = capacityBytes / pageSize;

        // Items: regions 0..R-1, then "other" pages as item R.
        var items = ix.R + 1;
        var slowNode = new int[items];
        var slowCost = new double[items];
        var fastCost = new double[items];
        var size = new ulong[items];
        for (var i = 0; i < items; i++)
        {
            var coeff = i < ix.R ? ix.RegionCoeff.AsSpan(i * n, n) : ix.OtherCoeff.AsSpan();
            var best = -1;
            for (var d = 0; d < n; d++)
            {
                if (d != fast && (best < 0 || coeff[d] < coeff[best]))
                {
                    best = d;
                }
            }

            fastCost[i] = coeff[fast];
            slowNode[i] = best < 0 ? fast : best;
            slowCost[i] = best < 0 ? coeff[fast] : coeff[best];
            size[i] = i < ix.R
                ? (options.ChargeFullRegionLength ? ix.Set.Regions[i].ToRegion().PageCount(pageSize) : (ulong)ix.RegionPages[i].Length)
                : (ulong)ix.OtherPages.Length + ix.Set.MaxUntracedFrames(); // the frames no window touches (image, page tables) go where the other pages go
        }

        if (options.OtherPagesNode is { } pinned)
        {
            if ((uint)pinned >= (uint)n)
            {
                throw new ArgumentException($"other-pages node {pinned} does not exist (nodes: {n})");
            }

            slowNode[ix.R] = pinned;
            if (pinned == fast)
            {
                // Unreported pages and the frames no window touches (program image, page tables) stay there.
                capacity = capacity > size[ix.R] ? capacity - size[ix.R] : 0;
            }
        }

        // Candidates: positive benefit and a size that fits at all (pinned "other" pages are not a choice).
        var candidates = Enumerable.Range(0, items)
            .Where(i => !(i == ix.R && options.OtherPagesNode is not null))
            .Where(i => slowCost[i] - fastCost[i] > 0 && size[i] <= capacity)
            .OrderByDescending(i => (slowCost[i] - fastCost[i]) / Math.Max(size[i], 1))
            .ToArray();
        var benefit = candidates.Select(i => slowCost[i] - fastCost[i]).ToArray();
        var weight = candidates.Select(i => size[i]).ToArray();

        bool[] take;
        string method;
        var optimal = true;
        long explored = 0;
        if (candidates.Length <= options.ExactRegionLimit)
        {
            method = "exact";
            take = BranchAndBound(benefit, weight, capacity, options.MaxExploredNodes, out explored, out optimal);
        }
        else
        {
            method = "greedy";
            optimal = false;
            take = Greedy(benefit, weight, capacity);
        }

        var nodes = (int[])slowNode.Clone();
        ulong used = 0;
        for (var k = 0; k < candidates.Length; k++)
        {
            if (take[k])
            {
                nodes[candidates[k]] = fast;
                used += weight[k];
            }
        }

        if (estimator.Nonlinear)
        {
            // The knapsack ranked with the linear form; the calibrated one
            // can prefer a split (both nodes' bandwidth at once), so the plan
            // is searched again with the estimate it reports.
            var free = Enumerable.Range(0, items)
                .Where(i => !(i == ix.R && options.OtherPagesNode is not null) && size[i] <= capacity).ToArray();
            (nodes, used, method, optimal, explored) = free.Length <= options.ExactNonlinearLimit
                ? Exhaustive(estimator, free, slowNode, size, fast, capacity)
                : LocalSearch(estimator, free, nodes, slowNode, size, fast, capacity, method, explored);
        }

        var regionNodes = nodes[..ix.R];
        var other = nodes[ix.R];
        if (options.OtherPagesNode == fast)
        {
            used += size[ix.R];
        }

        return new PlacementPlan(regionNodes, other, estimator.EstimateRegionNodes(regionNodes, other), fast,
            used * pageSize, capacityBytes, method, optimal, explored);
    }

    /// <summary>Every subset of <paramref name="free"/> on the fast node that fits, ranked by the estimator's own (nonlinear) estimate.</summary>
    private static (int[] Nodes, ulong Used, string Method, bool Optimal, long Explored) Exhaustive(DifferentialEstimator estimator,
        int[] free, int[] slowNode, ulong[] size, int fast, ulong capacity)
    {
        var r = estimator.Index.R;
        var nodes = (int[])slowNode.Clone();
        int[] best = [];
        ulong bestUsed = 0;
        var bestValue = double.MaxValue;
        long explored = 0;
        for (var mask = 0; mask < 1 << free.Length; mask++)
        {
            ulong used = 0;
            for (var k = 0; k < free.Length; k++)
            {
                var on = (mask >> k & 1) == 1;
                nodes[free[k]] = on ? fast : slowNode[free[k]];
                used += on ? size[free[k]] : 0;
            }

            if (used > capacity)
            {
                continue;
            }

            explored++;
            var value = estimator.EstimateRegionNodes(nodes.AsSpan(0, r), nodes[r]);
            if (value < bestValue)
            {
                (best, bestUsed, bestValue) = ((int[])nodes.Clone(), used, value);
            }
        }

        return (best, bestUsed, "exhaustive", true, explored);
    }

    /// <summary>
    /// From the linear plan, moves one item of <paramref name="free"/> to or
    /// off the fast node while that lowers the estimator's own estimate and
    /// fits: a local optimum, not a proven one.
    /// </summary>
    private static (int[] Nodes, ulong Used, string Method, bool Optimal, long Explored) LocalSearch(DifferentialEstimator estimator,
        int[] free, int[] start, int[] slowNode, ulong[] size, int fast, ulong capacity, string method, long explored)
    {
        var r = estimator.Index.R;
        var nodes = (int[])start.Clone();
        ulong used = 0;
        foreach (var i in free)
        {
            used += nodes[i] == fast ? size[i] : 0;
        }

        var value = estimator.EstimateRegionNodes(nodes.AsSpan(0, r), nodes[r]);
        for (var improved = true; improved;)
        {
            improved = false;
            foreach (var i in free)
            {
                var toFast = nodes[i] != fast;
                if (toFast && used + size[i] > capacity)
                {
                    continue;
                }

                nodes[i] = toFast ? fast : slowNode[i];
                explored++;
                var moved = estimator.EstimateRegionNodes(nodes.AsSpan(0, r), nodes[r]);
                if (moved < value * (1 - 1e-12))
                {
                    (value, improved) = (moved, true);
                    used = toFast ? used + size[i] : used - size[i];
                }
                else
                {
                    nodes[i] = toFast ? slowNode[i] : fast;
                }
            }
        }

        return (nodes, used, method + "+local", false, explored);
    }

    private static bool[] Greedy(double[] benefit, ulong[] weight, ulong capacity)
    {
        var take = new bool[benefit.Length];
        ulong used = 0;
        double total = 0;
        for (var k = 0; k < benefit.Length; k++)
        {
            if (used + weight[k] <= capacity)
            {
                take[k] = true;
                used += weight[k];
                total += benefit[k];
            }
        }

        var bestSingle = -1;
        for (var k = 0; k < benefit.Length; k++)
        {
            if (weight[k] <= capacity && (bestSingle < 0 || benefit[k] > benefit[bestSingle]))
            {
                bestSingle = k;
            }
        }

        if (bestSingle >= 0 && benefit[bestSingle] > total)
        {
            take = new bool[benefit.Length];
            take[bestSingle] = true;
        }

        return take;
    }

    /// <summary>0/1 knapsack by depth-first branch and bound; items sorted by benefit per unit weight.</summary>
    private static bool[] BranchAndBound(double[] benefit, ulong[] weight, ulong capacity, long budget, out long explored, out bool complete)
    {
        var m = benefit.Length;
        var best = Greedy(benefit, weight, capacity);
        var bestValue = Sum(benefit, best);
        var current = new bool[m];
        long visited = 0;
        var stopped = false;

        double Bound(int k, ulong room, double value)
        {
            for (; k < m; k++)
            {
                if (weight[k] <= room)
                {
                    room -= weight[k];
                    value += benefit[k];
                }
                else
                {
                    return value + benefit[k] * room / weight[k];
                }
            }

            return value;
        }

        void Visit(int k, ulong room, double value)
        {
            if (stopped)
            {
                return;
            }

            if (++visited > budget)
            {
                stopped = true;
                return;
            }

            if (k == m)
            {
                if (value > bestValue)
                {
                    bestValue = value;
                    best = (bool[])current.Clone();
                }

                return;
            }

            if (Bound(k, room, value) <= bestValue * (1 + 1e-12))
            {
                return;
            }

            if (weight[k] <= room)
            {
                current[k] = true;
                Visit(k + 1, room - weight[k], value + benefit[k]);
                current[k] = false;
            }

            Visit(k + 1, room, value);
        }

        Visit(0, capacity, 0);
        explored = visited;
        complete = !stopped;
        return best;
    }

    private static double Sum(double[] benefit, bool[] take)
    {
        double s = 0;
        for (var k = 0; k < take.Length; k++)
        {
            if (take[k])
            {
                s += benefit[k];
            }
        }

        return s;
    }
}
