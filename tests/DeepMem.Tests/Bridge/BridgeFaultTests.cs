using System.Diagnostics;
using System.Text.Json;
using DeepMem.Bridge;
using DeepMem.Core;
using DeepMem.Experiments;
using DeepMem.Policies;

namespace DeepMem.Tests.Bridge;

/// <summary>
/// Fault injection against the real Python bridge server: a simulator that
/// falls back, a reply a million items long, a simulator that hangs. The
/// gem5 backend is driven through a stand-in gem5 binary that runs the
/// scripted simulator.
/// </summary>
public class BridgeFaultTests
{
    internal static readonly TimeSpan TestTimeout = TimeSpan.FromSeconds(120);

    private static object Machine() => new
    {
        simulator = "scripted",
        page_size = 4096,
        epoch_instructions = 1_000_000,
        nodes = new object[]
        {
            new { id = 0, name = "dram", kind = "dram", capacity_bytes = 1L << 30, base_address = 0 },
            new { id = 1, name = "nvm", kind = "nvm", capacity_bytes = 1L << 30, base_address = 1L << 30 },
        },
    };

    private static object Epoch(int epoch) => new
    {
        epoch_ended = new
        {
            epoch, start_tick = epoch * 1000, end_tick = (epoch + 1) * 1000, epoch_instructions = 1_000_000,
            total_instructions = (epoch + 1) * 1_000_000, pages = new[] { new[] { 0x400, 1, 0, 0 } },
        },
    };

    internal static object Script(int epochs) => new
    {
        machine = Machine(),
        events = new object[] { new { region_created = new { region_id = 1, start_address = 0x400000, length_bytes = 4096, source = "mmap" } } }
            .Concat(Enumerable.Range(0, epochs).Select(Epoch))
            .Append(new { finished = new { exit_code = 0, ticks = 9000, simulated_seconds = 9e-9, instructions = 9_000_000 } })
            .ToArray(),
    };

    [Fact]
    public async Task A_late_reply_makes_a_visible_fallback_and_progress_keeps_the_event_deadline_alive()
    {
        // Epoch 0's reply comes 4 s late for a 1 s reply deadline; then 6
        // epochs of 1 s each run under the fallback, 6 s in all, twice the
        // controller's 3 s event deadline: only Progress keeps it alive.
        await using var sim = await ScriptedSimulator.StartAsync(Script(7), "--reply-timeout", "1", "--event-seconds", "1");
        var log = new List<string>();
        var policy = new SlowPolicy { Delay = e => e.Epoch == 0 ? TimeSpan.FromSeconds(4) : TimeSpan.Zero };
        using var cts = new CancellationTokenSource(TestTimeout);
        var outcome = await CoSimulationClient.RunAsync(sim.Channel, new GuardedPolicy("slow", policy),
            new SessionOptions { EventDeadline = TimeSpan.FromSeconds(3) }, null, log.Add, cts.Token).WaitAsync(TestTimeout);
        Assert.True(outcome.Status == RunStatus.Succeeded, outcome.FailureReason);
        Assert.Equal("default", outcome.Fallback);
        Assert.Contains("no reply to event 2 within 1 s", outcome.FallbackReason);
        Assert.Equal(1UL, outcome.Epochs);
        Assert.Equal(0UL, outcome.PolicyEpochs);
        Assert.Equal(7UL, outcome.FallbackEpochs);
        Assert.Contains(log, l => l.Contains("fell back to 'default'"));
        Assert.Equal(0, await sim.WaitExitAsync());
    }

