using System.ComponentModel.DataAnnotations;

namespace DeepMem.Core.Tiering;

/// <summary>
/// Options every tiering policy has: which node is the fast tier. A
/// policy's options class derives from this (or from
/// <see cref="RateLimitedTieringOptions"/>) and adds its own.
/// </summary>
public class TieringOptions
{
    /// <summary>The fast node; -1 = the node with the lowest read latency.</summary>
    [PolicyOption("fast-tier node; -1 = the node with the lowest read latency")]
    [Range(-1, int.MaxValue)]
    public int FastNode { get; set; } = -1;
}
