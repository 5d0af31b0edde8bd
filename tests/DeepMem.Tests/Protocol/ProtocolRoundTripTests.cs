using DeepMem.Protocol.V1;
using Google.Protobuf;

namespace DeepMem.Tests.Protocol;

public class ProtocolRoundTripTests
{
    private static T RoundTrip<T>(T message)
        where T : IMessage<T>, new()
    {
        var bytes = message.ToByteArray();
        var parser = new MessageParser<T>(() => new T());
        var back = parser.ParseFrom(bytes);
        Assert.Equal(message, back);
        return back;
    }

    private static MachineInfo Machine() => new()
    {
        Simulator = "gem5 24.0.0.1 + deepmem",
        PageSize = 4096,
        EpochInstructions = 1_000_000,
        TicksPerSecond = 1_000_000_000_000,
        CpuModel = "O3",
        Workload = new Workload { Binary = "/bin/stream", Args = { "100", "2" }, WorkingDir = "/tmp" },
        Nodes =
        {
            new Node { Id = 0, Name = "dram", Kind = DeviceKind.Dram, BaseAddress = 0, CapacityBytes = 64 << 20, ReadLatencyNs = 50, WriteLatencyNs = 50, BandwidthGbps = 19.2 },
            new Node { Id = 1, Name = "nvm", Kind = DeviceKind.Nvm, BaseAddress = 64 << 20, CapacityBytes = 256 << 20, ReadLatencyNs = 150, WriteLatencyNs = 500, BandwidthGbps = 19.2 },
        },
    };

    [Fact]
    public void The_handshake_round_trips()
    {
        RoundTrip(new HelloRequest { ProtocolVersion = (uint)ProtocolVersion.Current, Controller = "deepmem 0.1", Token = "t" });
        var reply = RoundTrip(new HelloReply { ProtocolVersion = 1, Accepted = true, Machine = Machine() });
        Assert.Equal(2, reply.Machine.Nodes.Count);
        Assert.Equal(DeviceKind.Nvm, reply.Machine.Nodes[1].Kind);
    }

    [Fact]
    public void The_topology_carries_time_epochs_and_cores()
    {
        var m = Machine();
        m.EpochInstructions = 0;
        m.EpochTicks = 100_000_000;
        m.Cores = 4;
        var t = DeepMem.Bridge.ProtocolConvert.ToTopology(RoundTrip(new HelloReply { Accepted = true, Machine = m }).Machine);
        Assert.Equal((0UL, 100_000_000UL, 4), (t.EpochInstructions, t.EpochTicks, t.Cores));
    }

    [Fact]
    public void An_older_simulator_without_cores_means_one_core() =>
        Assert.Equal(1, DeepMem.Bridge.ProtocolConvert.ToTopology(Machine()).Cores);

    [Fact]
    public void The_protocol_version_is_two() => Assert.Equal(2, (int)ProtocolVersion.Current);

    [Fact]
    public void Region_created_round_trips()
    {
        var m = RoundTrip(new SimulatorMessage
        {
            Sequence = 1,
            RegionCreated = new RegionCreated { RegionId = 7, StartAddress = 0x7f0000000000, LengthBytes = 1 << 20, Source = RegionSource.Mmap, ProgramPolicy = "MPOL_BIND", Instructions = 123, Tick = 456 },
        });
        Assert.Equal(SimulatorMessage.EventOneofCase.RegionCreated, m.EventCase);
        Assert.Equal(0x7f0000000000UL, m.RegionCreated.StartAddress);
    }

    [Fact]
    public void Epoch_ended_round_trips_with_sparse_counts_and_an_outcome()
    {
        var pages = new PageCounts();
        for (uint i = 0; i < 10_000; i++)
        {
            pages.PageNumbers.Add(0x7f0000000UL + i);
            pages.Reads.Add(i % 17);
            pages.Writes.Add(i % 5);
            pages.Nodes.Add(i % 2);
        }

        var m = RoundTrip(new SimulatorMessage
        {
            Sequence = 9,
            EpochEnded = new EpochEnded
            {
                Epoch = 3, StartTick = 10, EndTick = 20, EpochInstructions = 1_000_000, TotalInstructions = 4_000_000,
                Nodes = { new NodeStats { Node = 0, Reads = 5, Writes = 6, BytesRead = 320, BytesWritten = 384, AvgReadLatencyNs = 61.5, ResidentPages = 100, FreePages = 10 } },
                Pages = pages, MigratedPages = 4, MigrationTicks = 8_000_000,
            },
            PreviousReply = new ReplyOutcome { ReplyTo = 8, Applied = 3, Rejections = { new Rejection { Index = 1, Reason = "node 7 does not exist (nodes: 2)" } } },
        });
        Assert.Equal(10_000, m.EpochEnded.Pages.PageNumbers.Count);
        Assert.Equal("node 7 does not exist (nodes: 2)", m.PreviousReply.Rejections[0].Reason);
    }

