using System.ComponentModel.DataAnnotations;

namespace DeepMem.Core.Tiering;

/// <summary>Tiering options with one migration rate limit that promotions and demotions share.</summary>
public class RateLimitedTieringOptions : TieringOptions
{
    /// <summary>The default limit: 10 GiB per second of simulated time (HeMem's).</summary>
    public const double DefaultMigrationRate = 10.0 * 1024 * 1024 * 1024;

    /// <summary>Migration limit in bytes per second of simulated time; 0 = unlimited.</summary>
    [PolicyOption("migration rate limit (promotions + demotions) per second of simulated time; 0 = unlimited (default 10 GiB/s, HeMem's)",
        Unit = OptionUnit.BytesPerSecond)]
    [Range(0.0, double.MaxValue)]
    public double MigrationRate { get; set; } = DefaultMigrationRate;
}
