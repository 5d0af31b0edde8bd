using System.ComponentModel.DataAnnotations;
using DeepMem.Core;
using DeepMem.Core.Tiering;

namespace DeepMem.Policies.BuiltIn;

/// <summary>Options of <see cref="HeMemPolicy"/>; defaults follow the HeMem paper (SOSP '21).</summary>
public sealed class HeMemOptions : RateLimitedTieringOptions
{
    /// <summary>Sampled reads at which a page is hot.</summary>
    [PolicyOption("sampled reads at which a page is hot (HeMem: 4)")]
    [Range(1.0, double.MaxValue)]
    public double HotReadThreshold { get; set; } = 4;

    /// <summary>Sampled writes at which a page is hot.</summary>
    [PolicyOption("sampled writes at which a page is hot (HeMem: 4)")]
    [Range(1.0, double.MaxValue)]
    public double HotWriteThreshold { get; set; } = 4;

    /// <summary>When any page's count exceeds this, every count is halved.</summary>
    [PolicyOption("halve every page's counts ('cool') when any count exceeds this (HeMem: 10)")]
    [Range(0.0, double.MaxValue, MinimumIsExclusive = true)]
    public double CoolingThreshold { get; set; } = 10;

    /// <summary>Memory-side accesses per sample (HeMem samples with PEBS; 1 = every access counts).</summary>
    [PolicyOption("memory-side accesses per sample; counts are divided by it (1 = every access is a sample)")]
    [Range(1.0, double.MaxValue)]
    public double SamplePeriod { get; set; } = 1;

    /// <summary>HeMem's published policy-thread period (PEBS_KSWAPD_INTERVAL in its pebs.h), in ns.</summary>
    public const double PublishedPeriodNs = 10e6;

    /// <summary>Period of the policy thread in simulated ns: cooling check and migrations (HeMem: 10 ms).</summary>
    [PolicyOption("period of the policy thread in simulated time: counts are checked for cooling and pages migrated once per period (HeMem: 10ms, PEBS_KSWAPD_INTERVAL)",
        Unit = OptionUnit.Nanoseconds, Period = true)]
    [Range(0.0, double.MaxValue, MinimumIsExclusive = true)]
    public double Period { get; set; } = PublishedPeriodNs;
}
