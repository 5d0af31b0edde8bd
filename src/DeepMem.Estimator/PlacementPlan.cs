using DeepMem.Core;

namespace DeepMem.Estimator;

/// <summary>A static region placement chosen by <see cref="PlacementSearch"/>, with its estimate.</summary>
/// <param name="RegionNodes">Node of each region, in trace region order.</param>
/// <param name="OtherNode">Node of the pages outside every region.</param>
/// <param name="Microseconds">Estimated run time of the plan.</param>
/// <param name="FastNode">The capacity-limited node.</param>
/// <param name="FastBytesUsed">Fast-node bytes the plan uses (footprints of the regions placed there).</param>
/// <param name="CapacityBytes">The fast-node limit the plan respects.</param>
/// <param name="Method">"exact" (branch and bound) or "greedy" (benefit per byte); with a nonlinear estimator "exhaustive" (every subset that fits) or the linear method + "+local" (a local search after it).</param>
/// <param name="ProvenOptimal">True when the exact or exhaustive search finished within its budget.</param>
/// <param name="ExploredNodes">Branch-and-bound nodes visited (0 for greedy), or placements estimated by the nonlinear search.</param>
public sealed record PlacementPlan(
    IReadOnlyList<int> RegionNodes,
    int OtherNode,
    double Microseconds,
    int FastNode,
    ulong FastBytesUsed,
    ulong CapacityBytes,
    string Method,
    bool ProvenOptimal,
    long ExploredNodes)
{
    /// <summary>The plan as a static placement (every region bound to its node).</summary>
    public StaticPlacement ToStaticPlacement() => StaticPlacement.FromNodes(RegionNodes, OtherNode);

    /// <summary>The plan as one region placement per region, e.g. for a bind policy.</summary>
    public IReadOnlyList<RegionPlacement> ToRegionPlacements() => RegionNodes.Select(RegionPlacement.Bind).ToList();
}
