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
    public void A_stored_result_is_reused_only_for_the_same_placement_policy_and_command_line()
    {
        var a = new CrossCheckCase("optimum", "static", "x", StaticPlacement.FromNodes([0, 1, 1], 1), null);
        var b = a with { Static = StaticPlacement.FromNodes([0, 0, 1], 1) };
        var hemem = new CrossCheckCase("policy-hemem", "dynamic", "x", null, new PolicySpec { Name = "hemem" });
        var tuned = hemem with { Policy = new PolicySpec { Name = "hemem", Options = new Dictionary<string, OptionValue> { ["sample_period"] = OptionValue.Of("8") } } };
        const string args = "-d out deepmem_se.py --node dram:ddr4:68MiB";

        Assert.Equal(CrossCheckRunner.Fingerprint(a, args), CrossCheckRunner.Fingerprint(a with { Description = "other words" }, args));
        Assert.NotEqual(CrossCheckRunner.Fingerprint(a, args), CrossCheckRunner.Fingerprint(b, args));
        Assert.NotEqual(CrossCheckRunner.Fingerprint(a, args), CrossCheckRunner.Fingerprint(a, args + " --cpu timing"));
        Assert.NotEqual(CrossCheckRunner.Fingerprint(hemem, args), CrossCheckRunner.Fingerprint(tuned, args));
        Assert.NotEqual(CrossCheckRunner.Fingerprint(a, args, "python 0123, binary none"), CrossCheckRunner.Fingerprint(a, args, "python 4567, binary none"));
    }

    [Fact]
    public void The_gem5_side_version_follows_the_python_files_and_the_binary()
    {
        var dir = Directory.CreateTempSubdirectory("deepmem-side-").FullName;
        try
        {
            var pkg = Directory.CreateDirectory(Path.Combine(dir, "python", "deepmem")).FullName;
            var script = Path.Combine(dir, "deepmem_se.py");
            File.WriteAllText(script, "import deepmem\n");
            File.WriteAllText(Path.Combine(pkg, "gem5run.py"), "A = 1\n");
            var binary = Path.Combine(dir, "gem5.opt");
            File.WriteAllText(binary, "elf");
            var options = new Gem5Options { ConfigScript = script, PythonPath = Path.Combine(dir, "python"), Binary = binary };
            var v1 = options.SideVersion();
            Assert.Equal(v1, options.SideVersion());
            Assert.Contains("binary 3 bytes", v1);

            File.WriteAllText(Path.Combine(pkg, "gem5run.py"), "A = 2\n");
            var v2 = options.SideVersion();
            Assert.NotEqual(v1, v2);

            File.WriteAllText(binary, "elf2");
            Assert.NotEqual(v2, options.SideVersion());
            Assert.EndsWith("binary none", (options with { Binary = Path.Combine(dir, "missing") }).SideVersion());
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }
}
