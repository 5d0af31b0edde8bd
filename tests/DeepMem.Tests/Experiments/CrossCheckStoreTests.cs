using DeepMem.Bridge;
using DeepMem.Core;
using DeepMem.Estimator;
using DeepMem.Experiments.CrossCheck;
using DeepMem.Policies;
using DeepMem.Tests.Estimator;
using Xunit;

namespace DeepMem.Tests.Experiments;

public class CrossCheckStoreTests
{
    private static SimulationSpec Spec(ulong epoch = 100_000) => new()
    {
        Name = "t",
        Nodes =
        [
            new NodeSpec("dram", "ddr4", DeviceKind.Dram, 4UL << 20, 28.3, 28.3, 19.2, 0),
            new NodeSpec("nvm", "nvm", DeviceKind.Nvm, 64UL << 20, 150, 500, 2.3, 0),
        ],
        Cpu = new CpuSpec("o3", 3e9, 32 << 10, 32 << 10, 256 << 10),
        Workload = new WorkloadSpec("/bin/kernel", ["10"], "/tmp"),
        EpochInstructions = epoch,
        Migration = new MigrationCostSpec(2000),
        OutputDir = "/tmp/out",
    };

    private static Gem5Options Options() => new() { ConfigScript = "deepmem_se.py", PythonPath = "py" };

    /// <summary>A gem5 point of <paramref name="spec"/> with <paramref name="options"/> (what a case's run is).</summary>
    internal static DeepMem.Experiments.Experiment Gem5Point(SimulationSpec spec, Gem5Options options) => new()
    {
        SourceFile = "experiment.yaml", Spec = spec, Policy = new PolicySpec { Name = "first-touch" }, Backend = "gem5", Gem5 = options,
        Estimator = new EstimatorOptions(), ResultsRoot = spec.OutputDir,
    };

    [Fact]
    public void A_window_trace_request_adds_the_trace_and_its_window_defaulting_to_the_epoch()
    {
        var none = new Gem5Simulator(Options()).Arguments(Spec());
        Assert.DoesNotContain("--trace", none);

        var byEpoch = new Gem5Simulator(Options()).Arguments(Spec() with { WindowTrace = new WindowTraceRequest("w.trace.jsonl.gz") }).ToList();
        Assert.Equal("w.trace.jsonl.gz", byEpoch[byEpoch.IndexOf("--trace") + 1]);
        Assert.Equal("100000", byEpoch[byEpoch.IndexOf("--window-insts") + 1]);

        var own = new Gem5Simulator(Options()).Arguments(Spec() with { WindowTrace = new WindowTraceRequest("w.trace.jsonl.gz", 50_000) }).ToList();
        Assert.Equal("50000", own[own.IndexOf("--window-insts") + 1]);
    }

    [Fact]
    public void A_stored_case_is_reused_only_for_the_same_placement_or_policy_and_the_same_key_as_run()
    {
        var a = new CrossCheckCase("optimum", "static", "x", StaticPlacement.FromNodes([0, 1, 1], 1), null);
        var b = a with { Static = StaticPlacement.FromNodes([0, 0, 1], 1) };
        var hemem = new CrossCheckCase("policy-hemem", "dynamic", "x", null, new PolicySpec { Name = "hemem" });
        var tuned = hemem with { Policy = new PolicySpec { Name = "hemem", Options = new Dictionary<string, OptionValue> { ["sample_period"] = OptionValue.Of("8") } } };
        var o = Options();
        string Key(CrossCheckCase c, SimulationSpec? s = null, Gem5Options? opt = null) => CrossCheckRunner.Key(c, Gem5Point(s ?? Spec(), opt ?? o)).Value;

        Assert.Equal(Key(a), Key(a with { Description = "other words" }));
        Assert.NotEqual(Key(a), Key(b));
        Assert.NotEqual(Key(a), Key(a, Spec() with { Cpu = Spec().Cpu with { Model = "timing" } }));
        Assert.NotEqual(Key(hemem), Key(tuned));
        Assert.NotEqual(Key(a), Key(a, Spec() with { WindowTrace = new WindowTraceRequest("w.trace.jsonl.gz", 50_000) }));

        // The case file holds the key and its inputs, so a rerun can name what changed.
        var key = CrossCheckRunner.Key(a, Gem5Point(Spec(), o));
        var text = CrossCheckRunner.CaseText(key);
        Assert.StartsWith(key.Value + "\n", text, StringComparison.Ordinal);
        Assert.Contains("gem5-side python=", text, StringComparison.Ordinal);
    }

