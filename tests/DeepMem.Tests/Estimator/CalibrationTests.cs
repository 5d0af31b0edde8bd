using DeepMem.Bridge;
using DeepMem.Core;
using DeepMem.Estimator;
using Xunit;

namespace DeepMem.Tests.Estimator;

/// <summary>The calibrated window formula T_0 + (T_1 − T_0) · x^γ(w) + κ(w) · x(1 − x), γ or κ fitted to a 1:1 interleave run.</summary>
public class CalibrationTests
{
    private const double Eps = 1e-9;

    /// <summary>
    /// A calibration run for <see cref="TestTraces.TwoByTwo"/> (w0: 100 / 300 µs, w1: 200 / 600 µs):
    /// w0 has 1 of 4 accesses on node 1 and takes 200 µs, so y = 100/200 = 0.5 = 0.25^γ, γ = 0.5;
    /// w1 has 1 of 2 on node 1 and takes 400 µs, the linear value, so γ = 1.
    /// </summary>
    private static WindowTrace Calibration(ulong w0Ticks = 200, int w0Node1 = 1)
    {
        var regions = TestTraces.TwoByTwo().Regions;
        var t = TestTraces.Trace(0, 2, [w0Ticks, 400], [[new(0x100, 3, 0), new(0x200, 1, 0)], [new(0x101, 0, 1), new(0x200, 1, 0)]], regions);
        var w0 = t.Windows[0];
        var w1 = t.Windows[1];
        return t with
        {
            Header = t.Header with { BoundNode = null },
            Windows =
            [
                new TraceWindow(0, w0.Ticks, w0.Instructions, w0.Pages, w0.Reads, w0.Writes, [0, w0Node1]),
                new TraceWindow(1, w1.Ticks, w1.Instructions, w1.Pages, w1.Reads, w1.Writes, [1, 0]),
            ],
        };
    }

    [Fact]
    public void The_exponent_is_fitted_per_window_and_every_estimate_path_uses_it()
    {
        var est = new DifferentialEstimator(TestTraces.TwoByTwo().WithCalibration(Calibration()));
        Assert.True(est.Calibrated);

        // A on node 0, B on node 1. w0: x = 1/4, 100 + 200 · 0.25^0.5 = 200; w1: x = 1/2, γ = 1: 400.
        var s = est.EstimateStatic(StaticPlacement.FromNodes([0, 1]), perWindow: true);
        Assert.Equal(200, s.PerWindowMicroseconds![0], Eps);
        Assert.Equal(400, s.PerWindowMicroseconds[1], Eps);
        Assert.Equal(600, s.Microseconds, Eps);
        Assert.Equal(600, est.EstimateRegionNodes([0, 1], otherNode: 0), Eps);
        Assert.Equal(600, est.EstimatePages(p => p == 0x200 ? 1 : 0).Microseconds, Eps);
        Assert.Equal([200, 400], est.EstimateWindows((_, p) => p == 0x200 ? 1 : 0));

        // The ends stay the single-device traces.
        Assert.Equal(300, est.EstimateRegionNodes([0, 0], 0), Eps);
        Assert.Equal(900, est.EstimateRegionNodes([1, 1], 1), Eps);
    }

    [Fact]
    public async Task The_replay_backend_uses_the_same_calibrated_formula()
    {
        var est = new DifferentialEstimator(TestTraces.TwoByTwo().WithCalibration(Calibration()));
        var spec = new SimulationSpec
        {
            Name = "t",
            Nodes =
            [
                new NodeSpec("dram", "ddr4", DeviceKind.Dram, 1024 * TestTraces.PageSize, 50, 50, 4.096, 0),
                new NodeSpec("nvm", "nvm", DeviceKind.Nvm, 1024 * TestTraces.PageSize, 300, 900, 8, 0),
            ],
            Cpu = new CpuSpec("o3", 3e9, 32768, 32768, 1 << 20),
            Workload = new WorkloadSpec("/bin/kernel", ["10"], "/tmp"),
            EpochInstructions = 0,
            Migration = new MigrationCostSpec(1000),
            OutputDir = "/tmp/out",
        };
        var run = await new EstimatorSimulator(est).RunAsync(spec, new ScriptedPolicy((_, i) => RegionPlacement.Bind(i)), null, default);
        Assert.Equal(600e-6, run.SimulatedSeconds, 1e-12);
    }

    [Fact]
    public void Without_calibration_or_with_it_switched_off_the_formula_is_linear()
    {
        Assert.Equal(550, new DifferentialEstimator(TestTraces.TwoByTwo()).EstimateRegionNodes([0, 1]), Eps);
        var off = new DifferentialEstimator(TestTraces.TwoByTwo().WithCalibration(Calibration()), new EstimatorOptions { UseCalibration = false });
        Assert.False(off.Calibrated);
        Assert.Equal(550, off.EstimateRegionNodes([0, 1]), Eps);
    }

