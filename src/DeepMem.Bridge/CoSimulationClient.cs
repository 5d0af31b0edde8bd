using DeepMem.Core;
using Grpc.Core;
using Grpc.Net.Client;
using Proto = DeepMem.Protocol.V1;

namespace DeepMem.Bridge;

/// <summary>
/// Drives a placement policy over one co-simulation session: Hello, then
/// the lockstep event stream (one reader, one writer that always completes),
/// opened with the Hello's session ticket. Every read and write has a
/// deadline; a lost or silent simulator ends the session with the cause
/// instead of hanging. FellBack and Progress need no reply: they mark the
/// epochs the simulator runs without the policy and keep the deadline alive.
/// Rejections are kept grouped by reason (<see cref="RejectionLedger"/>).
/// </summary>
public static class CoSimulationClient
{
    /// <summary>Metadata key of the Session call that carries HelloReply.session_ticket.</summary>
    public const string TicketKey = ProcessContract.TicketKey;

    /// <summary>The protocol version this controller speaks.</summary>
    public const uint ProtocolVersion = (uint)Proto.ProtocolVersion.Current;

    /// <summary>Runs a whole session against the simulator at <paramref name="channel"/>.</summary>
    /// <param name="channel">A channel to the simulator's bridge server.</param>
    /// <param name="policy">The policy; each call runs under <see cref="SessionOptions.PolicyDeadline"/> (<see cref="PolicyCallGuard"/>).</param>
    /// <param name="options">Deadlines and token.</param>
    /// <param name="progress">Receives progress after every event.</param>
    /// <param name="log">Receives one line per notable thing (rejections, fallbacks).</param>
    /// <param name="ct">Cancels the session; the simulator is told to stop when possible.</param>
    public static async Task<SessionOutcome> RunAsync(GrpcChannel channel, IPlacementPolicy policy, SessionOptions options,
        IProgress<RunProgress>? progress, Action<string>? log, CancellationToken ct)
    {
        log ??= _ => { };
        var client = new Proto.CoSimulation.CoSimulationClient(channel);
        Proto.HelloReply hello;
        try
        {
            hello = await client.HelloAsync(
                new Proto.HelloRequest { ProtocolVersion = ProtocolVersion, Controller = options.Controller, Token = options.Token ?? "" },
                deadline: DateTime.UtcNow + options.HelloDeadline, cancellationToken: ct);
        }
        catch (RpcException e) when (!ct.IsCancellationRequested)
        {
            return e.StatusCode == StatusCode.DeadlineExceeded
                ? Fail($"the simulator did not answer Hello within {options.HelloDeadline.TotalSeconds:0.#} s") with { DeadlineExpired = true }
                : Fail($"cannot reach the simulator: {e.Status.Detail} ({e.StatusCode})");
        }

        if (hello.ProtocolVersion != ProtocolVersion)
        {
            return Fail($"protocol version mismatch: this controller speaks deepmem.v1 version {ProtocolVersion}, the simulator speaks version {hello.ProtocolVersion}");
        }

        if (!hello.Accepted)
        {
            return Fail($"the simulator refused this controller: {hello.Reason}");
        }

        var topology = ProtocolConvert.ToTopology(hello.Machine);
        using var guard = new PolicyCallGuard(policy, options.PolicyDeadline);
        string? stopReason = null;
        try
        {
            guard.Initialize(topology, ct);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            return new SessionOutcome { Status = RunStatus.Cancelled, FailureReason = "cancelled by the user", Machine = hello.Machine };
        }
        catch (PolicyFailedException e)
        {
            stopReason = e.Message;
            log($"policy failed to initialise: {e.Message}; stopping the simulation");
        }

        using var call = client.Session(new Metadata { { TicketKey, hello.SessionTicket } }, cancellationToken: ct);
        var ledger = new RejectionLedger();
        ulong events = 0, epochs = 0, regions = 0, migrated = 0, fallbackEpochs = 0, lastEpochSequence = 0;
        IReadOnlyList<Rejection> lastRejected = [];
        Proto.Finished? finished = null;
        Proto.Failed? failed = null;
        Proto.FellBack? fellBack = null;
        string? failure = null;
        var cancelled = false;
        var deadlineExpired = false;
        try
        {
            while (true)
            {
                using var wait = CancellationTokenSource.CreateLinkedTokenSource(ct);
                wait.CancelAfter(options.EventDeadline);
                bool more;
                try
                {
                    more = await call.ResponseStream.MoveNext(wait.Token);
                }
                catch (Exception e) when (e is RpcException { StatusCode: StatusCode.Cancelled } or OperationCanceledException
                                          && wait.IsCancellationRequested && !ct.IsCancellationRequested)
                {
                    failure = $"no event from the simulator within {options.EventDeadline.TotalSeconds:0.#} s (event deadline)";
                    deadlineExpired = true;
                    break;
                }

                if (!more)
                {
                    failure = "the simulator closed the session without Finished or Failed";
                    break;
                }

                var msg = call.ResponseStream.Current;
                events++;
                lastRejected = [];
                if (msg.PreviousReply is { } outcome)
                {
                    var (lines, sample) = ledger.Add(outcome);
                    lastRejected = sample;
                    foreach (var line in lines)
                    {
                        log(line);
                    }
                }

                Proto.ControllerMessage? reply = null;
                switch (msg.EventCase)
                {
                    case Proto.SimulatorMessage.EventOneofCase.RegionCreated:
                        regions++;
                        reply = stopReason is not null
                            ? Stop(msg.Sequence, stopReason)
                            : Decide(msg.Sequence, () => ProtocolConvert.ToReply(msg.Sequence, msg.RegionCreated.RegionId,
                                guard.PlaceRegion(ProtocolConvert.ToRegion(msg.RegionCreated), ct) ?? RegionPlacement.Default), ref stopReason, log);
                        break;
                    case Proto.SimulatorMessage.EventOneofCase.EpochEnded:
                        epochs++;
                        lastEpochSequence = msg.Sequence;
                        migrated += msg.EpochEnded.MigratedPages;
                        progress?.Report(new RunProgress(msg.EpochEnded.TotalInstructions, msg.EpochEnded.EndTick, epochs, migrated));
                        reply = stopReason is not null
                            ? Stop(msg.Sequence, stopReason)
                            : Decide(msg.Sequence, () => ProtocolConvert.ToReply(msg.Sequence,
                                guard.OnEpoch(ProtocolConvert.ToEpochReport(msg.EpochEnded, lastRejected), ct)), ref stopReason, log);
                        break;
                    case Proto.SimulatorMessage.EventOneofCase.FellBack:
                        fellBack = msg.FellBack;
                        log($"the simulator fell back to '{fellBack.Fallback}' and runs on without this controller: {fellBack.Reason}");
                        break;
                    case Proto.SimulatorMessage.EventOneofCase.Progress:
                        fallbackEpochs = Math.Max(fallbackEpochs, msg.Progress.FallbackEpochs);
                        progress?.Report(new RunProgress(msg.Progress.TotalInstructions, msg.Progress.Tick, epochs + fallbackEpochs, migrated,
                            $"fallback '{fellBack?.Fallback}'"));
                        break;
                    case Proto.SimulatorMessage.EventOneofCase.Finished:
                        finished = msg.Finished;
                        fallbackEpochs = Math.Max(fallbackEpochs, finished.FallbackEpochs);
                        break;
                    case Proto.SimulatorMessage.EventOneofCase.Failed:
                        failed = msg.Failed;
                        break;
                    default:
                        failure = $"event {msg.Sequence} carries no event this controller knows";
                        break;
                }

                if (finished is not null || failed is not null || failure is not null)
                {
                    break;
                }

                if (reply is not null)
                {
                    using var write = CancellationTokenSource.CreateLinkedTokenSource(ct);
                    write.CancelAfter(options.WriteDeadline);
                    try
                    {
                        await call.RequestStream.WriteAsync(reply, write.Token);
                    }
                    catch (Exception e) when (e is RpcException { StatusCode: StatusCode.Cancelled } or OperationCanceledException
                                              && write.IsCancellationRequested && !ct.IsCancellationRequested)
                    {
                        failure = $"could not send the reply to event {msg.Sequence} within {options.WriteDeadline.TotalSeconds:0.#} s (write deadline)";
                        deadlineExpired = true;
                        break;
                    }
                }
            }
        }
        catch (RpcException e) when (!ct.IsCancellationRequested)
        {
            failure = $"lost the simulator mid-session: {e.Status.Detail} ({e.StatusCode})";
        }
        catch (Exception e) when (!ct.IsCancellationRequested && e is IOException or HttpRequestException or ObjectDisposedException or InvalidOperationException)
        {
            // A writer that meets a dead connection throws the transport's exception, not an RpcException.
            failure = $"lost the simulator mid-session: {e.Message}";
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            cancelled = true;
        }
        catch (RpcException) when (ct.IsCancellationRequested)
        {
            cancelled = true;
        }
        finally
        {
            try
            {
                await call.RequestStream.CompleteAsync().WaitAsync(options.WriteDeadline, CancellationToken.None);
            }
            catch (Exception e) when (e is RpcException or InvalidOperationException or OperationCanceledException or TimeoutException)
            {
                // The stream is already gone (or stuck); nothing to complete.
            }
        }

        // Fallback "default" runs the program to its end: a result, marked by the epoch counts.
        // Fallback "stop" ends it early: no result.
        var fallbackStop = fellBack?.Fallback == "stop" ? $"the simulator stopped without this controller (fallback 'stop'): {fellBack.Reason}" : null;
        var status = cancelled ? RunStatus.Cancelled
            : failure is not null || failed is not null || stopReason is not null || fallbackStop is not null ? RunStatus.Failed
            : RunStatus.Succeeded;
        return new SessionOutcome
        {
            Status = status,
            FailureReason = cancelled ? "cancelled by the user"
                : failure ?? (failed is not null ? $"the simulator failed: {failed.Reason}" : stopReason is not null ? $"stopped: {stopReason}" : fallbackStop),
            Finished = finished,
            Failed = failed,
            Machine = hello.Machine,
            DeadlineExpired = deadlineExpired,
            Events = events,
            Epochs = epochs,
            PolicyEpochs = fellBack is not null && fellBack.UnansweredEvent != 0 && fellBack.UnansweredEvent == lastEpochSequence ? epochs - 1 : epochs,
            FallbackEpochs = fallbackEpochs,
            Fallback = fellBack?.Fallback,
            FallbackReason = fellBack?.Reason,
            Regions = regions,
            RejectedDecisions = ledger.Total,
            Rejections = ledger.Summaries(),
        };

        SessionOutcome Fail(string reason) => new() { Status = RunStatus.Failed, FailureReason = reason };
    }

    private static Proto.ControllerMessage Stop(ulong replyTo, string reason) =>
        new() { ReplyTo = replyTo, Stop = new Proto.Stop { Reason = reason } };

    private static Proto.ControllerMessage Decide(ulong replyTo, Func<Proto.ControllerMessage> decide, ref string? stopReason, Action<string> log)
    {
        try
        {
            return decide();
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            stopReason = e.Message;
            log($"{e.Message}; stopping the simulation");
            return Stop(replyTo, e.Message);
        }
    }
}
