using System.Net;
using DeepMem.Core;
using DeepMem.Estimator;
using DeepMem.Experiments;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Proto = DeepMem.Protocol.V1;

namespace DeepMem.Server;

/// <summary>A configuration or start-up error of the server (bad settings, port taken, traces unusable).</summary>
public sealed class ServeException(string message) : Exception(message);

/// <summary>
/// The estimator as a deepmem.v1 simulator: an ASP.NET Core gRPC server
/// that serves one controller session per run of the workload (or
/// <see cref="ServeOptions.Sessions"/> in a row), replaying the experiment's
/// traces with the controller's decisions. Hello and Session follow the
/// gem5 side's rules (version, token, one-time ticket, one session at a
/// time); see <see cref="LockstepRun"/> for the lockstep.
/// </summary>
public sealed class EstimatorServer
{
    /// <summary>The line that announces the port on stdout, as gem5's bridge prints it.</summary>
    public const string PortLinePrefix = "DEEPMEM_BRIDGE_PORT=";

    private readonly SimulationSpec _spec;
    private readonly EstimatorSimulator _simulator;
    private readonly Proto.MachineInfo _machine;
    private readonly ServeOptions _options;
    private readonly Action<string> _log;

    /// <summary>A server for <paramref name="spec"/> over the loaded <paramref name="estimator"/>.</summary>
    public EstimatorServer(SimulationSpec spec, DifferentialEstimator estimator, ServeOptions options, Action<string> log)
    {
        var problems = options.Problems();
        if (problems.Count > 0)
        {
            throw new ServeException(string.Join("; ", problems));
        }

        _spec = spec with { PolicyDeadline = PolicyCallGuard.MaxDeadline };
        _simulator = new EstimatorSimulator(estimator);
        _options = options;
        _log = log;
        _machine = Machine(spec, estimator.Traces);
    }

    /// <summary>A server for an experiment's estimator (its traces loaded now; errors name the cause).</summary>
    public static EstimatorServer FromExperiment(Experiment experiment, ServeOptions options, Action<string> log)
    {
        var dir = experiment.Estimator.TraceDir;
        if (string.IsNullOrEmpty(dir))
        {
            throw new ServeException("the experiment sets no estimator.traces: the estimator needs a folder of window traces (record them with 'deepmem trace')");
        }

        if (!Directory.Exists(dir))
        {
            throw new ServeException($"estimator.traces folder '{dir}' does not exist");
        }

        try
        {
            var traces = TraceSet.Load(dir, experiment.Spec.Nodes.Select(n => n.Name).ToList());
            return new EstimatorServer(experiment.Spec, new DifferentialEstimator(traces, experiment.Estimator), options, log);
        }
        catch (Exception e) when (e is TraceFormatException or TraceSetException or IOException or ArgumentException)
        {
            throw new ServeException($"cannot load the traces in '{dir}': {e.Message}");
        }
    }

    /// <summary>The machine sent in every HelloReply.</summary>
    public Proto.MachineInfo Machine() => _machine.Clone();

