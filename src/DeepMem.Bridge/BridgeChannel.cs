using Grpc.Net.Client;

namespace DeepMem.Bridge;

/// <summary>Channels to a bridge server, sized for large epochs.</summary>
public static class BridgeChannel
{
    /// <summary>Largest message accepted (the server accepts the same): an epoch of millions of pages.</summary>
    public const int MaxMessageBytes = 256 * 1024 * 1024;

    /// <summary>A plaintext HTTP/2 channel to <paramref name="host"/>:<paramref name="port"/>.</summary>
    public static GrpcChannel Create(int port, string host = "127.0.0.1") =>
        GrpcChannel.ForAddress($"http://{(host.Contains(':') ? $"[{host}]" : host)}:{port}", new GrpcChannelOptions
        {
            MaxReceiveMessageSize = MaxMessageBytes,
            MaxSendMessageSize = MaxMessageBytes,
        });
}
