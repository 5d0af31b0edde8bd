using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Threading.Channels;
using Grpc.Core;
using Proto = DeepMem.Protocol.V1;

namespace DeepMem.Server;

/// <summary>What the gRPC handlers hand to the lockstep run.</summary>
internal abstract record Inbound;

/// <summary>A controller opened the session.</summary>
internal sealed record SessionOpened(string Peer) : Inbound;

/// <summary>The controller's stream ended; with <paramref name="HalfClose"/> the last message can still be sent.</summary>
internal sealed record SessionClosed(string Reason, bool HalfClose) : Inbound;

/// <summary>One reply of the controller.</summary>
internal sealed record Reply(Proto.ControllerMessage Message) : Inbound;

/// <summary>
/// The handshake state of one session and the two queues between the gRPC
/// handlers and the lockstep run (the handlers never touch the simulation):
/// tickets of accepted Hellos, whether the session is taken or admission
/// closed, and the queues. The rules are the gem5 side's (server.py).
/// </summary>
internal sealed class SessionGate(ServeOptions options, Proto.MachineInfo machine, Action<string> log)
{
    /// <summary>Metadata key of the Session call that carries the ticket.</summary>
    public const string TicketKey = Bridge.CoSimulationClient.TicketKey;

    /// <summary>Tickets handed out and not yet used (older ones are dropped).</summary>
    public const int MaxTickets = 8;

    /// <summary>Longest piece of peer-supplied text put in the log.</summary>
    public const int ShownChars = 80;

    private readonly Lock _lock = new();
    private readonly List<byte[]> _tickets = [];
    private bool _taken;
    private string _admissionClosed = "";

    public BlockingCollection<Inbound> Inbound { get; } = new();

    public Channel<Proto.SimulatorMessage> Outbound { get; } = Channel.CreateUnbounded<Proto.SimulatorMessage>();

    /// <summary>Set when the controller's request stream has ended.</summary>
    public TaskCompletionSource ClientClosed { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Set when the Session handler has returned.</summary>
    public TaskCompletionSource SessionDone { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public ServeOptions Options => options;

    public bool Opened
    {
        get
        {
            lock (_lock)
            {
                return _taken;
            }
        }
    }

    public Proto.HelloReply Hello(Proto.HelloRequest request, string peer)
    {
        var who = Shown(request.Controller);
        if (who.Length == 0)
        {
            who = "unnamed controller";
        }

        Proto.HelloReply Refuse(string reason)
        {
            log($"refused Hello from {peer} ({who}): {reason}");
            return new Proto.HelloReply { ProtocolVersion = options.ProtocolVersion, Accepted = false, Reason = reason };
        }

        if (request.ProtocolVersion != options.ProtocolVersion)
        {
            return Refuse($"protocol version mismatch: controller speaks {request.ProtocolVersion}, simulator speaks {options.ProtocolVersion}");
        }

        if (options.Token.Length > 0 && !CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(request.Token), Encoding.UTF8.GetBytes(options.Token)))
        {
            return Refuse(request.Token.Length == 0 ? "a token is required" : "token mismatch");
        }

        var ticket = Base64Url(RandomNumberGenerator.GetBytes(32));
        lock (_lock)
        {
            if (_admissionClosed.Length > 0)
            {
                return Refuse(_admissionClosed);
            }

            if (_taken)
            {
                return Refuse("a session is already in progress");
            }

            _tickets.Add(Encoding.ASCII.GetBytes(ticket));
            if (_tickets.Count > MaxTickets)
            {
                _tickets.RemoveAt(0);
            }
        }

        log($"accepted Hello from {peer} ({who})");
        return new Proto.HelloReply { ProtocolVersion = options.ProtocolVersion, Accepted = true, Machine = machine, SessionTicket = ticket };
    }

    /// <summary>Takes the session for the call with <paramref name="metadata"/>, or throws the status the gem5 side answers with.</summary>
    public void Open(Metadata metadata, string peer)
    {
        lock (_lock)
        {
            if (_admissionClosed.Length > 0)
            {
                throw new RpcException(new Status(StatusCode.FailedPrecondition, _admissionClosed));
            }

            var given = metadata.Get(TicketKey)?.Value is { } v ? Encoding.ASCII.GetBytes(v) : [];
            var ok = false;
            foreach (var ticket in _tickets)
            {
                ok |= CryptographicOperations.FixedTimeEquals(given, ticket);
            }

            if (!ok || given.Length == 0)
            {
                log($"refused Session from {peer}: no valid session ticket");
                throw new RpcException(new Status(StatusCode.PermissionDenied,
                    $"Session needs the session ticket of an accepted Hello in the metadata {TicketKey}"));
            }

            if (_taken)
            {
                throw new RpcException(new Status(StatusCode.AlreadyExists, "a session is already in progress"));
            }

            _taken = true;
            _tickets.Clear();
        }
    }

    /// <summary>Refuse controllers from now on; true when a session was opened before (then it is served after all).</summary>
    public bool CloseAdmission(string reason)
    {
        lock (_lock)
        {
            if (_taken)
            {
                return true;
            }

            _admissionClosed = reason;
            return false;
        }
    }

    public static string Shown(string text, int limit = ShownChars)
    {
        var clean = new string(text.Take(limit).Select(c => char.IsControl(c) ? '?' : c).ToArray());
        return text.Length > limit ? $"{clean}... ({text.Length} chars)" : clean;
    }

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
