using System.ComponentModel.DataAnnotations;
using DeepMem.Core;

namespace DeepMem.Policies.BuiltIn;

/// <summary>Options of <see cref="MemtisPolicy"/>; defaults follow Memtis (SOSP '23) where it publishes one.</summary>
public sealed class MemtisOptions
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

    /// <summary>Migration limit in bytes per second of simulated time; 0 = unlimited.</summary>
    [PolicyOption("migration rate cap (promotions + demotions) per second of simulated time; 0 = unlimited (default 10 GiB/s)",
        Unit = OptionUnit.BytesPerSecond)]
    [Range(0.0, double.MaxValue)]
    public double MigrationRate { get; set; } = 10.0 * 1024 * 1024 * 1024;

    /// <summary>The fast node; -1 = the node with the lowest read latency.</summary>
    [PolicyOption("fast-tier node; -1 = the node with the lowest read latency")]
    [Range(-1, int.MaxValue)]
    public int FastNode { get; set; } = -1;
}
