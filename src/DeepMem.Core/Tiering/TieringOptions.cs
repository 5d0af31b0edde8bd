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

    /// <summary>
    /// Divides every period in simulated time the policy has (its options
    /// marked <see cref="PolicyOptionAttribute.Period"/>), for runs shorter
    /// than the published periods; 0 = every period is one epoch (the policy
    /// acts every epoch and counts windows in epochs, as before periods were
    /// in time). The experiment's <c>policy_time_scale</c> sets it for every
    /// policy that does not set its own.
    /// </summary>
    [PolicyOption("divide every period in simulated time by this (runs shorter than a period: e.g. 100 turns 10ms into 100us); 0 = every period is one epoch (act every epoch, windows in epochs: the behaviour before periods were in time)")]
    [Range(0.0, double.MaxValue)]
    public double TimeScale { get; set; } = 1;
}
