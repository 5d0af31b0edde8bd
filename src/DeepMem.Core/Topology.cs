namespace DeepMem.Core;

/// <summary>The simulated machine as a policy sees it.</summary>
/// <param name="Nodes">The nodes, indexed by id.</param>
/// <param name="PageSize">Page size in bytes.</param>
/// <param name="EpochInstructions">Epoch length in committed instructions (0: no epochs, or epochs in simulated time: <see cref="EpochTicks"/>).</param>
/// <param name="TicksPerSecond">Simulator ticks per simulated second.</param>
public sealed record Topology(
    IReadOnlyList<NodeInfo> Nodes,
    ulong PageSize,
    ulong EpochInstructions,
    ulong TicksPerSecond = Gem5Defaults.TicksPerSecond)
{
    /// <summary>Epoch length in simulated ticks when the epoch is in simulated time; 0 for instruction epochs.</summary>
    public ulong EpochTicks { get; init; }

    /// <summary>CPU cores of the simulated machine (1 unless the simulator says otherwise).</summary>
    public int Cores { get; init; } = 1;

    /// <summary>The node with the lowest read latency (ties: lowest id).</summary>
    public NodeInfo FastestNode =>
        Nodes.OrderBy(n => n.ReadLatencyNs).ThenBy(n => n.Id).First();

    /// <summary>Nodes ordered fastest first (read latency, then id).</summary>
    public IReadOnlyList<NodeInfo> NodesFastestFirst =>
        Nodes.OrderBy(n => n.ReadLatencyNs).ThenBy(n => n.Id).ToList();

    /// <summary>Capacity of node <paramref name="node"/> in pages.</summary>
    public ulong CapacityPages(int node) => Nodes[node].CapacityPages(PageSize);
}
