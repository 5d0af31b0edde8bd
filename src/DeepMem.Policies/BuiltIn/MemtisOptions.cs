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
}
