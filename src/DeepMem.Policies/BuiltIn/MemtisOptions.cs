using System.ComponentModel.DataAnnotations;
using DeepMem.Core;
using DeepMem.Core.Tiering;

namespace DeepMem.Policies.BuiltIn;

/// <summary>Options of <see cref="MemtisPolicy"/>; defaults follow Memtis (SOSP '23) where it publishes one.</summary>
public sealed class MemtisOptions : RateLimitedTieringOptions
{
    /// <summary>Bins of the log2 access histogram.</summary>
    [PolicyOption("bins of the log2 access-count histogram (Memtis: 16)")]
    [Range(2, 64)]
    public int Bins { get; set; } = 16;

    /// <summary>Fraction of the fast tier kept free (the watermark).</summary>
    [PolicyOption("fraction of the fast tier kept free; the hot set may fill the rest (watermark)")]
    [Range(0.0, 1.0, MaximumIsExclusive = true)]
    public double Watermark { get; set; } = 0.02;

    /// <summary>Samples between two coolings (halving every count).</summary>
    [PolicyOption("sampled accesses between two coolings that halve every count (Memtis cooling period: 2M samples)", Unit = OptionUnit.Count)]
    [Range(0.0, double.MaxValue, MinimumIsExclusive = true)]
    public double CoolingSamples { get; set; } = 2_000_000;

    /// <summary>Memory-side accesses per sample (Memtis samples with PEBS).</summary>
    [PolicyOption("memory-side accesses per sample; counts are divided by it (1 = every access is a sample)")]
    [Range(1.0, double.MaxValue)]
    public double SamplePeriod { get; set; } = 1;

    /// <summary>Memtis's published kmigrated period (htmm_promotion_period_in_ms and htmm_demotion_period_in_ms: 500), in ns.</summary>
    public const double PublishedPeriodNs = 500e6;

    /// <summary>Period of kmigrated in simulated ns: the hot threshold is adapted and pages migrate once per period.</summary>
    [PolicyOption("period of kmigrated in simulated time: the histogram threshold is recomputed and pages promoted and demoted once per period (Memtis: 500ms); counts and cooling (cooling_samples) follow every sample",
        Unit = OptionUnit.Nanoseconds, Period = true)]
    [Range(0.0, double.MaxValue, MinimumIsExclusive = true)]
    public double Period { get; set; } = PublishedPeriodNs;
}
