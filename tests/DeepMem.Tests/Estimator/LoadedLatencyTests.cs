using DeepMem.Core;
using DeepMem.Estimator;
using Xunit;

namespace DeepMem.Tests.Estimator;

/// <summary>
/// The loaded-latency window formula: T(w) = C(w) + Σ_d x_d · S(w) · L_d(x_d),
/// C and S fitted to the single-device traces' (latency, time) points, and a
/// node's queueing delay in proportion to its share of the accesses.
/// </summary>
public class LoadedLatencyTests
{
    private const double Eps = 1e-9;

    private static readonly EstimatorOptions On = new() { LoadedLatency = LoadedLatency.Proportional };

    /// <summary>
    /// <see cref="TestTraces.TwoByTwo"/> (w0: 100 / 300 µs, w1: 200 / 600 µs) with 100 reads per
    /// trace window on its own node at these mean latencies (ns, 1 tick = 1 µs):
    /// dram 20 in w0, 30 in w1; nvm 200 in w0, 100 in w1 (so the unloaded
    /// latencies, each node's lowest window, are dram 20 and nvm 100).
    /// </summary>
    private static TraceSet WithLatencies(double[][]? latencyNs = null)
    {
        latencyNs ??= [[20, 30], [200, 100]];
        var set = TestTraces.TwoByTwo();
        return TraceSet.Create(set.Traces.Select((t, d) => t with
        {
            Windows = t.Windows.Select(w => new TraceWindow(w.Index, w.Ticks, w.Instructions, w.Pages, w.Reads, w.Writes, w.Nodes)
            {
                Memory = [.. Enumerable.Range(0, 2).Select(n => n == d
                    ? new MemoryCounters(100, 0, (ulong)Math.Round(latencyNs[d][w.Index] * 100 / 1000), 0)
                    : new MemoryCounters(0, 0, 0, 0))],
            }).ToList(),
        }).ToList());
    }

    [Fact]
    public void A_mixed_placement_queues_less_on_each_node_than_its_single_device_trace()
    {
        var est = new DifferentialEstimator(WithLatencies(), On);
        Assert.True(est.Nonlinear);
        Assert.False(est.Calibrated);
        Assert.StartsWith("loaded latency (proportional, 2 of 2 windows)", est.WindowModel);

        // Region A (3 reads in w0, 1 write in w1) on dram, B (1 read each) on nvm.
        // w0: S = (300 - 100) / (200 - 20) = 10/9, C = 100 - 20 S = 700/9;
        //     x = 3/4 on dram at its unloaded 20 ns, 1/4 on nvm at 100 + 100/4 = 125 ns:
        //     T = 700/9 + 10/9 (15 + 31.25) = 1162.5 / 9.
        // w1: S = 400 / 70, C = 200 - 30 S = 200/7; x = 1/2 each: dram at
        //     20 + 10/2 = 25 ns, nvm at its unloaded 100: T = 200/7 + 40/7 · 62.5 = 2700/7.
        var mixed = StaticPlacement.FromNodes([0, 1], 0);
        var estimate = est.EstimateStatic(mixed, perWindow: true);
        Assert.Equal(1162.5 / 9, estimate.PerWindowMicroseconds![0], Eps);
        Assert.Equal(2700.0 / 7, estimate.PerWindowMicroseconds[1], Eps);
        Assert.Equal(1162.5 / 9 + 2700.0 / 7, estimate.Microseconds, Eps);

        // The linear formula charges every access its trace's latency: 150 + 400.
        var linear = new DifferentialEstimator(WithLatencies()).EstimateStatic(mixed);
        Assert.Equal(550, linear.Microseconds, Eps);

        // Every path that estimates a static placement agrees.
        Assert.Equal(estimate.Microseconds, est.EstimateRegionNodes([0, 1], 0), Eps);
        Assert.Equal(estimate.Microseconds, est.EstimatePages(p => p == 0x200 ? 1 : 0).Microseconds, Eps);
    }

    [Fact]
    public void All_data_on_one_node_costs_exactly_its_trace()
    {
        var est = new DifferentialEstimator(WithLatencies(), On);
        Assert.Equal(300, est.EstimateRegionNodes([0, 0], 0), Eps);
        Assert.Equal(900, est.EstimateRegionNodes([1, 1], 1), Eps);
    }

