using System.ComponentModel.DataAnnotations;
using DeepMem.Core;
using DeepMem.Core.Tiering;

namespace DeepMem.Policies.BuiltIn;

/// <summary>Options of <see cref="ColloidPolicy"/>; defaults follow Colloid (SOSP '24) where it publishes one.</summary>
public sealed class ColloidOptions : RateLimitedTieringOptions
{
    /// <summary>Relative latency gap tolerated without migration.</summary>
    [PolicyOption("no migration while the tiers' loaded read latencies are within this fraction of each other (Colloid: 5%)")]
    [Range(0.0, double.MaxValue)]
    public double Delta { get; set; } = 0.05;

    /// <summary>Share of the tier's access heat moved per unit of relative latency gap.</summary>
    [PolicyOption("access heat moved per decision = step x relative latency gap x the heat of the tier pages leave")]
    [Range(0.0, 1.0, MinimumIsExclusive = true)]
    public double Step { get; set; } = 0.5;

    /// <summary>Per-decision decay of page heat (exponential moving average weight of the past).</summary>
    [PolicyOption("weight of the past in each page's access moving average per decision period (per epoch with time_scale 0; 0.9: about ten periods of memory)")]
    [Range(0.0, 1.0, MaximumIsExclusive = true)]
    public double Decay { get; set; } = 0.9;

    /// <summary>How much hotter a page must be than the fast tier's coldest page to swap with it.</summary>
    [PolicyOption("a promotion into a full fast tier swaps with its coldest page only when the promoted page is at least this many times hotter (hysteresis against ping-pong)")]
    [Range(1.0, double.MaxValue)]
    public double SwapRatio { get; set; } = 2;

    /// <summary>Cap of the modelled utilisation when a node reports no measured latency.</summary>
    [PolicyOption("when a node reports no measured latency (the estimator), latency = nominal / (1 - utilisation), utilisation capped here")]
    [Range(0.0, 1.0, MinimumIsExclusive = true, MaximumIsExclusive = true)]
    public double MaxUtilization { get; set; } = 0.95;

    /// <summary>Colloid's decision interval as integrated with HeMem (its 10 ms policy thread), in ns.</summary>
    public const double PublishedPeriodNs = 10e6;

    /// <summary>Decision interval in simulated ns.</summary>
    [PolicyOption("decision interval in simulated time: latencies compared, heat averaged and pages moved once per interval (Colloid on HeMem: 10ms, HeMem's policy thread)",
        Unit = OptionUnit.Nanoseconds, Period = true)]
    [Range(0.0, double.MaxValue, MinimumIsExclusive = true)]
    public double Period { get; set; } = PublishedPeriodNs;
}
