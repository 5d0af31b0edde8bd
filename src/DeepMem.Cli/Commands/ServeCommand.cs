using System.CommandLine;
using DeepMem.Server;

namespace DeepMem.Cli.Commands;

/// <summary><c>deepmem serve</c>: the estimator as a deepmem.v1 simulator (logic in <see cref="ServeCommandLogic"/>).</summary>
public static class ServeCommand
{
    /// <summary>Builds the verb.</summary>
    public static Command Create()
    {
        var file = new Argument<FileInfo>("experiment") { Description = "experiment file whose estimator (traces, memory, epoch) is served" };
        var point = new Option<int>("--point") { Description = "which point of a sweep to serve (0-based; default 0)" };
        var host = new Option<string>("--host") { Description = "address to bind (default 127.0.0.1); a non-loopback address needs --allow-remote and a token", DefaultValueFactory = _ => "127.0.0.1" };
        var port = new Option<int>("--port") { Description = "TCP port, 0 = any free port (default 0); printed as DEEPMEM_BRIDGE_PORT=<n>" };
        var portFile = new Option<string>("--port-file") { Description = "also write the port number to this file" };
        var allowRemote = new Option<bool>("--allow-remote") { Description = "permit binding a non-loopback address" };
        var tokenFile = new Option<string>("--token-file") { Description = $"file whose first line is the shared token (default: ${ServeOptions.TokenEnv}, else no token)" };
        var replyTimeout = new Option<double>("--reply-timeout") { Description = "seconds to wait for each reply (default 30)", DefaultValueFactory = _ => 30 };
        var connectTimeout = new Option<double>("--connect-timeout") { Description = "seconds to wait for a controller to open the session (default 60)", DefaultValueFactory = _ => 60 };
        var fallback = new Option<string>("--fallback") { Description = "when the controller is late or gone: 'default' runs on with the default policy, 'stop' ends the run (default: default)", DefaultValueFactory = _ => "default" };
        fallback.AcceptOnlyFromAmong(ServeOptions.Fallbacks);
        var sessions = new Option<int>("--sessions") { Description = "sessions to serve one after another, each a fresh run (0 = until stopped; default 1)", DefaultValueFactory = _ => 1 };
        var gem5Command = new Option<bool>("--gem5-command") { Description = "print how to start gem5 as the simulator of this experiment (JSON: argv, env, cwd) instead of serving the estimator" };
        var version = new Option<uint?>("--protocol-version") { Description = "speak this protocol version instead of the real one (for tests)", Hidden = true };
        var command = new Command("serve", "serve the experiment's estimator as a deepmem.v1 CoSimulation server (what gem5 --controller grpc serves), for controllers in any language")
        {
            file, point, host, port, portFile, allowRemote, tokenFile, replyTimeout, connectTimeout, fallback, sessions, gem5Command, version,
        };
        command.SetAction((parse, ct) =>
        {
            var options = new ServeOptions
            {
                Host = parse.GetValue(host)!,
                Port = parse.GetValue(port),
                PortFile = parse.GetValue(portFile) ?? "",
                AllowRemote = parse.GetValue(allowRemote),
                ReplyTimeout = TimeSpan.FromSeconds(parse.GetValue(replyTimeout)),
                ConnectTimeout = TimeSpan.FromSeconds(parse.GetValue(connectTimeout)),
                Fallback = parse.GetValue(fallback)!,
                Sessions = parse.GetValue(sessions),
                ProtocolVersion = parse.GetValue(version) ?? Bridge.CoSimulationClient.ProtocolVersion,
            };
            return ServeCommandLogic.ExecuteAsync(parse.GetValue(file)!.ToString(), parse.GetValue(point), parse.GetValue(tokenFile), options, Console.Out, Console.Error, ct, parse.GetValue(gem5Command));
        });
        return command;
    }
}