    [Fact]
    public async Task A_stop_fallback_fails_the_run_and_names_the_fallback()
    {
        await using var sim = await ScriptedSimulator.StartAsync(Script(3), "--reply-timeout", "1", "--fallback", "stop");
        var policy = new SlowPolicy { Delay = e => e.Epoch == 1 ? TimeSpan.FromSeconds(4) : TimeSpan.Zero };
        using var cts = new CancellationTokenSource(TestTimeout);
        var outcome = await CoSimulationClient.RunAsync(sim.Channel, new GuardedPolicy("slow", policy), new SessionOptions(), null, null, cts.Token)
            .WaitAsync(TestTimeout);
        Assert.Equal(RunStatus.Failed, outcome.Status);
        Assert.Equal("the simulator stopped without this controller (fallback 'stop'): no reply to event 3 within 1 s", outcome.FailureReason);
        Assert.Equal("stop", outcome.Fallback);
        Assert.Equal((2UL, 1UL, 1UL), (outcome.Epochs, outcome.PolicyEpochs, outcome.FallbackEpochs));
        Assert.NotNull(outcome.Finished);
        Assert.Equal(0, await sim.WaitExitAsync());
    }

    [Fact]
    public async Task A_hung_gem5_is_killed_at_the_event_deadline()
    {
        var dir = Directory.CreateTempSubdirectory("deepmem-hung-gem5-").FullName;
        try
        {
            var (options, spec) = FakeGem5(dir, Script(2), "--hang-before", "2");
            options = options with { EventDeadline = TimeSpan.FromSeconds(10) };
            var clock = Stopwatch.StartNew();
            using var cts = new CancellationTokenSource(TestTimeout);
            var result = await new Gem5Simulator(options).RunAsync(spec, new GuardedPolicy("p", new SlowPolicy()), null, cts.Token).WaitAsync(TestTimeout);
            Assert.Equal(RunStatus.Failed, result.Status);
            Assert.Contains("event deadline", result.FailureReason);
            // Before: 30 s of grace after the deadline had fired.
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(35), $"took {clock.Elapsed.TotalSeconds:0} s");
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public async Task The_gem5_result_counts_policy_and_fallback_epochs_and_says_why()
    {
        var dir = Directory.CreateTempSubdirectory("deepmem-fallback-gem5-").FullName;
        try
        {
            var (options, spec) = FakeGem5(dir, Script(4), "--reply-timeout", "1");
            var policy = new SlowPolicy { Delay = e => e.Epoch == 1 ? TimeSpan.FromSeconds(4) : TimeSpan.Zero };
            using var cts = new CancellationTokenSource(TestTimeout);
            var result = await new Gem5Simulator(options).RunAsync(spec, new GuardedPolicy("slow", policy), null, cts.Token).WaitAsync(TestTimeout);
            Assert.True(result.Status == RunStatus.Succeeded, result.FailureReason);
            Assert.Equal(1UL, result.PolicyEpochs);
            Assert.Equal(3UL, result.FallbackEpochs);
            Assert.Equal(4UL, result.Epochs);
            Assert.StartsWith("fallback 'default': no reply to event 3 within 1 s", result.FallbackReason);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>A "gem5.opt" that ignores its arguments and runs the scripted simulator.</summary>
    private static (Gem5Options Options, SimulationSpec Spec) FakeGem5(string dir, object script, params string[] args)
    {
        var root = RepoLocator.FindRoot(AppContext.BaseDirectory) ?? throw new InvalidOperationException("repo root not found");
        var scriptPath = Path.Combine(dir, "script.json");
        File.WriteAllText(scriptPath, JsonSerializer.Serialize(script));
        var gem5 = Path.Combine(dir, "gem5.opt");
        File.WriteAllText(gem5, "#!/bin/sh\n" + ProtoCache.ShellExports + "exec " + ScriptedSimulator.Python + " -m deepmem.bridge.scripted --script '" + scriptPath + "' --port 0 "
            + string.Join(" ", args) + "\n");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(gem5, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
        var options = new Gem5Options
        {
            Binary = gem5,
            ConfigScript = Path.Combine(root, "configs", "gem5", "deepmem_se.py"),
            PythonPath = Path.Combine(root, "gem5-patches", "python"),
            EventDeadline = TimeSpan.FromSeconds(60),
        };
        var spec = new SimulationSpec
        {
            Name = "fake-gem5",
            Nodes =
            [
                new NodeSpec("dram", "ddr4", DeviceKind.Dram, 1UL << 30, 80, 80, 19.2, 0),
                new NodeSpec("nvm", "nvm", DeviceKind.Nvm, 1UL << 30, 300, 900, 6.4, 0),
            ],
            Cpu = new CpuSpec("timing", 3e9, 32768, 32768, 1 << 20),
            Workload = new WorkloadSpec("/bin/sh", [], dir),
            EpochInstructions = 1_000_000,
            Migration = new MigrationCostSpec(2000),
            OutputDir = Path.Combine(dir, "out"),
        };
        return (options, spec);
    }

    /// <summary>A policy that takes its time on chosen epochs and answers with chosen moves.</summary>
    internal sealed class SlowPolicy : IPlacementPolicy
    {
        public Func<EpochReport, TimeSpan> Delay { get; init; } = _ => TimeSpan.Zero;

        public Func<EpochReport, IReadOnlyList<PageMigration>> Moves { get; init; } = _ => [];

        public List<EpochReport> Reports { get; } = [];

        /// <summary>The last reply, held until the test drops it.</summary>
        public object? Keep { get; set; }

        public void Initialize(Topology topology)
        {
        }

        public RegionPlacement PlaceRegion(Region region) => RegionPlacement.Default;

        public IReadOnlyList<PageMigration> OnEpoch(EpochReport report)
        {
            Reports.Add(report);
            Thread.Sleep(Delay(report));
            var moves = Moves(report);
            Keep = moves;
            return moves;
        }
    }
}

/// <summary>
/// The memory test of <see cref="BridgeFaultTests"/>: it reads the process's
/// heap size, so it runs alone, not beside tests that allocate.
/// </summary>
[Collection(Solo.Name)]
public class BridgeMemoryTests
{
    [Fact]
    public async Task A_million_bad_items_are_summarised_by_reason_with_flat_memory()
    {
        await using var sim = await ScriptedSimulator.StartAsync(BridgeFaultTests.Script(3));
        var log = new List<string>();
        var policy = new BridgeFaultTests.SlowPolicy
        {
            Moves = e => e.Epoch == 2 ? [] : Enumerable.Range(0, 1_000_000).Select(i => new PageMigration(0x400, 7)).ToList(),
        };
        using var cts = new CancellationTokenSource(BridgeFaultTests.TestTimeout);
        GC.Collect();
        var before = GC.GetTotalMemory(forceFullCollection: true);
        var outcome = await CoSimulationClient.RunAsync(sim.Channel, new GuardedPolicy("bad", policy), new SessionOptions(), null, log.Add, cts.Token)
            .WaitAsync(BridgeFaultTests.TestTimeout);
        policy.Keep = null;
        var after = GC.GetTotalMemory(forceFullCollection: true);
        Assert.True(outcome.Status == RunStatus.Succeeded, outcome.FailureReason);
        Assert.Equal(2_000_000UL, outcome.RejectedDecisions);
        var group = Assert.Single(outcome.Rejections);
        Assert.Equal("node 7 out of range (nodes: 2)", group.Reason);
        Assert.Equal(2_000_000UL, group.Count);
        Assert.True(group.FirstIndices.Count <= RejectionLedger.MaxIndices);
        // One log line per reason per reply, not one per item.
        Assert.Equal(2, log.Count(l => l.Contains("rejected")));
        Assert.All(policy.Reports.Skip(1), r => Assert.True(r.RejectedMigrations.Count <= RejectionLedger.MaxSample));
        // Nothing per item survives the session (the policy's own lists are dropped above).
        Assert.True(after - before < 32 << 20, $"{(after - before) >> 20} MiB kept after the session");
        Assert.Equal(0, await sim.WaitExitAsync());
    }
}