    /// <summary>A gem5 stand-in: writes a file into the run's folder as gem5 does, then ends as <paramref name="end"/> says.</summary>
    private sealed class StandIn(Func<RunResult> end) : IMemorySimulator
    {
        public string Name => "gem5";

        public Task<RunResult> RunAsync(SimulationSpec spec, IPlacementPolicy policy, IProgress<RunProgress>? progress, CancellationToken cancellationToken)
        {
            Directory.CreateDirectory(spec.OutputDir);
            File.WriteAllText(Path.Combine(spec.OutputDir, "program.out"), "partial\n");
            return Task.FromResult(end());
        }
    }

    private static RunResult Ended(RunStatus status, double seconds = 0) => new() { Backend = "gem5", Status = status, SimulatedSeconds = seconds };

    [Fact]
    public async Task A_case_run_again_keeps_its_earlier_result_until_the_new_run_ends()
    {
        var root = Path.Combine(Path.GetTempPath(), "deepmem-setaside-" + Guid.NewGuid().ToString("N"));
        try
        {
            var estimator = new DifferentialEstimator(TestTraces.TwoByTwo());
            var before = Gem5Point(Spec() with { OutputDir = root }, Options());
            // Another CPU model: another key, so the case runs again.
            var after = Gem5Point(Spec() with { OutputDir = root, Cpu = Spec().Cpu with { Model = "timing" } }, Options());
            var c = new CrossCheckCase("all-dram", "static", "x", StaticPlacement.FromNodes([0, 0], 0), null);
            var log = new List<string>();
            async Task<double> Run(DeepMem.Experiments.Experiment e, Func<RunResult> end) =>
                (await new CrossCheckRunner(e, estimator) { Simulator = (_, _) => new StandIn(end) }
                    .RunAsync([c], 1, log.Add, CancellationToken.None))[0].MeasuredSeconds;
            var dir = Path.Combine(root, "crosscheck", c.Id);
            var aside = dir + CrossCheckRunner.SetAsideSuffix;
            var stored = () => File.ReadAllText(Path.Combine(dir, "gem5.json"));

            Assert.Equal(1e-3, await Run(before, () => Ended(RunStatus.Succeeded, 1e-3)));
            var first = stored();

            // Cancelled under the new key: the earlier result is back, the partial run gone.
            Assert.Equal(0, await Run(after, () => Ended(RunStatus.Cancelled)));
            Assert.Equal(first, stored());
            Assert.False(Directory.Exists(aside));
            Assert.True(new CrossCheckRunner(before, estimator).IsStored(c));

            // The simulator throws: the same.
            await Assert.ThrowsAsync<InvalidOperationException>(() => Run(after, () => throw new InvalidOperationException("gem5 vanished")));
            Assert.Equal(first, stored());

            // The process was killed mid-run (the folder set aside, a partial run without its case file):
            // the next look puts the earlier result back.
            Directory.Move(dir, aside);
            Directory.CreateDirectory(dir);
            File.WriteAllText(Path.Combine(dir, "program.out"), "partial\n");
            Assert.True(new CrossCheckRunner(before, estimator).IsStored(c));
            Assert.Equal(first, stored());
            Assert.False(Directory.Exists(aside));
            Assert.Contains(log, l => l.Contains("cut short", StringComparison.Ordinal));

            // A run that ends replaces it, and the set-aside folder goes.
            Assert.Equal(2e-3, await Run(after, () => Ended(RunStatus.Succeeded, 2e-3)));
            Assert.NotEqual(first, stored());
            Assert.False(Directory.Exists(aside));
            Assert.True(new CrossCheckRunner(after, estimator).IsStored(c));
            Assert.False(new CrossCheckRunner(before, estimator).IsStored(c));
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }
}
