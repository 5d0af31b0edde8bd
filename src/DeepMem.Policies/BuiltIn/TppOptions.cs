using System.ComponentModel.DataAnnotations;
using DeepMem.Core;
using DeepMem.Core.Tiering;

namespace DeepMem.Policies.BuiltIn;

/// <summary>Options of <see cref="TppPolicy"/>; defaults follow Linux NUMA balancing (memory tiering mode) and TPP (ASPLOS '23).</summary>
public sealed class TppOptions : TieringOptions
{
    /// <summary>Linux's published default of numa_balancing_hot_threshold_ms (and of the scan period minimum), in ns.</summary>
    public const double PublishedPeriodNs = 1000e6;

    /// <summary>A slow-tier page touched again within this simulated time of its previous touch is promoted.</summary>
    [PolicyOption("promote a slow-tier page touched again within this simulated time of its previous touch, measured from the end of the previous touch's epoch to the start of the latest one's (Linux numa_balancing_hot_threshold_ms: 1000ms)",
        Unit = OptionUnit.Nanoseconds, Period = true)]
    [Range(0.0, double.MaxValue, MinimumIsExclusive = true)]
    public double HotThreshold { get; set; } = PublishedPeriodNs;

    /// <summary>Period of the NUMA-balancing scan that promotes, in simulated ns.</summary>
    [PolicyOption("promotion scan period in simulated time: candidates touched since the last scan are promoted once per period (Linux numa_balancing_scan_period_min_ms: 1000ms); demotion runs every epoch",
        Unit = OptionUnit.Nanoseconds, Period = true)]
    [Range(0.0, double.MaxValue, MinimumIsExclusive = true)]
    public double ScanPeriod { get; set; } = PublishedPeriodNs;

    /// <summary>With time_scale 0: a slow-tier page touched again within this many epochs of its previous touch is promoted.</summary>
    [PolicyOption("with time_scale 0 only (periods of one epoch): promote a slow-tier page touched again within this many epochs of its previous touch, every epoch")]
    [Range(1, int.MaxValue)]
    public int HotThresholdEpochs { get; set; } = 1;

    /// <summary>Fraction of the fast tier kept free by demotion.</summary>
    [PolicyOption("demote from the fast tier until this fraction of it is free (TPP demote_scale_factor: 2%)")]
    [Range(0.0, 1.0, MaximumIsExclusive = true)]
    public double DemoteScaleFactor { get; set; } = 0.02;

    /// <summary>Promotion limit in bytes per second of simulated time; 0 = unlimited.</summary>
    [PolicyOption("promotion rate limit per second of simulated time; 0 = unlimited (Linux numa_balancing_promote_rate_limit_MBps: 65536 MiB/s); demotion is not limited",
        Unit = OptionUnit.BytesPerSecond)]
    [Range(0.0, double.MaxValue)]
    public double PromoteRateLimit { get; set; } = 65536.0 * 1024 * 1024;
}
