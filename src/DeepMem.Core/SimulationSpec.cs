namespace DeepMem.Core;

/// <summary>
/// Everything a backend needs to run one experiment point: the memory
/// system, the CPU, the workload and the run settings. Built and validated
/// from YAML by DeepMem.Experiments; immutable.
/// </summary>
public sealed record SimulationSpec
{
    /// <summary>Experiment name (used for output folders).</summary>
    public required string Name { get; init; }

    /// <summary>The memory nodes, in node-id order.</summary>
    public required IReadOnlyList<NodeSpec> Nodes { get; init; }

    /// <summary>CPU model and caches.</summary>
    public required CpuSpec Cpu { get; init; }

    /// <summary>The program to run.</summary>
    public required WorkloadSpec Workload { get; init; }

    /// <summary>Epoch length: committed instructions or simulated time (<c>epoch</c>); <see cref="EpochLength.None"/> = no epochs.</summary>
    public EpochLength Epoch { get; init; }

    /// <summary>
    /// Epoch length in committed instructions; 0 when the epoch is in
    /// simulated time (see <see cref="Epoch"/>). Setting it sets an
    /// instruction epoch.
    /// </summary>
    public ulong EpochInstructions
    {
        get => Epoch.Instructions;
        init => Epoch = EpochLength.OfInstructions(value);
    }

    /// <summary>Page size in bytes.</summary>
    public ulong PageSize { get; init; } = Gem5Defaults.PageSize;

    /// <summary>Migration cost model.</summary>
    public required MigrationCostSpec Migration { get; init; }

    /// <summary>Folder for this run's outputs.</summary>
    public required string OutputDir { get; init; }

    /// <summary>
    /// Longest host time one policy call may take before the run fails
    /// (<c>policy.deadline</c>); see <see cref="PolicyCallGuard"/>.
    /// </summary>
    public TimeSpan PolicyDeadline { get; init; } = PolicyCallGuard.DefaultDeadline;

    /// <summary>When set, the run also records a window trace of itself (what the cross-check compares window by window).</summary>
    public WindowTraceRequest? WindowTrace { get; init; }

    /// <summary>The topology a policy sees (base addresses are assigned contiguously).</summary>
    public Topology ToTopology()
    {
        ulong baseAddress = 0;
        var nodes = new List<NodeInfo>(Nodes.Count);
        for (var i = 0; i < Nodes.Count; i++)
        {
            var n = Nodes[i];
            nodes.Add(new NodeInfo(i, n.Name, n.Kind, baseAddress, n.CapacityBytes,
                n.ReadLatencyNs + n.ExtraLatencyNs, n.WriteLatencyNs + n.ExtraLatencyNs, n.BandwidthGBps));
            baseAddress += n.CapacityBytes;
        }

        return new Topology(nodes, PageSize, EpochInstructions) { EpochTicks = Epoch.Ticks, Cores = Cpu.Cores };
    }
}
