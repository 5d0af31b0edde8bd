using DeepMem.Core;
using Proto = DeepMem.Protocol.V1;

namespace DeepMem.Bridge;

/// <summary>Converts between protocol messages and DeepMem.Core model types.</summary>
public static class ProtocolConvert
{
    /// <summary>The topology a policy sees, from the handshake.</summary>
    public static Topology ToTopology(Proto.MachineInfo m) => new(
        m.Nodes.OrderBy(n => n.Id).Select(n => new NodeInfo((int)n.Id, n.Name, ToKind(n.Kind), n.BaseAddress, n.CapacityBytes,
            n.ReadLatencyNs, n.WriteLatencyNs, n.BandwidthGbps)).ToList(),
        m.PageSize == 0 ? Gem5Defaults.PageSize : m.PageSize,
        m.EpochInstructions,
        m.TicksPerSecond == 0 ? Gem5Defaults.TicksPerSecond : m.TicksPerSecond)
    {
        EpochTicks = m.EpochTicks,
        Cores = m.Cores == 0 ? 1 : (int)m.Cores,
    };

    /// <summary>Device kind from the protocol.</summary>
    public static DeviceKind ToKind(Proto.DeviceKind k) => k switch
    {
        Proto.DeviceKind.Nvm => DeviceKind.Nvm,
        Proto.DeviceKind.Hbm => DeviceKind.Hbm,
        Proto.DeviceKind.Cxl => DeviceKind.Cxl,
        _ => DeviceKind.Dram,
    };

    /// <summary>A region from the protocol.</summary>
    public static Region ToRegion(Proto.RegionCreated r) => new(r.RegionId, r.StartAddress, r.LengthBytes, r.Source switch
    {
        Proto.RegionSource.Brk => RegionSource.Brk,
        Proto.RegionSource.Mbind => RegionSource.Mbind,
        Proto.RegionSource.Startup => RegionSource.Startup,
        _ => RegionSource.Mmap,
    }, r.ProgramPolicy, r.Instructions, r.Tick);

    /// <summary>Node stats from the protocol.</summary>
    public static NodeStats ToNodeStats(Proto.NodeStats n) =>
        new((int)n.Node, n.Reads, n.Writes, n.BytesRead, n.BytesWritten, n.AvgReadLatencyNs, n.ResidentPages, n.FreePages);

    /// <summary>An epoch report from the protocol, with the rejections of the previous reply.</summary>
    public static EpochReport ToEpochReport(Proto.EpochEnded e, IReadOnlyList<Rejection> rejected)
    {
        var p = e.Pages ?? new Proto.PageCounts();
        var n = p.PageNumbers.Count;
        if (p.Reads.Count != n || p.Writes.Count != n || p.Nodes.Count != n)
        {
            throw new InvalidDataException(
                $"epoch {e.Epoch}: page count arrays differ in length (pages {n}, reads {p.Reads.Count}, writes {p.Writes.Count}, nodes {p.Nodes.Count})");
        }

        var counts = new PageCounts(p.PageNumbers.ToArray(), p.Reads.ToArray(), p.Writes.ToArray(), p.Nodes.Select(x => (int)x).ToArray());
        var cores = new long[e.CoreInstructions.Count];
        for (var i = 0; i < cores.Length; i++)
        {
            var c = e.CoreInstructions[i];
            if (c > long.MaxValue)
            {
                throw new InvalidDataException($"epoch {e.Epoch}: core {i} instruction count {c} is out of range");
            }

            cores[i] = (long)c;
        }

        return new EpochReport(e.Epoch, e.StartTick, e.EndTick, e.EpochInstructions, e.TotalInstructions,
            e.Nodes.Select(ToNodeStats).ToList(), counts, e.MigratedPages, e.MigrationTicks, rejected)
        {
            CoreInstructions = cores,
        };
    }

    /// <summary>A placement reply (an ack for the default placement).</summary>
    public static Proto.ControllerMessage ToReply(ulong replyTo, ulong regionId, RegionPlacement placement)
    {
        if (placement.Mode == PlacementMode.Default)
        {
            return new Proto.ControllerMessage { ReplyTo = replyTo, Ack = new Proto.Ack() };
        }

        var msg = new Proto.RegionPlacement
        {
            RegionId = regionId,
            Mode = placement.Mode switch
            {
                PlacementMode.Bind => Proto.PlacementMode.Bind,
                PlacementMode.Preferred => Proto.PlacementMode.Preferred,
                PlacementMode.Interleave => Proto.PlacementMode.Interleave,
                _ => Proto.PlacementMode.Default,
            },
        };
        msg.Nodes.AddRange(placement.Nodes.Select(x => unchecked((uint)x)));
        msg.Weights.AddRange(placement.Weights.Select(x => unchecked((uint)x)));
        return new Proto.ControllerMessage { ReplyTo = replyTo, Placement = msg };
    }

    /// <summary>A migration reply (possibly empty).</summary>
    public static Proto.ControllerMessage ToReply(ulong replyTo, IReadOnlyList<PageMigration> migrations)
    {
        var list = new Proto.MigrationList();
        list.Migrations.AddRange(migrations.Select(m => new Proto.PageMigration { PageNumber = m.PageNumber, TargetNode = unchecked((uint)m.TargetNode) }));
        return new Proto.ControllerMessage { ReplyTo = replyTo, Migrations = list };
    }
}
