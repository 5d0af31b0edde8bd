using Grpc.Core;
using Proto = DeepMem.Protocol.V1;

namespace DeepMem.Server;

/// <summary>Which session the gRPC handlers serve now (one at a time).</summary>
internal sealed class GateHolder
{
    public volatile SessionGate? Current;

    /// <summary>True while sessions remain after the current one (the next Hello waits for its gate).</summary>
    public volatile bool MoreSessions;
}

/// <summary>
/// The deepmem.v1 CoSimulation handlers: they check the handshake and move
/// messages through the current <see cref="SessionGate"/>'s queues.
/// </summary>
internal sealed class CoSimulationService(GateHolder holder) : Proto.CoSimulation.CoSimulationBase
{
    public override async Task<Proto.HelloReply> Hello(Proto.HelloRequest request, ServerCallContext context)
    {
        // Between two sessions of a multi-session server, a Hello waits (a few seconds at most) for the next session.
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (holder.Current is { Opened: true } && holder.MoreSessions && DateTime.UtcNow < until)
        {
            await Task.Delay(20, context.CancellationToken).ConfigureAwait(false);
        }

        var gate = holder.Current;
        if (gate is null)
        {
            return new Proto.HelloReply
            {
                ProtocolVersion = Bridge.CoSimulationClient.ProtocolVersion, Accepted = false, Reason = "the simulator is not taking sessions any more",
            };
        }

        return gate.Hello(request, context.Peer);
    }

    public override async Task Session(IAsyncStreamReader<Proto.ControllerMessage> requestStream,
        IServerStreamWriter<Proto.SimulatorMessage> responseStream, ServerCallContext context)
    {
        var gate = holder.Current ?? throw new RpcException(new Status(StatusCode.FailedPrecondition, "the simulator is not taking sessions any more"));
        gate.Open(context.RequestHeaders, context.Peer);
        var ct = context.CancellationToken;
        _ = Task.Run(async () =>
        {
            try
            {
                while (await requestStream.MoveNext(ct).ConfigureAwait(false))
                {
                    gate.Inbound.Add(new Reply(requestStream.Current), CancellationToken.None);
                }

                gate.Inbound.Add(ct.IsCancellationRequested
                    ? new SessionClosed("the controller's connection was lost", false)
                    : new SessionClosed("the controller closed its request stream", true), CancellationToken.None);
            }
            catch (Exception e)
            {
                gate.Inbound.Add(new SessionClosed($"the controller's stream broke ({e.GetType().Name})", false), CancellationToken.None);
            }
            finally
            {
                gate.ClientClosed.TrySetResult();
            }
        }, CancellationToken.None);
        await using var onEnd = ct.Register(() => gate.Inbound.Add(new SessionClosed("the controller's stream ended", false), CancellationToken.None));
        gate.Inbound.Add(new SessionOpened(context.Peer), CancellationToken.None);
        try
        {
            await foreach (var message in gate.Outbound.Reader.ReadAllAsync(ct).ConfigureAwait(false))
            {
                await responseStream.WriteAsync(message, ct).ConfigureAwait(false);
                if (message.EventCase is Proto.SimulatorMessage.EventOneofCase.Finished or Proto.SimulatorMessage.EventOneofCase.Failed)
                {
                    // Keep the call open until the controller has read the last message and closed its side.
                    try
                    {
                        await gate.ClientClosed.Task.WaitAsync(gate.Options.ShutdownGrace, ct).ConfigureAwait(false);
                    }
                    catch (TimeoutException)
                    {
                    }

                    return;
                }
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // The controller went away; the lockstep run hears it through the inbound queue.
        }
        finally
        {
            gate.SessionDone.TrySetResult();
        }
    }
}
