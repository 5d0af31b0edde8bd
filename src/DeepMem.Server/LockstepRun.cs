using System.Diagnostics;
using DeepMem.Core;
using DeepMem.Estimator;
using Proto = DeepMem.Protocol.V1;

namespace DeepMem.Server;

/// <summary>How one served session ended.</summary>
/// <param name="Final">The last message: Finished or Failed.</param>
/// <param name="Mode">"controller" when every event was answered, else the fallback taken.</param>
/// <param name="FallbackReason">Why the fallback was taken; empty when not.</param>
/// <param name="EventsSent">Messages sent (FellBack and Progress included).</param>
/// <param name="Replies">Replies applied.</param>
/// <param name="Rejections">Items rejected over the session.</param>
public sealed record SessionSummary(Proto.SimulatorMessage Final, string Mode, string FallbackReason, ulong EventsSent, ulong Replies, ulong Rejections);

/// <summary>
/// One session's lockstep, the estimator in the simulator's seat: the
/// replay calls this as its policy; each call becomes an event on the
/// stream and waits (at most the reply timeout) for the controller's reply,
/// which is checked with gem5's rules and words and handed to the replay.
/// The rest follows the gem5 side's driver (deepmem/bridge/driver.py):
/// replies to the wrong event, of the wrong kind or empty are rejected as a
/// whole; the verdict goes out with the next event; a late or gone
/// controller gets FellBack, then Progress per epoch (fallback "default")
/// or the end of the run ("stop"); Finished counts the fallback epochs.
/// </summary>
internal sealed class LockstepRun : IPlacementPolicy, IMigrationFeedback, INamedPolicy
{
    private readonly SessionGate _gate;
    private readonly ServeOptions _options;
    private readonly Action<string> _log;
    private readonly CancellationTokenSource _stop;
    private int _nodes;
    private ulong _sequence;
    private Proto.ReplyOutcome? _previous;
    private bool _streamOpen;
    private bool _stopping;
    private string _mode = "controller";
    private string _fallbackReason = "";
    private ulong _fallbackEpochs;
    private ulong _replies;
    private ulong _rejections;
    private long _lastSent;
    private (ulong Seq, Proto.MigrationList Items)? _pendingMigrations;

    public LockstepRun(SessionGate gate, Action<string> log, CancellationTokenSource stop)
    {
        _gate = gate;
        _options = gate.Options;
        _log = log;
        _stop = stop;
    }

    public string Name => "deepmem.v1 controller";

    /// <summary>Set when the controller (or the fallback "stop") asked to end the run.</summary>
    public string? StopReason { get; private set; }

    /// <summary>Waits for a controller to open the session; false (and admission closed) when none came in time.</summary>
    public bool AwaitSession()
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(_options.ConnectTimeout.TotalSeconds * Stopwatch.Frequency);
        while (true)
        {
            var left = Remaining(deadline);
            if (left <= TimeSpan.Zero || !_gate.Inbound.TryTake(out var item, left))
            {
                break;
            }

            if (item is SessionOpened opened)
            {
                _log($"session opened by {opened.Peer}");
                _streamOpen = true;
                return true;
            }
        }

        var why = $"no controller opened a session within {_options.ConnectTimeout.TotalSeconds:g} s";
        if (_gate.CloseAdmission($"the simulator stopped waiting for a controller ({why}); it runs on with fallback '{_options.Fallback}'"))
        {
            _streamOpen = true;
            return true;
        }