    [Fact]
    public void Windows_the_calibration_cannot_pin_down_stay_linear()
    {
        // w0 all on node 0 in the calibration (x = 0), and w0 slower than both ends: γ = 1 in both cases.
        foreach (var c in new[] { Calibration(w0Node1: 0), Calibration(w0Ticks: 350) })
        {
            var est = new DifferentialEstimator(TestTraces.TwoByTwo().WithCalibration(c));
            Assert.Equal(550, est.EstimateRegionNodes([0, 1]), Eps);
        }
    }

    [Fact]
    public void A_calibration_faster_than_both_nodes_bends_the_window_below_them_and_keeps_the_ends()
    {
        // w0 takes 80 µs with 1 of 4 accesses on node 1, faster than both ends (100 / 300 µs):
        // κ = (80 − 100 − 200 · 1/4) / (1/4 · 3/4) = −373.33, γ = 1. w1 stays linear (γ = 1).
        var est = new DifferentialEstimator(TestTraces.TwoByTwo().WithCalibration(Calibration(w0Ticks: 80)));

        // A on 0, B on 1: w0 meets the calibration (x = 1/4), 80 + 400.
        Assert.Equal(480, est.EstimateRegionNodes([0, 1]), Eps);

        // A on 1, B on 0: w0 at x = 3/4 is 250 − 373.33 · 3/16 = 180 (linear: 250); w1 at x = 1/2, 400.
        Assert.Equal(580, est.EstimateRegionNodes([1, 0]), Eps);
        Assert.Equal(650, new DifferentialEstimator(TestTraces.TwoByTwo()).EstimateRegionNodes([1, 0]), Eps);

        // The ends stay the single-device traces.
        Assert.Equal(300, est.EstimateRegionNodes([0, 0], 0), Eps);
        Assert.Equal(900, est.EstimateRegionNodes([1, 1], 1), Eps);
    }

    [Fact]
    public void A_calibration_must_fit_the_traces()
    {
        var three = TestTraces.Set([[100], [200], [300]], [[new(0x100, 1, 0)]], [TestTraces.Region(1, 0x100, 1)]);
        Assert.Contains("exactly two nodes", Assert.Throws<TraceSetException>(() => three.WithCalibration(Calibration())).Message);

        var shorter = Calibration() with { Windows = [Calibration().Windows[0]] };
        Assert.Contains("window count differs", Assert.Throws<TraceSetException>(() => TestTraces.TwoByTwo().WithCalibration(shorter)).Message);
    }

