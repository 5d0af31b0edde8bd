using System.Text.Json;
using DeepMem.Bridge;
using DeepMem.Core;
using DeepMem.Policies;
using DeepMem.Server;
using DeepMem.Tests.Bridge;
using Grpc.Core;
using Grpc.Net.Client;
using Proto = DeepMem.Protocol.V1;

namespace DeepMem.Tests.Server;

/// <summary>
/// The estimator's deepmem.v1 server against the C# client and a raw
/// scripted controller: the contract the gem5 side keeps (version, token,
/// ticket, per-item rejections in gem5's words, fallbacks, Finished), and
/// the same event sequence as the gem5 side's scripted server for the same
/// trace.
/// </summary>
public class EstimatorServerTests
{
    private static readonly TimeSpan TestTimeout = TimeSpan.FromSeconds(90);

    /// <summary>A policy epoch handler that answers epoch 1 late (2.5 s, past a 1 s reply timeout).</summary>
    private static readonly Func<EpochReport, IReadOnlyList<PageMigration>> SleepOnFirstEpoch = e =>
    {
        if (e.Epoch == 1)
        {
            Thread.Sleep(2500);
        }

        return [];
    };

    private static async Task<SessionOutcome> Drive(GrpcChannel channel, IPlacementPolicy policy, SessionOptions? options = null, List<string>? log = null)
    {
        using var cts = new CancellationTokenSource(TestTimeout);
        return await CoSimulationClient.RunAsync(channel, new GuardedPolicy("test", policy), options ?? new SessionOptions(), null, (log ?? []).Add, cts.Token)
            .WaitAsync(TestTimeout);
    }

    [Fact]
    public async Task A_whole_run_reaches_the_policy_and_ends_with_the_estimators_result()
    {
        await using var server = await ServedEstimator.StartAsync();
        var policy = new RecordingPolicy();
        var outcome = await Drive(server.Channel, policy);
        Assert.True(outcome.Status == RunStatus.Succeeded, outcome.FailureReason);
        var summary = Assert.Single(await server.WaitDoneAsync());
        Assert.Equal("controller", summary.Mode);
        Assert.Equal(2, policy.Topology!.Nodes.Count);
        Assert.Equal(DeviceKind.Nvm, policy.Topology.Nodes[1].Kind);
        Assert.NotEmpty(policy.Regions);
        Assert.True(policy.Epochs.Count >= 3, $"{policy.Epochs.Count} epochs");
        Assert.Equal((ulong)policy.Epochs.Count, outcome.Epochs);
        Assert.All(policy.Epochs, e => Assert.True(e.Pages.Count > 0));

        // The same run in process gives the same result: the server adds no time of its own.
        var direct = await new global::DeepMem.Estimator.EstimatorSimulator(ServedEstimator.Quickstart().Estimator)
            .RunAsync(ServedEstimator.Quickstart().Spec, new RecordingPolicy(), null, CancellationToken.None);
        Assert.Equal(direct.Ticks, outcome.Finished!.Ticks);
        Assert.Equal(direct.Instructions, outcome.Finished.Instructions);
    }

    [Fact]
    public async Task Bad_decisions_are_rejected_item_by_item_in_gem5s_words_and_the_run_goes_on()
    {
        await using var server = await ServedEstimator.StartAsync();
        var policy = new RecordingPolicy
        {
            Place = r => r.Id == 1 ? RegionPlacement.Bind(5) : RegionPlacement.Default,
            Epoch = e => e.Epoch == 0 ? [new PageMigration(e.Pages.PageNumbers[0], 1), new PageMigration(e.Pages.PageNumbers[0], 7), new PageMigration(0x999999, 1)] : [],
        };
        var outcome = await Drive(server.Channel, policy);
        Assert.True(outcome.Status == RunStatus.Succeeded, outcome.FailureReason);
        Assert.Equal(3UL, outcome.RejectedDecisions);
        Assert.Contains(outcome.Rejections, r => r.Reason == "node 5 out of range (nodes: 2)" && r.FirstIndices.SequenceEqual([0]));
        Assert.Contains(outcome.Rejections, r => r.Reason == "node 7 out of range (nodes: 2)" && r.FirstIndices.SequenceEqual([1]));
        Assert.Contains(outcome.Rejections, r => r.Reason == "page is not mapped" && r.FirstIndices.SequenceEqual([2]));
        Assert.Equal(2, policy.Epochs[1].RejectedMigrations.Count);
        Assert.Equal(1UL, outcome.Finished!.MigratedPages);
    }

