using System.Globalization;
using System.Text;

namespace DeepMem.Estimator;

/// <summary>Figures measured by <see cref="EstimatorBenchmark"/>.</summary>
public sealed record EstimatorBenchmarkResult
{
    /// <summary>The trace shape measured.</summary>
    public required SyntheticTraceSpec Trace { get; init; }

    /// <summary>Window-page entries in the reference counts.</summary>
    public required long Entries { get; init; }

    /// <summary>Host seconds to build the estimator (precomputation, once per trace set).</summary>
    public required double PrecomputeSeconds { get; init; }

    /// <summary>Region→node placements per second through <see cref="DifferentialEstimator.EstimateRegionNodes"/> (O(regions)).</summary>
    public required double RegionPlacementsPerSecond { get; init; }

    /// <summary>Bind placements per second through <see cref="DifferentialEstimator.EstimateStatic"/> (the general API).</summary>
    public required double StaticPlacementsPerSecond { get; init; }

    /// <summary>Placements per second with every region page-interleaved (O(pattern period) per region).</summary>
    public required double InterleavePlacementsPerSecond { get; init; }

    /// <summary>Region placements per second with the per-window breakdown (O(windows × regions)).</summary>
    public required double PerWindowPlacementsPerSecond { get; init; }

    /// <summary>Region→node placements per second with a calibration (two nodes; O(windows × regions)); null for other node counts.</summary>
    public double? CalibratedPlacementsPerSecond { get; init; }

    /// <summary>Window-page updates per second replaying with a migrating policy on <see cref="EstimatorSimulator"/>.</summary>
    public required double DynamicUpdatesPerSecond { get; init; }

    /// <summary>Window-page updates per second replaying with a policy that never migrates (the replay loop and epoch reports alone).</summary>
    public required double ReplayUpdatesPerSecond { get; init; }

    /// <summary>Host seconds of one dynamic replay of the whole trace (migrating policy).</summary>
    public required double DynamicSecondsPerRun { get; init; }

    /// <summary>Pages migrated per dynamic replay.</summary>
    public required ulong DynamicMigrationsPerRun { get; init; }

    /// <summary>Host seconds gem5 needs per placement, if given.</summary>
    public double? Gem5SecondsPerPlacement { get; init; }

    /// <summary>gem5 seconds per placement over estimator seconds per region placement, if gem5's time is known.</summary>
    public double? SpeedupOverGem5 => Gem5SecondsPerPlacement * RegionPlacementsPerSecond;

    /// <summary>gem5 seconds per placement over estimator seconds per calibrated placement, if both are known.</summary>
    public double? CalibratedSpeedupOverGem5 => Gem5SecondsPerPlacement * CalibratedPlacementsPerSecond;

    /// <summary>gem5 seconds per placement over one dynamic replay, if gem5's time is known.</summary>
    public double? DynamicSpeedupOverGem5 => Gem5SecondsPerPlacement / DynamicSecondsPerRun;

    /// <summary>A printable report, one figure a line.</summary>
    public string ToReport()
    {
        var c = CultureInfo.InvariantCulture;
        var s = new StringBuilder();
        s.AppendLine(c, $"estimator benchmark: synthetic trace, {Trace.Nodes} nodes, {Trace.Windows} windows, {Trace.Regions} regions x {Trace.PagesPerRegion} pages, {Entries:N0} window-page entries");
        s.AppendLine(c, $"  precompute (once per trace set)       {PrecomputeSeconds * 1e3,12:F1} ms");
        s.AppendLine(c, $"  static region->node placements/s      {RegionPlacementsPerSecond,12:N0}   ({1e6 / RegionPlacementsPerSecond:F3} us each, O(regions))");
        s.AppendLine(c, $"  static placements/s (EstimateStatic)  {StaticPlacementsPerSecond,12:N0}");
        s.AppendLine(c, $"  interleaved placements/s              {InterleavePlacementsPerSecond,12:N0}   (O(pattern period) per region)");
        s.AppendLine(c, $"  placements/s with per-window detail   {PerWindowPlacementsPerSecond,12:N0}   (O(windows x regions))");
        if (CalibratedPlacementsPerSecond is { } cal)
        {
            s.AppendLine(c, $"  calibrated region placements/s        {cal,12:N0}   ({1e6 / cal:F3} us each, O(windows x regions))");
        }

        s.AppendLine(c, $"  dynamic window-page updates/s         {DynamicUpdatesPerSecond,12:N0}   (hot-page migrating policy: {DynamicSecondsPerRun * 1e3:F1} ms per replay, {DynamicMigrationsPerRun:N0} migrations)");
        s.AppendLine(c, $"  replay window-page updates/s          {ReplayUpdatesPerSecond,12:N0}   (policy without migrations)");
        if (Gem5SecondsPerPlacement is { } g)
        {
            s.AppendLine(c, $"  gem5 per placement                    {g,12:F1} s");
            s.AppendLine(c, $"  speed-up over gem5, static            {SpeedupOverGem5,12:E2} x");
            if (CalibratedSpeedupOverGem5 is { } calibrated)
            {
                s.AppendLine(c, $"  speed-up over gem5, calibrated static {calibrated,12:E2} x");
            }

            s.AppendLine(c, $"  speed-up over gem5, dynamic replay    {DynamicSpeedupOverGem5,12:E2} x");
        }
        else
        {
            s.AppendLine("  speed-up over gem5: pass gem5's seconds per placement to compare");
        }

        return s.ToString();
    }
}