    [Fact]
    public void Load_picks_up_the_calibration_file_and_does_not_take_it_for_a_node()
    {
        Assert.Equal(TraceSet.CalibrationFile, TraceRecorder.CalibrationFileName);
        var dir = Directory.CreateTempSubdirectory("deepmem-calib-").FullName;
        try
        {
            foreach (var t in TestTraces.TwoByTwo().Traces)
            {
                TraceWriter.WriteFile(Path.Combine(dir, WindowTrace.FileNameFor(t.Header.Nodes[t.Header.BoundNode!.Value].Name)), t);
            }

            Assert.Null(TraceSet.Load(dir).Calibration);
            TraceWriter.WriteFile(Path.Combine(dir, TraceSet.CalibrationFile), Calibration());
            var loaded = TraceSet.Load(dir);
            Assert.Equal(2, loaded.NodeCount);
            Assert.NotNull(loaded.Calibration);
            Assert.NotNull(TraceSet.Load(dir, ["dram", "nvm"]).Calibration);
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    [Fact]
    public async Task The_calibration_run_interleaves_every_page_over_both_nodes_and_needs_two_nodes()
    {
        var options = new Gem5Options { ConfigScript = "deepmem_se.py", PythonPath = "py" };
        var recorder = new TraceRecorder(new Gem5Simulator(options));
        var spec = TwoNodeSpec();
        var calibration = TraceRecorder.Runs(spec, calibrate: true)[^1];
        Assert.Equal(TraceRecorder.CalibrationRun, calibration.Run);
        var args = Gem5CommandLine.ForFixedPlacement(options, TraceRecorder.RunSpec(spec, calibration.Run, calibration.TraceFile, "/tmp/t", 100_000),
            Gem5CommandLine.PolicyArgument(calibration.Placement)).ToArguments().ToList();
        Assert.Equal("interleave:0,1", args[args.IndexOf("--policy") + 1]);
        Assert.Equal(Path.Combine("/tmp/t", TraceSet.CalibrationFile), args[args.IndexOf("--trace") + 1]);

        var three = spec with { Nodes = [.. spec.Nodes, spec.Nodes[1] with { Name = "cxl" }] };
        var ex = await Assert.ThrowsAsync<InvalidOperationException>(() => recorder.RecordAsync(three, "/tmp/t", 100_000, 1, default, calibrate: true));
        Assert.Contains("exactly two memory nodes", ex.Message);
    }

    /// <summary>
    /// A calibration run of <see cref="TestTraces.TwoByTwo"/> whose w0 reads
    /// pages 0x100 and 0x200 <paramref name="w0Reads"/> times on nodes
    /// <paramref name="w0Nodes"/> in <paramref name="w0Ticks"/>; w1 as in <see cref="Calibration"/>.
    /// </summary>
    private static WindowTrace Mix(ulong w0Ticks, uint[] w0Reads, int[] w0Nodes, string source)
    {
        var c = Calibration(w0Ticks);
        var w0 = c.Windows[0];
        return c with
        {
            Windows = [new TraceWindow(0, w0.Ticks, w0.Instructions, w0.Pages, w0Reads, w0.Writes, w0Nodes), c.Windows[1]],
            Source = source,
        };
    }

    [Fact]
    public void With_two_calibration_runs_the_window_formula_is_the_monotone_cubic_through_the_measured_mixes_with_a_corner_at_an_extreme()
    {
        // w0 (100 µs on node 0, 300 on node 1): one run with 1 of 2 accesses
        // on node 1 takes 150 µs, one with 3 of 4 takes 330 µs (slower than
        // both nodes). Knots (0, 100), (1/2, 150), (3/4, 330), (1, 300). w1's
        // runs both have 1 of 2 on node 1 at 400 µs: one knot (1/2, 400).
        var set = TestTraces.TwoByTwo()
            .WithCalibration(Mix(150, [1, 1], [0, 1], "calibration.trace.jsonl.gz"))
            .WithCalibration(Mix(330, [3, 1], [1, 0], "calibration-1-3.trace.jsonl.gz"));
        var est = new DifferentialEstimator(set);
        Assert.True(est.Calibrated);
        Assert.Equal(2, est.CalibrationShapes!.Runs);
        Assert.Equal(2, est.CalibrationShapes.Interpolated);

        // A on 0, B on 1: w0 has x = 1/4, halfway between the knots at 0 and 1/2.
        // Secants 100, 720, -120 µs per unit of x. Slopes: at 0, the end
        // formula ((2·0.5 + 0.25)·100 − 0.5·720) / 0.75 < 0 against a rising
        // secant, so 0; at 1/2, the weighted harmonic mean 2.25 / (1/100 + 1.25/720)
        // = 191.716; at 3/4 the secants change sign (an extreme), so a corner.
        // Hermite at u = 1/2: (100 + 150) / 2 + 0.5 · (0 − 191.716) / 8 = 113.018
        // (the line would give 125); w1 at its knot, 400.
        Assert.Equal(125 - 0.5 * (2.25 / (1.0 / 100 + 1.25 / 720)) / 8 + 400, est.EstimateRegionNodes([0, 1]), Eps);
        // A on 1, B on 0: w0 at x = 3/4 is the second run, 330, above both nodes
        // (one run could not say so: it keeps such a window linear); w1 400.
        Assert.Equal(730, est.EstimateRegionNodes([1, 0]), Eps);
        Assert.Equal([330, 400], est.EstimateWindows((_, p) => p == 0x200 ? 0 : 1));

        // The ends stay the single-device traces.
        Assert.Equal(300, est.EstimateRegionNodes([0, 0], 0), Eps);
        Assert.Equal(900, est.EstimateRegionNodes([1, 1], 1), Eps);

        // Switched off, it is linear again.
        Assert.False(new DifferentialEstimator(set, new EstimatorOptions { UseCalibration = false }).Calibrated);
    }

    [Fact]
    public void Each_mix_is_predicted_from_the_other_runs_alone()
    {
        var set = TestTraces.TwoByTwo()
            .WithCalibration(Mix(150, [1, 1], [0, 1], "calibration.trace.jsonl.gz"))
            .WithCalibration(Mix(330, [3, 1], [1, 0], "calibration-1-3.trace.jsonl.gz"));
        var p = CalibrationHoldout.PredictEachMix(set);
        Assert.Equal(["calibration from calibration-1-3", "calibration-1-3 from calibration"], p.Select(x => x.Model));

        // The 1:1 run from the 1:3 run alone: w0's 1:3 run is slower than both
        // nodes, so w0 stays linear; the 1:1 placement has A on node 0, B on
        // node 1, 1 of the traces' 4 accesses on node 1: 100 + 200/4 = 150. w1: 400.
        Assert.Equal(550, p[0].EstimateMicros, Eps);
        Assert.Equal(550, p[0].MeasuredMicros, Eps);

        // The 1:3 run from the 1:1 run alone: that run has 1 of 2 accesses on
        // node 1 in w0 at 150 µs, y = 50/200 = 0.5^γ, γ = 2; A on node 1 is
        // x = 3/4: 100 + 200 · 0.5625 = 212.5 against the 330 measured. w1: 400.
        Assert.Equal(612.5, p[1].EstimateMicros, Eps);
        Assert.Equal(730, p[1].MeasuredMicros, Eps);

        Assert.Empty(CalibrationHoldout.PredictEachMix(TestTraces.TwoByTwo().WithCalibration(Calibration())));
    }

    [Fact]
    public void Load_takes_every_calibration_file_the_1_1_run_first_and_none_for_a_node()
    {
        var dir = Directory.CreateTempSubdirectory("deepmem-calib-").FullName;
        try
        {
            foreach (var t in TestTraces.TwoByTwo().Traces)
            {
                TraceWriter.WriteFile(Path.Combine(dir, WindowTrace.FileNameFor(t.Header.Nodes[t.Header.BoundNode!.Value].Name)), t);
            }

            TraceWriter.WriteFile(Path.Combine(dir, new CalibrationMix(3, 1).FileName), Mix(120, [3, 1], [0, 0], ""));
            TraceWriter.WriteFile(Path.Combine(dir, TraceSet.CalibrationFile), Calibration());
            var loaded = TraceSet.Load(dir);
            Assert.Equal(2, loaded.NodeCount);
            Assert.Equal([TraceSet.CalibrationFile, "calibration-3-1.trace.jsonl.gz"], loaded.Calibrations.Select(c => Path.GetFileName(c.Source)));
            Assert.Same(loaded.Calibrations[0], loaded.Calibration);
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    [Theory]
    [InlineData("3:1", 3, 1, "calibration-3-1", "weighted-interleave:0=3,1=1")]
    [InlineData("6:2", 3, 1, "calibration-3-1", "weighted-interleave:0=3,1=1")]
    [InlineData("2:2", 1, 1, "calibration", "interleave:0,1")]
    [InlineData("1:3", 1, 3, "calibration-1-3", "weighted-interleave:0=1,1=3")]
    public void A_calibration_mix_is_reduced_and_named_and_interleaves_every_page_by_its_weights(string text, int a, int b, string run, string policy)
    {
        Assert.True(CalibrationMix.TryParse(text, out var mix));
        Assert.Equal((a, b), (mix.Node0, mix.Node1));
        Assert.Equal(run, mix.Run);
        Assert.Equal(run + ".trace.jsonl.gz", mix.FileName);
        Assert.True(TraceFormat.IsCalibrationFile(mix.FileName));
        Assert.Equal(policy, Gem5CommandLine.PolicyArgument(mix.Placement));
    }

    [Theory]
    [InlineData("0:1")]
    [InlineData("3")]
    [InlineData("3:1:1")]
    [InlineData("a:b")]
    [InlineData("-1:2")]
    [InlineData("65:1")]
    public void A_bad_calibration_mix_is_refused(string text) => Assert.False(CalibrationMix.TryParse(text, out _));

    [Fact]
    public void The_recording_lists_a_run_per_node_then_the_1_1_run_and_each_mix_once()
    {
        var spec = TwoNodeSpec();
        var runs = TraceRecorder.Runs(spec, calibrate: true, [new CalibrationMix(3, 1), new CalibrationMix(1, 1), new CalibrationMix(6, 2)]);
        Assert.Equal(["dram", "nvm", "calibration", "calibration-3-1"], runs.Select(r => r.Run));
        Assert.Equal(["dram", "nvm", "calibration-3-1"], TraceRecorder.Runs(spec, calibrate: false, [new CalibrationMix(3, 1)]).Select(r => r.Run));
        Assert.False(TraceFormat.IsCalibrationFile("dram.trace.jsonl.gz"));
    }

    private static SimulationSpec TwoNodeSpec() => new()
    {
        Name = "t",
        Nodes =
        [
            new NodeSpec("dram", "ddr4", DeviceKind.Dram, 1 << 20, 50, 50, 19.2, 0),
            new NodeSpec("nvm", "nvm", DeviceKind.Nvm, 64 << 20, 150, 500, 2.3, 0),
        ],
        Cpu = new CpuSpec("o3", 3e9, 32768, 32768, 1 << 18),
        Workload = new WorkloadSpec("/bin/kernel", ["10"], "/tmp"),
        EpochInstructions = 100_000,
        Migration = new MigrationCostSpec(2000),
        OutputDir = "/tmp/out",
    };
}