    [Fact]
    public async Task A_protocol_version_mismatch_is_one_clear_line()
    {
        await using var server = await ServedEstimator.StartAsync(new ServeOptions { ProtocolVersion = 3, ConnectTimeout = TimeSpan.FromSeconds(2) });
        var outcome = await Drive(server.Channel, new RecordingPolicy());
        Assert.Equal(RunStatus.Failed, outcome.Status);
        Assert.Equal("protocol version mismatch: this controller speaks deepmem.v1 version 2, the simulator speaks version 3", outcome.FailureReason);
    }

    [Fact]
    public async Task Off_loopback_the_server_demands_the_token_and_a_session_needs_the_ticket()
    {
        Assert.Contains(new ServeOptions { Host = "0.0.0.0" }.Problems(), p => p.Contains("needs the allow-remote option"));
        Assert.Contains(new ServeOptions { Host = "0.0.0.0", AllowRemote = true }.Problems(), p => p.Contains("a token is required"));
        await using var server = await ServedEstimator.StartAsync(new ServeOptions { Host = "0.0.0.0", AllowRemote = true, Token = "s3cret" });
        var refused = await Drive(server.Channel, new RecordingPolicy());
        Assert.Equal("the simulator refused this controller: a token is required", refused.FailureReason);
        var wrong = await Drive(server.Channel, new RecordingPolicy(), new SessionOptions { Token = "nope" });
        Assert.Equal("the simulator refused this controller: token mismatch", wrong.FailureReason);

        var client = new Proto.CoSimulation.CoSimulationClient(server.Channel);
        using (var noTicket = client.Session())
        {
            var e = await Assert.ThrowsAsync<RpcException>(() => noTicket.ResponseStream.MoveNext(CancellationToken.None));
            Assert.Equal(StatusCode.PermissionDenied, e.StatusCode);
        }

        var ok = await Drive(server.Channel, new RecordingPolicy(), new SessionOptions { Token = "s3cret" });
        Assert.True(ok.Status == RunStatus.Succeeded, ok.FailureReason);
        // A one-session server takes no second session: a Hello is refused
        // until the server has stopped, and finds nobody listening after.
        try
        {
            var again = await client.HelloAsync(new Proto.HelloRequest { ProtocolVersion = 2, Token = "s3cret" });
            Assert.False(again.Accepted);
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.Unavailable)
        {
            Assert.Single(await server.WaitDoneAsync());
        }
    }

    [Fact]
    public async Task A_late_reply_makes_a_visible_fallback_with_progress_and_counted_epochs()
    {
        await using var server = await ServedEstimator.StartAsync(new ServeOptions { ReplyTimeout = TimeSpan.FromSeconds(1) });
        var policy = new RecordingPolicy { Epoch = SleepOnFirstEpoch };
        var log = new List<string>();
        var outcome = await Drive(server.Channel, policy, null, log);
        Assert.True(outcome.Status == RunStatus.Succeeded, outcome.FailureReason);
        Assert.Equal("default", outcome.Fallback);
        Assert.Matches(@"^no reply to event \d+ within 1 s$", outcome.FallbackReason);
        Assert.Equal(2UL, outcome.Epochs);
        Assert.Equal(1UL, outcome.PolicyEpochs);
        Assert.True(outcome.FallbackEpochs >= 2, $"{outcome.FallbackEpochs} fallback epochs");
        Assert.Equal(outcome.FallbackEpochs, outcome.Finished!.FallbackEpochs);
        Assert.Contains(log, l => l.Contains("fell back to 'default'"));
    }

