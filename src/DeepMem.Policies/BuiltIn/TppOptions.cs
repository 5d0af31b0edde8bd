using System.ComponentModel.DataAnnotations;
using DeepMem.Core;
using DeepMem.Core.Tiering;

namespace DeepMem.Policies.BuiltIn;

/// <summary>Options of <see cref="TppPolicy"/>; defaults follow Linux NUMA balancing (memory tiering mode) and TPP (ASPLOS '23).</summary>
public sealed class TppOptions : TieringOptions
{
    /// <summary>A slow-tier page touched again within this many epochs of its previous touch is promoted.</summary>
    [PolicyOption("promote a slow-tier page touched again within this many epochs (scans) of its previous touch; Linux hot_threshold_ms 1000 ms = one scan period, here one epoch")]
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