        FallBack(why, 0);
        return false;
    }

    public void Initialize(Topology topology) => _nodes = topology.Nodes.Count;

    public RegionPlacement PlaceRegion(Region region)
    {
        var ev = new Proto.RegionCreated
        {
            RegionId = region.Id, StartAddress = region.Start, LengthBytes = region.Length,
            Source = region.Source switch
            {
                RegionSource.Brk => Proto.RegionSource.Brk,
                RegionSource.Mbind => Proto.RegionSource.Mbind,
                RegionSource.Startup => Proto.RegionSource.Startup,
                _ => Proto.RegionSource.Mmap,
            },
            ProgramPolicy = region.ProgramPolicy, Instructions = region.Instructions, Tick = region.Tick,
        };
        if (!Live)
        {
            Unsent(false, region.Instructions, region.Tick);
            return RegionPlacement.Default;
        }

        var seq = Send(new Proto.SimulatorMessage { RegionCreated = ev });
        if (Await(seq, "region_created") is not { } reply)
        {
            return RegionPlacement.Default;
        }

        var verdict = new ReplyVerdict();
        var placement = RegionPlacement.Default;
        if (CheckReply(reply, seq, "region_created", 1, verdict))
        {
            switch (reply.ReplyCase)
            {
                case Proto.ControllerMessage.ReplyOneofCase.Stop:
                    Stop(reply.Stop.Reason);
                    verdict.Applied = 1;
                    break;
                case Proto.ControllerMessage.ReplyOneofCase.Placement:
                    var p = reply.Placement;
                    var problem = Gem5Checks.PlacementProblem(p, _nodes, p.RegionId <= region.Id && p.RegionId > 0);
                    if (problem is null && p.RegionId != region.Id)
                    {
                        problem = $"region {p.RegionId} is not the region just created ({region.Id}); the estimator places a region only when it is created";
                    }

                    if (problem is null)
                    {
                        placement = Gem5Checks.ToPlacement(p);
                        verdict.Applied = 1;
                    }
                    else
                    {
                        verdict.Add(0, problem);
                    }

                    break;
            }
        }

        Done(seq, "region_created", reply, verdict);
        return placement;
    }

    public IReadOnlyList<PageMigration> OnEpoch(EpochReport report)
    {
        if (!Live)
        {
            Unsent(true, report.TotalInstructions, report.EndTick);
            return [];
        }

        var seq = Send(new Proto.SimulatorMessage { EpochEnded = ToProto(report) });
        if (Await(seq, "epoch_ended", epoch: true) is not { } reply)
        {
            return [];
        }

        var items = reply.ReplyCase == Proto.ControllerMessage.ReplyOneofCase.Migrations ? reply.Migrations.Migrations.Count : 1;
        var verdict = new ReplyVerdict();
        if (CheckReply(reply, seq, "epoch_ended", items, verdict))
        {
            switch (reply.ReplyCase)
            {
                case Proto.ControllerMessage.ReplyOneofCase.Stop:
                    Stop(reply.Stop.Reason);
                    verdict.Applied = 1;
                    break;
                case Proto.ControllerMessage.ReplyOneofCase.Migrations:
                    // The estimator applies them when this call returns; MigrationsApplied gives the verdict.
                    _pendingMigrations = (seq, reply.Migrations);
                    return reply.Migrations.Migrations
                        .Select(m => new PageMigration(m.PageNumber, m.TargetNode > int.MaxValue ? -1 : (int)m.TargetNode)).ToList();
            }
        }

        Done(seq, "epoch_ended", reply, verdict);
        return [];
    }

    public void MigrationsApplied(int count, IReadOnlyList<MigrationRefusal> refused)
    {
        if (_pendingMigrations is not { } pending)
        {
            return;
        }

        _pendingMigrations = null;
        var verdict = new ReplyVerdict { Applied = (uint)(count - refused.Count) };
        foreach (var r in refused)
        {
            verdict.Add(r.Index, Gem5Checks.MigrationProblem(r, pending.Items.Migrations[r.Index], _nodes));
        }

        Done(pending.Seq, "epoch_ended", new Proto.ControllerMessage { ReplyTo = pending.Seq, Migrations = pending.Items }, verdict);
    }

    /// <summary>Sends the last message (when the stream is open) and ends the outbound queue.</summary>
    public SessionSummary Finish(RunResult result, string? interrupted)
    {
        DrainClosed();
        Proto.SimulatorMessage final;
        if (interrupted is null && (result.Status == RunStatus.Succeeded || (result.Status == RunStatus.Cancelled && StopReason is not null)))
        {
            var f = new Proto.Finished
            {
                ExitCode = result.ExitCode, Ticks = result.Ticks, SimulatedSeconds = result.SimulatedSeconds, Instructions = result.Instructions,
                MigratedPages = result.MigratedPages, MigrationTicks = (ulong)Math.Round(result.MigrationSeconds * (result.SimulatedSeconds > 0 ? result.Ticks / result.SimulatedSeconds : 0)),
                OutputDir = result.OutputDir ?? "", FallbackEpochs = _fallbackEpochs,
            };
            f.Nodes.AddRange(result.Nodes.Select(ToProto));
            final = new Proto.SimulatorMessage { Finished = f };
        }
        else
        {
            final = new Proto.SimulatorMessage
            {
                Failed = new Proto.Failed
                {
                    Reason = interrupted ?? result.FailureReason ?? result.Status.ToString(),
                    ExitCode = interrupted is null ? 1 : 130,
                },
            };
        }

        if (_streamOpen)
        {
            Send(final);
        }

        _log($"{(final.Finished is not null ? "finished" : "failed")}{(_streamOpen ? ": sent" : ": no open session to send it to")}");
        _gate.Outbound.Writer.TryComplete();
        return new SessionSummary(final, _mode, _fallbackReason, _sequence, _replies, _rejections);
    }

    private bool Live => _mode == "controller" && !_stopping;

    private void Unsent(bool epoch, ulong instructions, ulong tick)
    {
        if (epoch)
        {
            _fallbackEpochs++;
        }

        if (_streamOpen && !_stopping && (epoch || Stopwatch.GetElapsedTime(_lastSent) >= _options.Heartbeat))
        {
            Send(new Proto.SimulatorMessage
            {
                Progress = new Proto.Progress { FallbackEpochs = _fallbackEpochs, TotalInstructions = instructions, Tick = tick },
            });
        }
    }

    private ulong Send(Proto.SimulatorMessage message)
    {
        message.Sequence = ++_sequence;
        if (message.EventCase is Proto.SimulatorMessage.EventOneofCase.RegionCreated or Proto.SimulatorMessage.EventOneofCase.EpochEnded
            or Proto.SimulatorMessage.EventOneofCase.Finished or Proto.SimulatorMessage.EventOneofCase.Failed)
        {
            if (_previous is not null)
            {
                message.PreviousReply = _previous;
                _previous = null;
            }
        }

        _gate.Outbound.Writer.TryWrite(message);
        _lastSent = Stopwatch.GetTimestamp();
        return _sequence;
    }

    /// <summary>The reply to event <paramref name="seq"/>, or null after falling back (no reply in time, or the controller gone).</summary>
    private Proto.ControllerMessage? Await(ulong seq, string kind, bool epoch = false)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(_options.ReplyTimeout.TotalSeconds * Stopwatch.Frequency);
        string why;
        while (true)
        {
            var left = Remaining(deadline);
            if (left <= TimeSpan.Zero || !_gate.Inbound.TryTake(out var item, left))
            {
                why = $"no reply to event {seq} within {_options.ReplyTimeout.TotalSeconds:g} s";
                break;
            }

            if (item is SessionOpened)
            {
                continue;
            }

            if (item is SessionClosed closed)
            {
                why = $"{closed.Reason} while event {seq} was pending";
                _streamOpen = closed.HalfClose;
                break;
            }

            var reply = ((Reply)item).Message;
            if (reply.ReplyTo > 0 && reply.ReplyTo < seq)
            {
                _log($"ignored a second reply to event {reply.ReplyTo} (waiting for {seq})");
                continue;
            }

            return reply;
        }

        if (epoch)
        {
            _fallbackEpochs++;
        }

        _log($"event {seq} ({kind}): {why}");
        FallBack(why, seq);
        return null;
    }

    private void FallBack(string why, ulong unanswered)
    {
        _mode = _options.Fallback;
        _fallbackReason = why;
        _log($"fallback '{_mode}': {why}");
        if (_streamOpen)
        {
            Send(new Proto.SimulatorMessage { FellBack = new Proto.FellBack { Fallback = _mode, Reason = why, UnansweredEvent = unanswered } });
        }

        if (_mode == "stop")
        {
            Stop($"controller unavailable: {why}");
        }
    }

    private void Stop(string reason)
    {
        _stopping = true;
        StopReason = reason.Length > 0 ? reason : "controller asked to stop";
        _log($"stopping: {StopReason}");
        _stop.Cancel();
    }

    /// <summary>The checks every reply gets; false when it was rejected as a whole.</summary>
    private static bool CheckReply(Proto.ControllerMessage reply, ulong seq, string kind, int items, ReplyVerdict verdict)
    {
        string? whole = null;
        if (reply.ReplyTo != seq)
        {
            whole = $"reply_to {reply.ReplyTo} does not match the pending event {seq}";
        }
        else if (reply.ReplyCase == Proto.ControllerMessage.ReplyOneofCase.None)
        {
            whole = "reply carries none of ack, placement, migrations, stop";
        }
        else
        {
            var what = KindOf(reply.ReplyCase);
            var allowed = kind == "region_created" ? new[] { "ack", "placement", "stop" } : ["ack", "migrations", "stop"];
            if (!allowed.Contains(what))
            {
                whole = $"a {what} reply does not answer {kind} (expected one of: {string.Join(", ", allowed)})";
            }
        }

        if (whole is null)
        {
            return true;
        }

        verdict.AddRange(0, Math.Max(items, 1), whole);
        return false;
    }

    private void Done(ulong seq, string kind, Proto.ControllerMessage reply, ReplyVerdict verdict)
    {
        _replies++;
        _rejections += verdict.Total;
        var what = reply.ReplyCase == Proto.ControllerMessage.ReplyOneofCase.None ? "empty" : KindOf(reply.ReplyCase);
        _log($"event {seq} ({kind}) <- {what} reply (reply_to {reply.ReplyTo}): applied {verdict.Applied}, rejected {verdict.Total}");
        foreach (var line in verdict.Lines())
        {
            _log($"event {seq} rejected {line}");
        }

        _previous = verdict.ToProto(reply.ReplyTo);
    }

    private void DrainClosed()
    {
        while (_gate.Inbound.TryTake(out var item))
        {
            if (item is SessionClosed { HalfClose: false } closed && _streamOpen)
            {
                _streamOpen = false;
                _log($"{closed.Reason} before the last message");
            }
        }
    }

    private static string KindOf(Proto.ControllerMessage.ReplyOneofCase c) => c switch
    {
        Proto.ControllerMessage.ReplyOneofCase.Ack => "ack",
        Proto.ControllerMessage.ReplyOneofCase.Placement => "placement",
        Proto.ControllerMessage.ReplyOneofCase.Migrations => "migrations",
        Proto.ControllerMessage.ReplyOneofCase.Stop => "stop",
        _ => "empty",
    };

    private static TimeSpan Remaining(long deadline)
    {
        var left = deadline - Stopwatch.GetTimestamp();
        return left <= 0 ? TimeSpan.Zero : TimeSpan.FromSeconds((double)left / Stopwatch.Frequency);
    }

    private static Proto.EpochEnded ToProto(EpochReport r)
    {
        var e = new Proto.EpochEnded
        {
            Epoch = r.Epoch, StartTick = r.StartTick, EndTick = r.EndTick, EpochInstructions = r.EpochInstructions,
            TotalInstructions = r.TotalInstructions, MigratedPages = r.MigratedPages, MigrationTicks = r.MigrationTicks,
            Pages = new Proto.PageCounts(),
        };
        e.Nodes.AddRange(r.Nodes.Select(ToProto));
        e.Pages.PageNumbers.AddRange(r.Pages.PageNumbers);
        e.Pages.Reads.AddRange(r.Pages.Reads);
        e.Pages.Writes.AddRange(r.Pages.Writes);
        e.Pages.Nodes.AddRange(r.Pages.Nodes.Select(n => (uint)Math.Max(n, 0)));
        return e;
    }

    private static Proto.NodeStats ToProto(NodeStats n) => new()
    {
        Node = (uint)n.Node, Reads = n.Reads, Writes = n.Writes, BytesRead = n.BytesRead, BytesWritten = n.BytesWritten,
        AvgReadLatencyNs = n.AvgReadLatencyNs, ResidentPages = n.ResidentPages, FreePages = n.FreePages,
    };
}
