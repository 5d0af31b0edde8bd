namespace DeepMem.Core.Tiering;

/// <summary>
/// Two tiers over the nodes: the fast tier is the node with the lowest read
/// latency (or a chosen node), the slow tier is every other node, fastest
/// first. Demotions go to the fastest slow node with room.
/// </summary>
public sealed class TierLayout
{
    /// <summary>Builds the layout; <paramref name="fastNode"/> -1 picks the fastest node.</summary>
    public TierLayout(Topology topology, int fastNode = -1)
    {
        if (fastNode >= topology.Nodes.Count)
        {
            throw new ArgumentException($"fast_node {fastNode} out of range (nodes: {topology.Nodes.Count})");
        }

        if (topology.Nodes.Count < 2)
        {
            throw new ArgumentException($"a tiering policy needs at least 2 nodes (nodes: {topology.Nodes.Count})");
        }

        Topology = topology;
        FastNode = fastNode < 0 ? topology.FastestNode.Id : fastNode;
        SlowNodes = topology.NodesFastestFirst.Select(n => n.Id).Where(n => n != FastNode).ToList();
        FastCapacityPages = topology.CapacityPages(FastNode);
    }

    /// <summary>The machine.</summary>
    public Topology Topology { get; }

    /// <summary>The fast node.</summary>
    public int FastNode { get; }

    /// <summary>The other nodes, fastest first.</summary>
    public IReadOnlyList<int> SlowNodes { get; }

    /// <summary>Capacity of the fast node in pages.</summary>
    public ulong FastCapacityPages { get; }

    /// <summary>True for the fast node.</summary>
    public bool IsFast(int node) => node == FastNode;

    /// <summary>The fastest slow node with a free page in <paramref name="plan"/>, or -1.</summary>
    public int DemotionTarget(MigrationPlan plan)
    {
        foreach (var n in SlowNodes)
        {
            if (plan.Free(n) > 0)
            {
                return n;
            }
        }

        return -1;
    }

    /// <summary>Simulated seconds of an epoch.</summary>
    public double Seconds(EpochReport report) => report.Ticks / (double)Math.Max(1UL, Topology.TicksPerSecond);
}
