using DeepMem.Core;
using Grpc.Core;
using Grpc.Net.Client;
using Proto = DeepMem.Protocol.V1;

namespace DeepMem.Bridge;

/// <summary>
/// Drives a placement policy over one co-simulation session: Hello, then
/// the lockstep event stream (one reader, one writer that always completes).
/// Every wait has a deadline; a lost or silent simulator ends the session
/// with the cause instead of hanging.
/// </summary>
public static class CoSimulationClient
{
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
            return Fail(e.StatusCode == StatusCode.DeadlineExceeded
                ? $"the simulator did not answer Hello within {options.HelloDeadline.TotalSeconds:0.#} s"
                : $"cannot reach the simulator: {e.Status.Detail} ({e.StatusCode})");
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

        using var call = client.Session(cancellationToken: ct);
        var rejections = new List<string>();
        ulong events = 0, epochs = 0, regions = 0, migrated = 0;
        var lastRejected = new List<Rejection>();
        Proto.Finished? finished = null;
        Proto.Failed? failed = null;
        string? failure = null;
        var cancelled = false;
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
                catch (RpcException e) when (e.StatusCode == StatusCode.Cancelled && wait.IsCancellationRequested && !ct.IsCancellationRequested)
                {
                    failure = $"no event from the simulator within {options.EventDeadline.TotalSeconds:0.#} s (event deadline)";
                    break;
                }
                catch (OperationCanceledException) when (!ct.IsCancellationRequested)
                {
                    failure = $"no event from the simulator within {options.EventDeadline.TotalSeconds:0.#} s (event deadline)";
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
                    foreach (var r in outcome.Rejections)
                    {
                        var line = $"reply to event {outcome.ReplyTo}: item {r.Index} rejected: {r.Reason}";
                        rejections.Add(line);
                        lastRejected.Add(new Rejection((int)r.Index, r.Reason));
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
                        migrated += msg.EpochEnded.MigratedPages;
                        progress?.Report(new RunProgress(msg.EpochEnded.TotalInstructions, msg.EpochEnded.EndTick, epochs, migrated));
                        reply = stopReason is not null
                            ? Stop(msg.Sequence, stopReason)
                            : Decide(msg.Sequence, () => ProtocolConvert.ToReply(msg.Sequence,
                                guard.OnEpoch(ProtocolConvert.ToEpochReport(msg.EpochEnded, lastRejected), ct)), ref stopReason, log);
                        break;
                    case Proto.SimulatorMessage.EventOneofCase.Finished:
                        finished = msg.Finished;
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

                await call.RequestStream.WriteAsync(reply!, ct);
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
                await call.RequestStream.CompleteAsync();
            }
            catch (Exception e) when (e is RpcException or InvalidOperationException or OperationCanceledException)
            {
                // The stream is already gone; nothing to complete.
            }
        }

        var status = cancelled ? RunStatus.Cancelled
            : failure is not null || failed is not null || stopReason is not null ? RunStatus.Failed
            : RunStatus.Succeeded;
        return new SessionOutcome
        {
            Status = status,
            FailureReason = cancelled ? "cancelled by the user"
                : failure ?? (failed is not null ? $"the simulator failed: {failed.Reason}" : stopReason is not null ? $"stopped: {stopReason}" : null),
            Finished = finished,
            Failed = failed,
            Machine = hello.Machine,
            Events = events,
            Epochs = epochs,
            Regions = regions,
            Rejections = rejections,
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
