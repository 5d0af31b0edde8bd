using DeepMem.Bridge;
using DeepMem.Core;
using DeepMem.Policies;

namespace DeepMem.Tests.Bridge;

/// <summary>
/// The C# client against the real Python bridge server (grpcio under
/// /usr/bin/python3), with the simulator replaced by a scripted event source
/// that checks replies as patched gem5 does.
/// </summary>
public class BridgeContractTests
{
    private static readonly TimeSpan TestTimeout = TimeSpan.FromSeconds(90);

    private static object Machine(long dramBytes = 1L << 20, long nvmBytes = 1L << 24) => new
    {
        simulator = "scripted",
        page_size = 4096,
        epoch_instructions = 1_000_000,
        nodes = new object[]
        {
            new { id = 0, name = "dram", kind = "dram", capacity_bytes = dramBytes, base_address = 0, read_latency_ns = 50, write_latency_ns = 50, bandwidth_gbps = 19.2 },
            new { id = 1, name = "nvm", kind = "nvm", capacity_bytes = nvmBytes, base_address = dramBytes, read_latency_ns = 150, write_latency_ns = 500, bandwidth_gbps = 6.4 },
        },
    };

    private static object Region(int id, long start, long length) => new
    {
        region_created = new { region_id = id, start_address = start, length_bytes = length, source = "mmap", program_policy = "", instructions = 0, tick = 0 },
    };

    private static object Epoch(int epoch, object[][] pages) => new
    {
        epoch_ended = new
        {
            epoch, start_tick = epoch * 1000, end_tick = (epoch + 1) * 1000, epoch_instructions = 1_000_000,
            total_instructions = (epoch + 1) * 1_000_000, pages,
        },
    };

    private static object Finished => new { finished = new { exit_code = 0, ticks = 3000, simulated_seconds = 3e-9, instructions = 3_000_000, output_dir = "m5out" } };

    private static async Task<SessionOutcome> Drive(ScriptedSimulator sim, IPlacementPolicy policy, SessionOptions? options = null)
    {
        using var cts = new CancellationTokenSource(TestTimeout);
        var log = new List<string>();
        var outcome = await CoSimulationClient.RunAsync(sim.Channel, new GuardedPolicy("test", policy), options ?? new SessionOptions(), null, log.Add, cts.Token)
            .WaitAsync(TestTimeout);
        return outcome;
    }

    [Fact]
    public async Task Every_event_kind_reaches_the_policy_and_every_reply_kind_is_applied()
    {
        var script = new
        {
            machine = Machine(),
            events = new object[]
            {
                new Dictionary<string, object>
                {
                    ["region_created"] = ((dynamic)Region(1, 0x400000, 16 * 4096)).region_created,
                    ["expect"] = new { call = "placement", applied = 1, rejected = Array.Empty<int>(), placement = new { mode = "bind", nodes = new[] { 1 } } },
                },
                new Dictionary<string, object>
                {
                    ["region_created"] = ((dynamic)Region(2, 0x800000, 4 * 4096)).region_created,
                    ["expect"] = new { call = "none" },
                },
                new Dictionary<string, object>
                {
                    ["epoch_ended"] = ((dynamic)Epoch(0, [[0x400, 10, 2, 1], [0x401, 1, 0, 1]])).epoch_ended,
                    ["expect"] = new { call = "migrations", applied = 1, rejected = Array.Empty<int>(), migrations = new[] { new[] { 0x400, 0 } } },
                },
                Finished,
            },
        };
        await using var sim = await ScriptedSimulator.StartAsync(script);
        var policy = new RecordingPolicy
        {
            Place = r => r.Id == 1 ? RegionPlacement.Bind(1) : RegionPlacement.Default,
            Epoch = e => e.Pages.PageNumbers.Where((p, i) => e.Pages.Reads[i] >= 4).Select(p => new PageMigration(p, 0)).ToList(),
        };
        var outcome = await Drive(sim, policy);
        Assert.True(outcome.Status == RunStatus.Succeeded, outcome.FailureReason);
        Assert.Equal(2, policy.Regions.Count);
        Assert.Equal(0x400000UL, policy.Regions[0].Start);
        var epoch = Assert.Single(policy.Epochs);
        Assert.Equal(2, epoch.Pages.Count);
        Assert.Equal(1, epoch.Pages.Nodes[0]);
        Assert.NotNull(policy.Topology);
        Assert.Equal(2, policy.Topology!.Nodes.Count);
        Assert.Equal(DeviceKind.Nvm, policy.Topology.Nodes[1].Kind);
        Assert.Equal(3_000_000UL, outcome.Finished!.Instructions);
        Assert.Equal(0, await sim.WaitExitAsync());
    }

