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

    private static Gem5Options Options(string? trace = null, ulong window = 0) =>
        new() { ConfigScript = "deepmem_se.py", PythonPath = "py", TracePath = trace, TraceWindowInstructions = window };

    [Fact]
    public void A_trace_path_adds_the_trace_and_its_window_defaulting_to_the_epoch()
    {
        var none = new Gem5Simulator(Options()).Arguments(Spec());
        Assert.DoesNotContain("--trace", none);

        var byEpoch = new Gem5Simulator(Options("w.trace.jsonl.gz")).Arguments(Spec()).ToList();
        Assert.Equal("w.trace.jsonl.gz", byEpoch[byEpoch.IndexOf("--trace") + 1]);
        Assert.Equal("100000", byEpoch[byEpoch.IndexOf("--window-insts") + 1]);

        var own = new Gem5Simulator(Options("w.trace.jsonl.gz", 50_000)).Arguments(Spec()).ToList();
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
        var est = new EstimatorOptions();
        string Key(CrossCheckCase c, SimulationSpec? s = null, Gem5Options? opt = null) => CrossCheckRunner.Key(c, s ?? Spec(), opt ?? o, est).Value;

        Assert.Equal(Key(a), Key(a with { Description = "other words" }));
        Assert.NotEqual(Key(a), Key(b));
        Assert.NotEqual(Key(a), Key(a, Spec() with { Cpu = Spec().Cpu with { Model = "timing" } }));
        Assert.NotEqual(Key(hemem), Key(tuned));
        Assert.NotEqual(Key(a), Key(a, opt: o with { TracePath = "w.trace.jsonl.gz", TraceWindowInstructions = 50_000 }));

        // The case file holds the key and its inputs, so a rerun can name what changed.
        var key = CrossCheckRunner.Key(a, Spec(), o, est);
        var text = CrossCheckRunner.CaseText(key);
        Assert.StartsWith(key.Value + "\n", text, StringComparison.Ordinal);
        Assert.Contains("gem5-side python=", text, StringComparison.Ordinal);
    }
}