    /// <summary>
    /// Starts listening, announces the port (<see cref="PortLinePrefix"/> on
    /// <paramref name="announce"/>, and the port file), serves the sessions
    /// and returns their summaries. <paramref name="ct"/> ends it (a session
    /// in progress gets Failed "simulator interrupted").
    /// </summary>
    public async Task<IReadOnlyList<SessionSummary>> RunAsync(TextWriter announce, CancellationToken ct)
    {
        var holder = new GateHolder();
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [] });
        builder.Logging.ClearProviders();
        builder.Services.AddGrpc(o =>
        {
            o.MaxReceiveMessageSize = Bridge.BridgeChannel.MaxMessageBytes;
            o.MaxSendMessageSize = Bridge.BridgeChannel.MaxMessageBytes;
        });
        builder.Services.AddSingleton(holder);
        var address = Address(_options.Host);
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.Listen(address, _options.Port, listen => listen.Protocols = HttpProtocols.Http2);
            k.Limits.MaxRequestHeadersTotalSize = 16 * 1024;
        });
        await using var app = builder.Build();
        app.Use(HelloSizeGuard.Create(_log));
        app.MapGrpcService<CoSimulationService>();
        // The first session's gate is up before the port is announced.
        holder.Current = new SessionGate(_options, _machine, _log);
        try
        {
            await app.StartAsync(ct).ConfigureAwait(false);
        }
        catch (IOException e)
        {
            throw new ServeException($"cannot bind {_options.Host}:{_options.Port} (port in use or address not local): {e.Message}");
        }

        var port = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First()).Port;
        if (_options.PortFile.Length > 0)
        {
            var tmp = $"{_options.PortFile}.tmp{Environment.ProcessId}";
            await File.WriteAllTextAsync(tmp, $"{port}\n", CancellationToken.None).ConfigureAwait(false);
            File.Move(tmp, _options.PortFile, overwrite: true);
        }

        if (_options.Announce)
        {
            await announce.WriteLineAsync($"{PortLinePrefix}{port}").ConfigureAwait(false);
            await announce.FlushAsync(CancellationToken.None).ConfigureAwait(false);
        }

        _log($"listening on {_options.Host}:{port} (protocol {_options.ProtocolVersion}, token {(_options.Token.Length > 0 ? "required" : "not required")}, " +
             $"{(_options.Sessions == 0 ? "sessions until stopped" : $"{_options.Sessions} session(s)")})");
        var summaries = new List<SessionSummary>();
        try
        {
            for (var i = 0; _options.Sessions == 0 || i < _options.Sessions; i++)
            {
                var gate = holder.Current ??= new SessionGate(_options, _machine, _log);
                var more = _options.Sessions == 0 || i + 1 < _options.Sessions;
                holder.MoreSessions = more;
                summaries.Add(await Task.Run(() => Serve(gate, ct), CancellationToken.None).ConfigureAwait(false));
                // The next session's gate takes Hellos at once (a waiting Hello gets it); the last one none.
                holder.Current = more && !ct.IsCancellationRequested ? new SessionGate(_options, _machine, _log) : null;
                await gate.SessionDone.Task.WaitAsync(_options.ShutdownGrace, CancellationToken.None).ContinueWith(_ => { }, TaskScheduler.Default).ConfigureAwait(false);
                if (ct.IsCancellationRequested)
                {
                    break;
                }
            }
        }
        finally
        {
            holder.Current = null;
            using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(1));
            await app.StopAsync(grace.Token).ConfigureAwait(false);
            _log("server stopped");
        }

        return summaries;
    }

    private SessionSummary Serve(SessionGate gate, CancellationToken ct)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var run = new LockstepRun(gate, _log, stop);
        using var onCancel = ct.Register(() => gate.Inbound.Add(new SessionClosed("the simulator was interrupted", false)));
        run.AwaitSession();
        var result = ct.IsCancellationRequested
            ? new RunResult { Backend = "estimator", Status = RunStatus.Cancelled }
            : _simulator.Run(_spec, run, null, stop.Token).Result;
        return run.Finish(result, ct.IsCancellationRequested ? "simulator interrupted" : null);
    }

    private static IPAddress Address(string host)
    {
        if (host == "localhost")
        {
            return IPAddress.Loopback;
        }

        return IPAddress.TryParse(host.Trim('[', ']'), out var ip)
            ? ip
            : throw new ServeException($"cannot bind '{host}': give an IP address (or localhost)");
    }

    private static Proto.MachineInfo Machine(SimulationSpec spec, TraceSet traces)
    {
        var topology = spec.ToTopology();
        var m = new Proto.MachineInfo
        {
            Simulator = $"deepmem estimator {typeof(EstimatorServer).Assembly.GetName().Version?.ToString(3)}",
            PageSize = spec.PageSize,
            EpochInstructions = spec.EpochInstructions,
            TicksPerSecond = (ulong)Math.Round(traces.Header.TicksPerSecond),
            CpuModel = traces.Header.Cpu,
            EpochTicks = spec.Epoch.Ticks,
            Cores = (uint)traces.Header.Cores,
            Workload = new Proto.Workload { Binary = spec.Workload.Binary, WorkingDir = spec.Workload.WorkingDir },
        };
        m.Workload.Args.AddRange(spec.Workload.Args);
        m.Nodes.AddRange(topology.Nodes.Select(n => new Proto.Node
        {
            Id = (uint)n.Id, Name = n.Name, BaseAddress = n.BaseAddress, CapacityBytes = n.CapacityBytes,
            ReadLatencyNs = n.ReadLatencyNs, WriteLatencyNs = n.WriteLatencyNs, BandwidthGbps = n.BandwidthGBps,
            Kind = n.Kind switch
            {
                DeviceKind.Nvm => Proto.DeviceKind.Nvm,
                DeviceKind.Hbm => Proto.DeviceKind.Hbm,
                DeviceKind.Cxl => Proto.DeviceKind.Cxl,
                _ => Proto.DeviceKind.Dram,
            },
        }));
        return m;
    }
}
