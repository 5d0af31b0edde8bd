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

    /// <summary>
    /// Largest number of items (regions, plus the pages outside them when the
    /// plan may place them) whose every subset is estimated when the estimator
    /// is nonlinear (2^n estimates of O(windows × regions) each); more use a
    /// local search from the linear plan.
    /// </summary>
    public int ExactNonlinearLimit { get; init; } = 12;

    /// <summary>Branch-and-bound node budget; when exceeded, the best plan found so far is returned as not proven optimal.</summary>
    public long MaxExploredNodes { get; init; } = 50_000_000;

    /// <summary>
    /// Charge each region its full length instead of its touched pages.
    /// Default false: under first-touch allocation only touched pages take
    /// memory, so a region's footprint is its pages seen in the traces.
    /// </summary>
    public bool ChargeFullRegionLength { get; init; }

    /// <summary>
    /// Where pages outside every region go, when the plan cannot choose it:
    /// a region policy places regions only, and the program image, stack and
    /// other unreported pages follow the simulator's default (Linux local:
    /// node 0). Null lets the search choose (then the plan's
    /// <see cref="PlacementPlan.OtherNode"/> must be applied as the default
    /// policy). When it is the fast node, their pages come off the capacity.
    /// </summary>
    public int? OtherPagesNode { get; init; }

    /// <summary>
    /// The search for a plan applied by a region policy under the simulator's
    /// default (Linux local) policy: pages outside every region and the
    /// untraced frames stay on node 0 (<c>deepmem optimize</c>).
    /// </summary>
    public static PlacementSearchOptions UnderLocalDefault(int fastNode, ulong capacityBytes) =>
        new() { FastNode = fastNode, CapacityBytes = capacityBytes, OtherPagesNode = 0 };
}
