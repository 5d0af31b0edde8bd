using System.Net;

namespace DeepMem.Server;

/// <summary>
/// Settings of the estimator's deepmem.v1 server; the same settings, with
/// the same defaults and rules, as the gem5 side's bridge
/// (gem5-patches/python/deepmem/bridge/server.py, <c>BridgeConfig</c>).
/// </summary>
public sealed record ServeOptions
{
    /// <summary>The fallbacks: simulate on with the default policy, or end the simulation.</summary>
    public static readonly string[] Fallbacks = ["default", "stop"];

    /// <summary>Address to bind; a non-loopback address needs <see cref="AllowRemote"/> and a token.</summary>
    public string Host { get; init; } = "127.0.0.1";

    /// <summary>TCP port; 0 lets the kernel pick one.</summary>
    public int Port { get; init; }

    /// <summary>Also write the port number to this file (atomically); empty for none.</summary>
    public string PortFile { get; init; } = "";

    /// <summary>Permit binding a non-loopback address.</summary>
    public bool AllowRemote { get; init; }

    /// <summary>Shared secret the controller must send in Hello; empty for none (loopback only).</summary>
    public string Token { get; init; } = "";

    /// <summary>Deadline of each reply.</summary>
    public TimeSpan ReplyTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Deadline for a controller to open the session after the server starts.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>"default" or "stop": what to do when the controller is late or gone.</summary>
    public string Fallback { get; init; } = "default";

    /// <summary>Under fallback "default": longest time between two Progress messages (and one per epoch).</summary>
    public TimeSpan Heartbeat { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Time the server may take to deliver the last message and close.</summary>
    public TimeSpan ShutdownGrace { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Print <c>DEEPMEM_BRIDGE_PORT=&lt;n&gt;</c> on stdout once listening.</summary>
    public bool Announce { get; init; } = true;

    /// <summary>The protocol version spoken; other values than the real one are for tests.</summary>
    public uint ProtocolVersion { get; init; } = Bridge.CoSimulationClient.ProtocolVersion;

    /// <summary>Sessions served one after another (each a fresh run of the workload); 0 = until stopped.</summary>
    public int Sessions { get; init; } = 1;

    /// <summary>Every problem with these settings, each naming the setting and its value.</summary>
    public IReadOnlyList<string> Problems()
    {
        var problems = new List<string>();
        if (Port is < 0 or > 65535)
        {
            problems.Add($"port must be within 0..65535 (was {Port})");
        }

        if (ReplyTimeout <= TimeSpan.Zero)
        {
            problems.Add($"reply timeout must be greater than zero (was {ReplyTimeout.TotalSeconds:g})");
        }

        if (ConnectTimeout <= TimeSpan.Zero)
        {
            problems.Add($"connect timeout must be greater than zero (was {ConnectTimeout.TotalSeconds:g})");
        }

        if (Heartbeat <= TimeSpan.Zero)
        {
            problems.Add($"heartbeat must be greater than zero (was {Heartbeat.TotalSeconds:g})");
        }

        if (Sessions < 0)
        {
            problems.Add($"sessions must be 0 (no limit) or more (was {Sessions})");
        }

        if (!Fallbacks.Contains(Fallback))
        {
            problems.Add($"fallback must be one of {string.Join(", ", Fallbacks)} (was '{Fallback}')");
        }

        if (!IsLoopback(Host))
        {
            if (!AllowRemote)
            {
                problems.Add($"host '{Host}' is not a loopback address; binding to it needs the allow-remote option and a token");
            }

            if (string.IsNullOrEmpty(Token))
            {
                problems.Add($"host '{Host}' is not a loopback address; a token is required (token file or {TokenEnv})");
            }
        }

        return problems;
    }

    /// <summary>Environment variable holding the token when no token file is given (as on the gem5 side).</summary>
    public const string TokenEnv = "DEEPMEM_BRIDGE_TOKEN";

    /// <summary>True for "localhost" and loopback IP addresses; any other host name counts as remote.</summary>
    public static bool IsLoopback(string host) =>
        host == "localhost" || (IPAddress.TryParse(host.Trim('[', ']'), out var ip) && IPAddress.IsLoopback(ip));
}
