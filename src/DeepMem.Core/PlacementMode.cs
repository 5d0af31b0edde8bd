namespace DeepMem.Core;

/// <summary>How a region's pages are placed on first touch (Linux mempolicy modes).</summary>
public enum PlacementMode
{
    /// <summary>The simulator's default: first touch on node 0, spilling to the next node when full.</summary>
    Default,
    /// <summary>Only on the given nodes (MPOL_BIND).</summary>
    Bind,
    /// <summary>On the first given node, falling back when it is full (MPOL_PREFERRED).</summary>
    Preferred,
    /// <summary>Page round robin over the given nodes with integer weights (MPOL_WEIGHTED_INTERLEAVE).</summary>
    Interleave,
}
