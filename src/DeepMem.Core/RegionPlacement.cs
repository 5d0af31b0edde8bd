namespace DeepMem.Core;

/// <summary>A policy's decision for one region.</summary>
/// <param name="Mode">Placement mode.</param>
/// <param name="Nodes">Nodes the mode uses (empty for Default).</param>
/// <param name="Weights">Interleave weights, one per node (empty: all 1).</param>
public sealed record RegionPlacement(PlacementMode Mode, IReadOnlyList<int> Nodes, IReadOnlyList<int> Weights)
{
    /// <summary>Leave the region to the simulator's default policy.</summary>
    public static RegionPlacement Default { get; } = new(PlacementMode.Default, [], []);

    /// <summary>Bind the region to one node.</summary>
    public static RegionPlacement Bind(int node) => new(PlacementMode.Bind, [node], []);

    /// <summary>Prefer one node, falling back when it is full.</summary>
    public static RegionPlacement Preferred(int node) => new(PlacementMode.Preferred, [node], []);

    /// <summary>Interleave pages over nodes; weights default to 1 each.</summary>
    public static RegionPlacement Interleave(IReadOnlyList<int> nodes, IReadOnlyList<int>? weights = null) =>
        new(PlacementMode.Interleave, nodes, weights ?? []);

    /// <summary>Equal when mode, nodes and weights are equal, item by item.</summary>
    public bool Equals(RegionPlacement? other) =>
        other is not null && Mode == other.Mode && Nodes.SequenceEqual(other.Nodes) && Weights.SequenceEqual(other.Weights);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Mode, Nodes.Count > 0 ? Nodes[0] : -1, Nodes.Count);

    /// <summary>Human-readable form, e.g. "bind(1)" or "interleave(0:3,1:1)".</summary>
    public override string ToString() => Mode switch
    {
        PlacementMode.Default => "default",
        PlacementMode.Interleave when Weights.Count == Nodes.Count && Weights.Count > 0 =>
            $"interleave({string.Join(",", Nodes.Zip(Weights, (n, w) => $"{n}:{w}"))})",
        _ => $"{Mode.ToString().ToLowerInvariant()}({string.Join(",", Nodes)})",
    };
}
