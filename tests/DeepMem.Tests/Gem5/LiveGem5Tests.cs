using System.Diagnostics;
using DeepMem.Bridge;
using DeepMem.Core;
using DeepMem.Experiments;
using DeepMem.Policies;
using Xunit.Abstractions;

namespace DeepMem.Tests.Gem5;

/// <summary>
/// The C# controller driving real patched gem5 through the live bridge
/// (needs DEEPMEM_GEM5). Workload: a small hot region allocated after a large
/// cold one; first touch on a small fast node puts the hot data on NVM.
/// </summary>
public class LiveGem5Tests(ITestOutputHelper output)
{
    private static readonly string Root = RepoLocator.FindRoot(AppContext.BaseDirectory)!;

    private static string Workload(string name)
    {
        var bin = Path.Combine(Root, "tests", "workloads", "bin", name);
        if (!File.Exists(bin))
        {
            var make = Process.Start(new ProcessStartInfo("make", ["-C", Path.Combine(Root, "tests", "workloads")]) { RedirectStandardOutput = true })!;
            make.WaitForExit(120_000);
        }

        Assert.True(File.Exists(bin), $"workload {bin} was not built (make -C tests/workloads)");
        return bin;
    }

    private static SimulationSpec Spec(string name, string outDir) => new()
    {
        Name = name,
        Nodes =
        [
            new NodeSpec("dram", "ddr4", DeviceKind.Dram, 4UL << 20, 28.3, 28.3, 19.2, 0),
            new NodeSpec("nvm", "nvm", DeviceKind.Nvm, 64UL << 20, 150, 500, 2.3, 0),
        ],
        Cpu = new CpuSpec("timing", 3e9, 32 << 10, 32 << 10, 256 << 10),
        Workload = new WorkloadSpec(Workload("hot_after_cold"), ["4", "1", "24"], outDir),
        EpochInstructions = 200_000,
        Migration = new MigrationCostSpec(2000),
        OutputDir = outDir,
    };

    private static Gem5Simulator Simulator(Action<string> log) => new(new Gem5Options
    {
        ConfigScript = Path.Combine(Root, "configs", "gem5", "deepmem_se.py"),
        PythonPath = Path.Combine(Root, "gem5-patches", "python"),
        ReplyDeadline = TimeSpan.FromSeconds(60),
        EventDeadline = TimeSpan.FromSeconds(300),
        RunTimeout = TimeSpan.FromMinutes(15),
    }, log);

    [Gem5Fact]
    public async Task A_hot_page_policy_beats_first_touch_in_gem5()
    {
        var dir = Directory.CreateTempSubdirectory("deepmem-live-").FullName;
        try
        {
            var log = new List<string>();
            var clock = Stopwatch.StartNew();
            var firstTouch = await Simulator(log.Add).RunAsync(Spec("first-touch", Path.Combine(dir, "ft")),
                PolicyFactory.Create(new PolicySpec { Name = "first-touch" }), null, CancellationToken.None);
            var ftHost = clock.Elapsed.TotalSeconds;
            Assert.True(firstTouch.Status == RunStatus.Succeeded, firstTouch.FailureReason + "\n" + firstTouch.OutputTail);

            var hot = new HotPagePolicy();
            clock.Restart();
            var migrated = await Simulator(log.Add).RunAsync(Spec("hot-page", Path.Combine(dir, "hot")), hot, null, CancellationToken.None);
            var hotHost = clock.Elapsed.TotalSeconds;
            Assert.True(migrated.Status == RunStatus.Succeeded, migrated.FailureReason + "\n" + migrated.OutputTail);

            output.WriteLine($"first-touch: {firstTouch.SimulatedSeconds * 1e6:F1} us simulated, {firstTouch.MigratedPages} migrated, host {ftHost:F1} s");
            output.WriteLine($"hot-page:    {migrated.SimulatedSeconds * 1e6:F1} us simulated, {migrated.MigratedPages} migrated ({migrated.MigrationSeconds * 1e6:F1} us), {migrated.Epochs} epochs, {migrated.RejectedDecisions} rejected, host {hotHost:F1} s");
            foreach (var line in log.Take(20))
            {
                output.WriteLine(line);
            }

            Assert.Equal(0UL, firstTouch.MigratedPages);
            Assert.True(migrated.MigratedPages > 0, "the policy migrated nothing");
            Assert.True(migrated.MigrationSeconds > 0, "migrations cost no simulated time");
            var stats = File.ReadAllText(Path.Combine(migrated.OutputDir!, "stats.txt"));
            Assert.Contains("migrat", stats, StringComparison.OrdinalIgnoreCase);
            Assert.True(migrated.SimulatedSeconds < firstTouch.SimulatedSeconds,
                $"hot-page {migrated.SimulatedSeconds * 1e6:F1} us is not faster than first-touch {firstTouch.SimulatedSeconds * 1e6:F1} us");
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Gem5Fact]
    public async Task A_gem5_that_cannot_start_fails_with_its_output()
    {
        var dir = Directory.CreateTempSubdirectory("deepmem-live-").FullName;
        try
        {
            var spec = Spec("bad", dir) with
            {
                Nodes = [new NodeSpec("dram", "ddr4", DeviceKind.Dram, 4UL << 20, 28.3, 28.3, 19.2, 0)],
                Workload = new WorkloadSpec("/bin/sh-does-not-exist", [], dir),
            };
            var result = await Simulator(_ => { }).RunAsync(spec, PolicyFactory.Create(new PolicySpec { Name = "first-touch" }), null, CancellationToken.None);
            Assert.Equal(RunStatus.Failed, result.Status);
            Assert.Contains("does not exist", result.FailureReason);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