    [Fact]
    public async Task A_stop_fallback_and_a_stop_reply_end_the_run_with_finished()
    {
        await using (var server = await ServedEstimator.StartAsync(new ServeOptions { ReplyTimeout = TimeSpan.FromSeconds(1), Fallback = "stop" }))
        {
            var outcome = await Drive(server.Channel, new RecordingPolicy { Epoch = SleepOnFirstEpoch });
            Assert.Equal(RunStatus.Failed, outcome.Status);
            Assert.StartsWith("the simulator stopped without this controller (fallback 'stop'): no reply to event", outcome.FailureReason);
            Assert.NotNull(outcome.Finished);
            Assert.Equal((2UL, 1UL, 1UL), (outcome.Epochs, outcome.PolicyEpochs, outcome.FallbackEpochs));
        }

        await using (var server = await ServedEstimator.StartAsync())
        {
            var outcome = await Drive(server.Channel, new RecordingPolicy { Epoch = e => e.Epoch == 1 ? throw new InvalidOperationException("boom") : [] });
            Assert.Equal(RunStatus.Failed, outcome.Status);
            Assert.Contains("boom", outcome.FailureReason);
            Assert.NotNull(outcome.Finished);
            Assert.Equal(2UL, outcome.Epochs);
            var summary = Assert.Single(await server.WaitDoneAsync());
            Assert.NotNull(summary.Final.Finished);
        }
    }

    [Fact]
    public async Task A_Hello_over_16_KiB_is_refused_unread_and_a_normal_one_still_gets_its_session()
    {
        await using var server = await ServedEstimator.StartAsync();
        var client = new Proto.CoSimulation.CoSimulationClient(server.Channel);

        // Version 99 so that a Hello that is read gets a refusal naming the version; the 16 KiB rule comes first.
        var big = new Proto.HelloRequest { ProtocolVersion = 99, Controller = new string('x', 20 * 1024) };
        var e = await Assert.ThrowsAsync<RpcException>(async () => await client.HelloAsync(big));
        Assert.Equal(StatusCode.ResourceExhausted, e.StatusCode);
        Assert.Equal($"Hello of {big.CalculateSize()} bytes (at most 16384)", e.Status.Detail);
        lock (server.Log)
        {
            Assert.Contains(server.Log, l => l.Contains("refused Hello", StringComparison.Ordinal) && l.Contains("(at most 16384)", StringComparison.Ordinal));
        }

        // Just under the limit: read, parsed and refused for its version.
        var under = new Proto.HelloRequest { ProtocolVersion = 99, Controller = new string('x', 16 * 1024 - 16) };
        Assert.True(under.CalculateSize() <= 16 * 1024);
        var reply = await client.HelloAsync(under);
        Assert.False(reply.Accepted);
        Assert.Contains("protocol version mismatch", reply.Reason, StringComparison.Ordinal);

        // The Session stream keeps the large limit, and a normal run goes through.
        var ok = await Drive(server.Channel, new RecordingPolicy());
        Assert.True(ok.Status == RunStatus.Succeeded, ok.FailureReason);
    }

    [Fact]
    public async Task Several_sessions_are_served_in_a_row_each_a_fresh_run()
    {
        await using var server = await ServedEstimator.StartAsync(new ServeOptions { Sessions = 2 });
        var a = await Drive(server.Channel, new RecordingPolicy());
        var b = await Drive(server.Channel, new RecordingPolicy());
        Assert.True(a.Status == RunStatus.Succeeded && b.Status == RunStatus.Succeeded, a.FailureReason + b.FailureReason);
        Assert.Equal(a.Finished!.Ticks, b.Finished!.Ticks);
        Assert.Equal(2, (await server.WaitDoneAsync()).Count);
    }

