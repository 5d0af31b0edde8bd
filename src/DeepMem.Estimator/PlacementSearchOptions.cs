namespace DeepMem.Estimator;

/// <summary>Settings of <see cref="PlacementSearch"/>.</summary>
public sealed record PlacementSearchOptions
{
    /// <summary>The capacity-limited fast node; null: the node whose trace is fastest.</summary>
    public int? FastNode { get; init; }

    /// <summary>
    /// Fast-node bytes the plan may use, usually the experiment's capacity of
    /// that node. Required: the capacities in trace headers are those of the
    /// tracing runs (which give the bound node room for everything).
    /// </summary>
    public ulong? CapacityBytes { get; init; }

    /// <summary>Largest number of candidate regions solved exactly (branch and bound); more use the greedy heuristic.</summary>
    public int ExactRegionLimit { get; init; } = 24;

    /// <summary>Branch-and-bound node budget; when exceeded, the best plan found so far is returned as not proven optimal.</summary>
    public long MaxExploredNodes { get; init; } = 50_000_000;

    /// <summary>
    /// Charge each region its full length instead of its touched pages.
    /// Default false: under first-touch allocation only touched pages take
    /// memory, so a region's footprint is its pages seen in the traces.
    /// </summary>
    public bool ChargeFullRegionLength { get; init; }
}