    [Fact]
    public void Sparse_counts_are_compact()
    {
        var pages = new PageCounts();
        for (uint i = 0; i < 10_000; i++)
        {
            pages.PageNumbers.Add(0x7f0000000UL + i);
            pages.Reads.Add(3);
            pages.Writes.Add(1);
            pages.Nodes.Add(1);
        }

        // Packed repeated fields: well under 20 bytes per page.
        Assert.True(pages.CalculateSize() < 10_000 * 20, $"size {pages.CalculateSize()}");
    }

    [Fact]
    public void Finished_and_failed_round_trip()
    {
        RoundTrip(new SimulatorMessage
        {
            Sequence = 10,
            Finished = new Finished { ExitCode = 0, Ticks = 1_000_000, SimulatedSeconds = 1e-6, Instructions = 42, MigratedPages = 2, MigrationTicks = 5, OutputDir = "m5out", Nodes = { new NodeStats { Node = 1, Reads = 1 } } },
        });
        RoundTrip(new SimulatorMessage { Sequence = 11, Failed = new Failed { Reason = "gem5 panicked", ExitCode = 134, OutputTail = "panic: ..." } });
    }

    [Fact]
    public void Fallback_events_and_grouped_rejections_round_trip()
    {
        var f = RoundTrip(new SimulatorMessage
        {
            Sequence = 12,
            FellBack = new FellBack { Fallback = "default", Reason = "no reply to event 11 within 30 s", UnansweredEvent = 11 },
            PreviousReply = new ReplyOutcome
            {
                ReplyTo = 10, Applied = 1, Rejected = 1_000_000,
                Groups = { new RejectionGroup { Reason = "node 7 out of range (nodes: 2)", Count = 1_000_000, FirstIndices = { 0, 1, 2 } } },
            },
        });
        Assert.Equal(11UL, f.FellBack.UnansweredEvent);
        Assert.Equal(1_000_000U, f.PreviousReply.Groups[0].Count);
        var p = RoundTrip(new SimulatorMessage { Sequence = 13, Progress = new Progress { FallbackEpochs = 2, TotalInstructions = 5, Tick = 6 } });
        Assert.Equal(2UL, p.Progress.FallbackEpochs);
        RoundTrip(new HelloReply { ProtocolVersion = 2, Accepted = true, SessionTicket = "t1" });
    }

    [Fact]
    public void Every_controller_reply_round_trips()
    {
        RoundTrip(new ControllerMessage { ReplyTo = 1, Ack = new Ack() });
        var p = RoundTrip(new ControllerMessage
        {
            ReplyTo = 2,
            Placement = new RegionPlacement { RegionId = 7, Mode = PlacementMode.Interleave, Nodes = { 0, 1 }, Weights = { 3, 1 } },
        });
        Assert.Equal(PlacementMode.Interleave, p.Placement.Mode);
        var m = RoundTrip(new ControllerMessage
        {
            ReplyTo = 3,
            Migrations = new MigrationList { Migrations = { new PageMigration { PageNumber = 0x7f0000001, TargetNode = 0 } } },
        });
        Assert.Equal(ControllerMessage.ReplyOneofCase.Migrations, m.ReplyCase);
        RoundTrip(new ControllerMessage { ReplyTo = 4, Stop = new Stop { Reason = "enough" } });
    }

    [Fact]
    public void Every_message_type_in_the_file_is_covered()
    {
        var covered = new HashSet<string>
        {
            "HelloRequest", "HelloReply", "Node", "Workload", "MachineInfo", "SimulatorMessage", "RegionCreated", "NodeStats",
            "PageCounts", "EpochEnded", "Finished", "Failed", "ReplyOutcome", "Rejection", "ControllerMessage", "Ack",
            "RegionPlacement", "PageMigration", "MigrationList", "Stop", "FellBack", "Progress", "RejectionGroup",
        };
        var declared = DeepmemReflection.Descriptor.MessageTypes.Select(t => t.Name).ToHashSet();
        Assert.Equal(declared.Order(), covered.Order());
    }
}