    /// <summary>
    /// The same scripted controller against the estimator's server and
    /// against the gem5 side's scripted server replaying what the estimator
    /// sent: every message, verdicts included, is the same, so a controller
    /// cannot tell the two servers apart.
    /// </summary>
    [Fact]
    public async Task The_same_controller_gets_the_same_events_from_both_servers_for_the_same_trace()
    {
        List<Proto.SimulatorMessage> fromEstimator;
        Proto.MachineInfo machine;
        await using (var server = await ServedEstimator.StartAsync())
        {
            (machine, fromEstimator) = await RawController.RunAsync(server.Channel);
        }

        Assert.Contains(fromEstimator, m => m.PreviousReply?.Rejected > 0);
        Assert.Equal(Proto.SimulatorMessage.EventOneofCase.Finished, fromEstimator[^1].EventCase);
        await using var sim = await ScriptedSimulator.StartAsync(RawController.Script(machine, fromEstimator));
        var (_, fromScripted) = await RawController.RunAsync(sim.Channel);
        Assert.Equal(0, await sim.WaitExitAsync());
        Assert.Equal(fromEstimator.Count, fromScripted.Count);
        for (var i = 0; i < fromEstimator.Count; i++)
        {
            var a = fromEstimator[i].Clone();
            a.Finished?.Nodes.Clear(); // the script format has no run totals per node
            Assert.Equal(a, fromScripted[i]);
        }
    }

}

/// <summary>
/// A controller on the raw stream that records every message and answers
/// by a fixed rule of the events alone: regions in turn acked, preferred on
/// node 1, placed on a missing node, answered with the wrong kind; epochs
/// move their two least-read pages to node 1, a page of no region and a
/// missing node, or answer the wrong event.
/// </summary>
internal static class RawController
{
    public static async Task<(Proto.MachineInfo Machine, List<Proto.SimulatorMessage> Messages)> RunAsync(GrpcChannel channel)
    {
        var client = new Proto.CoSimulation.CoSimulationClient(channel);
        var hello = await client.HelloAsync(new Proto.HelloRequest { ProtocolVersion = 2, Controller = "raw" });
        Assert.True(hello.Accepted, hello.Reason);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        using var call = client.Session(new Metadata { { CoSimulationClient.TicketKey, hello.SessionTicket } }, cancellationToken: cts.Token);
        var messages = new List<Proto.SimulatorMessage>();
        var regions = new List<(ulong First, ulong End)>();
        var pageSize = hello.Machine.PageSize;
        while (await call.ResponseStream.MoveNext(cts.Token))
        {
            var m = call.ResponseStream.Current;
            messages.Add(m);
            Proto.ControllerMessage? reply = null;
            if (m.RegionCreated is { } r)
            {
                regions.Add((r.StartAddress / pageSize, (r.StartAddress + r.LengthBytes + pageSize - 1) / pageSize));
                reply = (r.RegionId % 4) switch
                {
                    0 => new() { ReplyTo = m.Sequence, Ack = new() },
                    1 => new() { ReplyTo = m.Sequence, Placement = new() { RegionId = r.RegionId, Mode = Proto.PlacementMode.Preferred, Nodes = { 1 } } },
                    2 => new() { ReplyTo = m.Sequence, Placement = new() { RegionId = r.RegionId, Mode = Proto.PlacementMode.Bind, Nodes = { 5 } } },
                    _ => new() { ReplyTo = m.Sequence, Migrations = new() },
                };
            }
            else if (m.EpochEnded is { } e)
            {
                var p = e.Pages;
                var inRegions = Enumerable.Range(0, p.PageNumbers.Count)
                    .Where(i => regions.Any(g => p.PageNumbers[i] >= g.First && p.PageNumbers[i] < g.End))
                    .OrderBy(i => p.Reads[i] + p.Writes[i]).ThenBy(i => p.PageNumbers[i]).Take(2).ToList();
                var list = new Proto.MigrationList();
                list.Migrations.AddRange(inRegions.Select(i => new Proto.PageMigration { PageNumber = p.PageNumbers[i], TargetNode = 1 }));
                if (e.Epoch % 3 == 1)
                {
                    list.Migrations.Add(new Proto.PageMigration { PageNumber = 0xdead_beef, TargetNode = 1 });
                    list.Migrations.Add(new Proto.PageMigration { PageNumber = inRegions.Count > 0 ? p.PageNumbers[inRegions[0]] : 1, TargetNode = 9 });
                }

                reply = new() { ReplyTo = e.Epoch % 3 == 2 ? m.Sequence + 7 : m.Sequence, Migrations = list };
            }
            else if (m.EventCase is Proto.SimulatorMessage.EventOneofCase.Finished or Proto.SimulatorMessage.EventOneofCase.Failed)
            {
                break;
            }

            if (reply is not null)
            {
                await call.RequestStream.WriteAsync(reply, cts.Token);
            }
        }

        await call.RequestStream.CompleteAsync();
        return (hello.Machine, messages);
    }

