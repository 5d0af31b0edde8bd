using DeepMem.Bridge;
using DeepMem.Core;
using DeepMem.Estimator;
using DeepMem.Experiments.CrossCheck;
using DeepMem.Policies;
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
}