    [Fact]
    public async Task Each_cores_instructions_reach_the_policy_through_the_bridge()
    {
        var script = new
        {
            machine = Machine(),
            events = new object[]
            {
                new
                {
                    epoch_ended = new
                    {
                        epoch = 0, start_tick = 0, end_tick = 1000, epoch_instructions = 1000, total_instructions = 1000,
                        core_instructions = new long[] { 1000, 980, 0, 1_234_567_890_123 },
                    },
                },
                Epoch(1, []),
                Finished,
            },
        };
        await using var sim = await ScriptedSimulator.StartAsync(script);
        var policy = new RecordingPolicy();
        var outcome = await Drive(sim, policy);
        Assert.True(outcome.Status == RunStatus.Succeeded, outcome.FailureReason);
        Assert.Equal(2, policy.Epochs.Count);
        Assert.Equal([1000L, 980L, 0L, 1_234_567_890_123L], policy.Epochs[0].CoreInstructions);
        Assert.Empty(policy.Epochs[1].CoreInstructions);
        Assert.Equal(0, await sim.WaitExitAsync());
    }

    [Fact]
    public async Task Bad_decisions_are_rejected_item_by_item_and_the_run_goes_on()
    {
        var script = new
        {
            machine = Machine(),
            events = new object[]
            {
                Region(1, 0x400000, 4 * 4096),
                new Dictionary<string, object>
                {
                    ["epoch_ended"] = ((dynamic)Epoch(0, [[0x400, 9, 0, 1], [0x401, 9, 0, 1]])).epoch_ended,
                    ["expect"] = new { call = "migrations", applied = 1, rejected = new[] { 1, 2 } },
                },
                Epoch(1, [[0x400, 1, 0, 0]]),
                Finished,
            },
        };
        await using var sim = await ScriptedSimulator.StartAsync(script);
        var policy = new RecordingPolicy
        {
            Epoch = e => e.Epoch == 0 ? [new PageMigration(0x400, 0), new PageMigration(0x401, 7), new PageMigration(0x999999, 0)] : [],
        };
        var outcome = await Drive(sim, policy);
        Assert.True(outcome.Status == RunStatus.Succeeded, outcome.FailureReason);
        Assert.Equal(2UL, outcome.RejectedDecisions);
        Assert.Contains(outcome.Rejections, r => r.Reason == "node 7 out of range (nodes: 2)" && r.FirstIndices.SequenceEqual([1]));
        Assert.Contains(outcome.Rejections, r => r.Reason == "page is not mapped" && r.FirstIndices.SequenceEqual([2]));
        Assert.Equal(2, policy.Epochs[1].RejectedMigrations.Count);
        Assert.Equal(0, await sim.WaitExitAsync());
    }

    [Fact]
    public async Task A_protocol_version_mismatch_is_one_clear_line()
    {
        await using var sim = await ScriptedSimulator.StartAsync(new { machine = Machine(), events = new object[] { Finished } }, "--protocol-version", "3");
        var outcome = await Drive(sim, new RecordingPolicy());
        Assert.Equal(RunStatus.Failed, outcome.Status);
        Assert.Equal("protocol version mismatch: this controller speaks deepmem.v1 version 2, the simulator speaks version 3", outcome.FailureReason);
    }