    [Fact]
    public void It_is_off_by_default_and_a_calibration_run_takes_precedence()
    {
        Assert.Equal("linear", new DifferentialEstimator(WithLatencies()).WindowModel);
        Assert.False(new DifferentialEstimator(WithLatencies()).Nonlinear);
        var calibration = TestTraces.Trace(0, 2, [200, 400], [[new(0x100, 3, 0), new(0x200, 1, 0)], [new(0x101, 0, 1), new(0x200, 1, 0)]],
            TestTraces.TwoByTwo().Regions);
        calibration = calibration with
        {
            Header = calibration.Header with { BoundNode = null },
            Windows = calibration.Windows.Select(w => new TraceWindow(w.Index, w.Ticks, w.Instructions, w.Pages, w.Reads, w.Writes, [0, 1])).ToList(),
        };
        var both = new DifferentialEstimator(WithLatencies().WithCalibration(calibration), On);
        Assert.Equal("calibrated", both.WindowModel);
        var loadedOnly = new DifferentialEstimator(WithLatencies().WithCalibration(calibration), On with { UseCalibration = false });
        Assert.StartsWith("loaded latency", loadedOnly.WindowModel);
    }

    [Fact]
    public void Traces_without_memory_counters_keep_the_linear_formula()
    {
        var est = new DifferentialEstimator(TestTraces.TwoByTwo(), On);
        Assert.False(est.Nonlinear);
        Assert.Equal(550, est.EstimateRegionNodes([0, 1], 0), Eps);
    }

    [Fact]
    public void A_window_whose_latencies_do_not_explain_its_times_keeps_the_linear_formula()
    {
        // w0: nvm is slower with the lower latency (S < 0); w1: the latencies
        // are within 2% of each other. Both windows stay linear.
        var est = new DifferentialEstimator(WithLatencies([[200, 100], [20, 101]]), On);
        Assert.StartsWith("loaded latency (proportional, 0 of 2 windows)", est.WindowModel);
        Assert.Equal(550, est.EstimateRegionNodes([0, 1], 0), Eps);
    }

    [Fact]
    public void A_link_in_front_of_a_node_counts_in_its_latency()
    {
        // The controller times nvm's reads as dram's (20 / 30 ns), so without the link the
        // latencies explain nothing and both windows stay linear. A 100 ns link on nvm:
        // 120 / 130 ns (unloaded 120), and the model applies.
        var latencies = new[] { new[] { 20.0, 30 }, [20, 30] };
        Assert.StartsWith("loaded latency (proportional, 0 of 2 windows)", new DifferentialEstimator(WithLatencies(latencies), On).WindowModel);
        var est = new DifferentialEstimator(WithLatencies(latencies), On with { LinkLatencyNs = new Dictionary<string, double> { ["nvm"] = 100 } });
        Assert.StartsWith("loaded latency (proportional, 2 of 2 windows)", est.WindowModel);
        Assert.Equal(300, est.EstimateRegionNodes([0, 0], 0), Eps);
        Assert.Equal(900, est.EstimateRegionNodes([1, 1], 1), Eps);

        // w1, half the accesses on each: S = (600 − 200) / (130 − 30) = 4, C = 200 − 30 S = 80;
        // dram at 20 + 10/2 = 25 ns, nvm at 120 + 10/2 = 125 ns: T = 80 + 4 (25 + 125) / 2 = 380 (linear: 400).
        var w1 = est.EstimateStatic(StaticPlacement.FromNodes([0, 1], 0), perWindow: true).PerWindowMicroseconds![1];
        Assert.Equal(380, w1, Eps);
    }

    [Fact]
    public void The_holdout_predicts_the_calibration_run_with_each_formula_that_did_not_see_it()
    {
        // The calibration run puts page 0x100 (A's 3 reads) on dram and the
        // rest on nvm: the mixed placement worked by hand above, measured at
        // 200 + 400 µs.
        var calibration = TestTraces.Trace(0, 2, [200, 400], [[new(0x100, 3, 0), new(0x200, 1, 0)], [new(0x101, 0, 1), new(0x200, 1, 0)]],
            TestTraces.TwoByTwo().Regions);
        calibration = calibration with
        {
            Header = calibration.Header with { BoundNode = null },
            Windows = calibration.Windows.Select(w => new TraceWindow(w.Index, w.Ticks, w.Instructions, w.Pages, w.Reads, w.Writes, [0, 1])).ToList(),
        };
        var predictions = CalibrationHoldout.Predict(WithLatencies().WithCalibration(calibration));
        Assert.Equal(2, predictions.Count);
        var linear = predictions[0];
        Assert.Equal("linear", linear.Model);
        Assert.Equal(550, linear.EstimateMicros, Eps);
        Assert.Equal(600, linear.MeasuredMicros, Eps);
        Assert.Equal(-50.0 / 6, linear.ErrorPercent, 1e-6);
        // Windows: 150 vs 200 (25%), 400 vs 400 (0%).
        Assert.Equal(12.5, linear.MeanWindowErrorPercent, 1e-6);
        var loaded = predictions[1];
        Assert.StartsWith("loaded latency", loaded.Model);
        Assert.Equal(1162.5 / 9 + 2700.0 / 7, loaded.EstimateMicros, Eps);

        Assert.Throws<ArgumentException>(() => CalibrationHoldout.Predict(WithLatencies()));
    }
}
