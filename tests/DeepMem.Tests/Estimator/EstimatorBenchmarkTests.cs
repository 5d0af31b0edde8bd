using DeepMem.Estimator;
using Xunit;

namespace DeepMem.Tests.Estimator;

public class EstimatorBenchmarkTests
{
    [Fact]
    public void A_short_benchmark_measures_every_figure_and_prints_them()
    {
        var result = EstimatorBenchmark.Measure(new EstimatorBenchmarkOptions
        {
            Trace = new SyntheticTraceSpec { Windows = 50, Regions = 6, PagesPerRegion = 8 },
            SecondsPerMeasurement = 0.02,
            Gem5SecondsPerPlacement = 600,
        });
        Assert.True(result.RegionPlacementsPerSecond > 0);
        Assert.True(result.StaticPlacementsPerSecond > 0);
        Assert.True(result.InterleavePlacementsPerSecond > 0);
        Assert.True(result.PerWindowPlacementsPerSecond > 0);
        Assert.True(result.CalibratedPlacementsPerSecond > 0);
        Assert.True(result.DynamicUpdatesPerSecond > 0);
        Assert.True(result.ReplayUpdatesPerSecond > 0);
        Assert.True(result.DynamicMigrationsPerRun > 0);
        Assert.True(result.Entries > 0);
        Assert.Equal(600 * result.RegionPlacementsPerSecond, result.SpeedupOverGem5!.Value, 1e-6 * result.SpeedupOverGem5.Value);
        var report = result.ToReport();
        Assert.Contains("static region->node placements/s", report);
        Assert.Contains("dynamic window-page updates/s", report);
        Assert.Contains("speed-up over gem5, static", report);
        Assert.Contains("speed-up over gem5, calibrated static", report);
    }

    [Fact]
    public void The_synthetic_calibration_fits_its_set_and_lies_below_the_linear_mix()
    {
        var set = SyntheticTraces.Generate(new SyntheticTraceSpec { Windows = 20, Regions = 4, PagesPerRegion = 8 });
        var est = new DifferentialEstimator(set.WithCalibration(SyntheticTraces.Calibration(set)));
        Assert.True(est.Calibrated);
        var mixed = new[] { 0, 1, 0, 1 };
        Assert.True(est.EstimateRegionNodes(mixed) < new DifferentialEstimator(set).EstimateRegionNodes(mixed));
    }
}