    [Fact]
    public async Task The_bridge_servers_of_one_test_process_share_one_protoc_compilation()
    {
        var script = new { machine = Machine(), events = new object[] { Region(1, 0x400000, 4096), Epoch(0, []), Finished } };
        for (var i = 0; i < 2; i++)
        {
            await using var sim = await ScriptedSimulator.StartAsync(script);
            Assert.Equal(RunStatus.Succeeded, (await Drive(sim, new RecordingPolicy())).Status);
        }

        Assert.Equal(1, ProtoCache.Compilations);
    }

    [Fact]
    public async Task A_simulator_that_dies_mid_stream_ends_the_session_with_the_cause()
    {
        var script = new { machine = Machine(), events = new object[] { Region(1, 0x400000, 4096), Epoch(0, []), Finished } };
        await using var sim = await ScriptedSimulator.StartAsync(script, "--die-after", "1");
        var outcome = await Drive(sim, new RecordingPolicy());
        Assert.Equal(RunStatus.Failed, outcome.Status);
        Assert.Contains("simulator", outcome.FailureReason);
        Assert.Equal(70, await sim.WaitExitAsync());
    }

    [Fact]
    public async Task A_silent_simulator_hits_the_event_deadline()
    {
        var script = new { machine = Machine(), events = new object[] { Region(1, 0x400000, 4096), Epoch(0, []), Finished } };
        await using var sim = await ScriptedSimulator.StartAsync(script, "--hang-before", "2");
        var outcome = await Drive(sim, new RecordingPolicy(), new SessionOptions { EventDeadline = TimeSpan.FromSeconds(2) });
        Assert.Equal(RunStatus.Failed, outcome.Status);
        Assert.Contains("event deadline", outcome.FailureReason);
    }

    [Fact]
    public async Task A_policy_that_throws_stops_the_simulation_cleanly()
    {
        var script = new
        {
            machine = Machine(),
            events = new object[]
            {
                new Dictionary<string, object>
                {
                    ["region_created"] = ((dynamic)Region(1, 0x400000, 4096)).region_created,
                    ["expect"] = new { call = "stop" },
                },
                Finished,
            },
        };
        await using var sim = await ScriptedSimulator.StartAsync(script);
        var outcome = await Drive(sim, new RecordingPolicy { Place = _ => throw new InvalidOperationException("kaput") });
        Assert.Equal(RunStatus.Failed, outcome.Status);
        Assert.Contains("policy 'test' failed in PlaceRegion", outcome.FailureReason);
        Assert.NotNull(outcome.Finished);
        Assert.Equal(0, await sim.WaitExitAsync());
    }

    [Fact]
    public async Task Off_loopback_the_server_demands_the_token()
    {
        var tokenFile = Path.GetTempFileName();
        await File.WriteAllTextAsync(tokenFile, "s3cret\n");
        try
        {
            var script = new { machine = Machine(), events = new object[] { Finished } };
            await using (var sim = await ScriptedSimulator.StartAsync(script, "--host", "0.0.0.0", "--allow-remote", "--token-file", tokenFile))
            {
                var refused = await Drive(sim, new RecordingPolicy(), new SessionOptions { Token = "wrong" });
                Assert.Equal(RunStatus.Failed, refused.Status);
                Assert.Contains("refused", refused.FailureReason);
            }

            await using (var sim = await ScriptedSimulator.StartAsync(script, "--host", "0.0.0.0", "--allow-remote", "--token-file", tokenFile))
            {
                var ok = await Drive(sim, new RecordingPolicy(), new SessionOptions { Token = "s3cret" });
                Assert.True(ok.Status == RunStatus.Succeeded, ok.FailureReason);
            }
        }
        finally
        {
            File.Delete(tokenFile);
        }
    }

    [Fact]
    public async Task A_simulator_failure_is_reported_with_its_reason()
    {
        var script = new { machine = Machine(), events = new object[] { new { failed = new { reason = "gem5 panicked: boom", exit_code = 134, output_tail = "panic: boom" } } } };
        await using var sim = await ScriptedSimulator.StartAsync(script);
        var outcome = await Drive(sim, new RecordingPolicy());
        Assert.Equal(RunStatus.Failed, outcome.Status);
        Assert.Contains("gem5 panicked: boom", outcome.FailureReason);
        Assert.Equal(134, outcome.Failed!.ExitCode);
    }
}