    /// <summary>A script for deepmem.bridge.scripted that replays <paramref name="messages"/>.</summary>
    public static object Script(Proto.MachineInfo machine, IReadOnlyList<Proto.SimulatorMessage> messages)
    {
        var events = new List<object>();
        foreach (var m in messages)
        {
            switch (m.EventCase)
            {
                case Proto.SimulatorMessage.EventOneofCase.RegionCreated:
                    var r = m.RegionCreated;
                    events.Add(new { region_created = new { region_id = r.RegionId, start_address = r.StartAddress, length_bytes = r.LengthBytes, source = r.Source.ToString().ToLowerInvariant(), program_policy = r.ProgramPolicy, instructions = r.Instructions, tick = r.Tick } });
                    break;
                case Proto.SimulatorMessage.EventOneofCase.EpochEnded:
                    var e = m.EpochEnded;
                    events.Add(new
                    {
                        epoch_ended = new
                        {
                            epoch = e.Epoch, start_tick = e.StartTick, end_tick = e.EndTick, epoch_instructions = e.EpochInstructions,
                            total_instructions = e.TotalInstructions, migrated_pages = e.MigratedPages, migration_ticks = e.MigrationTicks,
                            pages = new { page_numbers = e.Pages.PageNumbers, reads = e.Pages.Reads, writes = e.Pages.Writes, nodes = e.Pages.Nodes },
                            nodes = e.Nodes.Select(n => new
                            {
                                node = n.Node, reads = n.Reads, writes = n.Writes, bytes_read = n.BytesRead, bytes_written = n.BytesWritten,
                                avg_read_latency_ns = n.AvgReadLatencyNs, resident_pages = n.ResidentPages, free_pages = n.FreePages,
                            }),
                        },
                    });
                    break;
                case Proto.SimulatorMessage.EventOneofCase.Finished:
                    var f = m.Finished;
                    events.Add(new { finished = new { exit_code = f.ExitCode, ticks = f.Ticks, simulated_seconds = f.SimulatedSeconds, instructions = f.Instructions, migrated_pages = f.MigratedPages, migration_ticks = f.MigrationTicks, output_dir = f.OutputDir } });
                    break;
            }
        }

        return new
        {
            machine = new
            {
                simulator = machine.Simulator, page_size = machine.PageSize, epoch_instructions = machine.EpochInstructions,
                ticks_per_second = machine.TicksPerSecond, cpu_model = machine.CpuModel,
                nodes = machine.Nodes.Select(n => new
                {
                    id = n.Id, name = n.Name, kind = n.Kind.ToString().ToLowerInvariant(), capacity_bytes = n.CapacityBytes, base_address = n.BaseAddress,
                    read_latency_ns = n.ReadLatencyNs, write_latency_ns = n.WriteLatencyNs, bandwidth_gbps = n.BandwidthGbps,
                }),
            },
            events,
        };
    }
}
