using System.Diagnostics;
using System.Globalization;
using DeepMem.Core;
using Grpc.Net.Client;

namespace DeepMem.Bridge;

/// <summary>
/// The gem5 backend: launches patched gem5 with configs/gem5/deepmem_se.py
/// on the experiment's memory system and workload, connects to the bridge
/// server inside gem5, and drives the policy live. gem5 crashing, exiting
/// early or going silent ends the run with the cause and the tail of
/// gem5's output; cancellation kills gem5's whole process tree.
/// </summary>
/// <param name="options">Binary, config script and deadlines.</param>
/// <param name="log">Receives one line per notable event (rejections, gem5 output when asked).</param>
public sealed class Gem5Simulator(Gem5Options options, Action<string>? log = null) : IMemorySimulator
{
    /// <inheritdoc />
    public string Name => "gem5";

    /// <summary>The gem5 command line for a spec (without starting it).</summary>
    public IReadOnlyList<string> Arguments(SimulationSpec spec)
    {
        var inv = CultureInfo.InvariantCulture;
        var m5out = Path.Combine(spec.OutputDir, "m5out");
        var args = new List<string> { "-d", m5out, options.ConfigScript };
        foreach (var n in spec.Nodes)
        {
            args.Add("--node");
            args.Add(NodeArgument(n, n.CapacityBytes));
        }

        args.AddRange(CpuArguments(spec));
        if (options.DefaultPolicy is not null)
        {
            args.AddRange(["--policy", options.DefaultPolicy]);
        }

        args.AddRange(["--epoch-insts", spec.EpochInstructions.ToString(inv)]);
        args.AddRange(["--migration-page-latency", string.Create(inv, $"{spec.Migration.PerPageNs}ns")]);
        // The run's window trace, when the spec asks for one (the cross-check does).
        var window = spec.WindowTrace is { WindowInstructions: > 0 } w ? w.WindowInstructions : spec.EpochInstructions;
        if (spec.WindowTrace is not null && window > 0)
        {
            args.AddRange(["--trace", spec.WindowTrace.Path, "--window-insts", window.ToString(inv)]);
        }

        args.AddRange(["--controller", "grpc", "--region-events", "--bridge-port", "0", "--bridge-host", options.Bind]);
        if (!IsLoopback(options.Bind))
        {
            args.Add("--bridge-allow-remote");
        }

        args.AddRange(["--bridge-reply-timeout", options.ReplyDeadline.TotalSeconds.ToString(inv)]);
        args.AddRange(["--bridge-connect-timeout", "120"]);
        args.AddRange(["--bridge-fallback", options.Fallback == FallbackMode.Stop ? "stop" : "default"]);
        args.AddRange(["--stdout-file", Path.Combine(spec.OutputDir, "program.out")]);
        args.Add(spec.Workload.Binary);
        args.AddRange(spec.Workload.Args);
        return args;
    }

    /// <summary>True for loopback addresses and "localhost".</summary>
    public static bool IsLoopback(string host) =>
        host == "localhost" || (System.Net.IPAddress.TryParse(host, out var ip) && System.Net.IPAddress.IsLoopback(ip));

    /// <summary>The config script's <c>--node</c> value for <paramref name="n"/> with <paramref name="bytes"/> of memory.</summary>
    public static string NodeArgument(NodeSpec n, ulong bytes) =>
        string.Create(CultureInfo.InvariantCulture, $"{n.Name}:{Gem5Preset(n)}:{bytes / (1024 * 1024)}MiB:bw={n.BandwidthGBps}:latency={n.ExtraLatencyNs}ns")
        + (n.Channels > 0 ? string.Create(CultureInfo.InvariantCulture, $":channels={n.Channels}") : "");

    /// <summary>The gem5-side preset of a node ("custom" maps to its kind's preset with explicit numbers).</summary>
    public static string Gem5Preset(NodeSpec n) => n.Preset != "custom" ? n.Preset : n.Kind switch
    {
        DeviceKind.Nvm => "nvm",
        DeviceKind.Hbm => "hbm",
        DeviceKind.Cxl => "cxl",
        _ => "ddr4",
    };

    /// <summary>CPU and cache arguments of the config script.</summary>
    public static IReadOnlyList<string> CpuArguments(SimulationSpec spec)
    {
        var inv = CultureInfo.InvariantCulture;
        return
        [
            "--cpu", spec.Cpu.Model, "--clock", string.Create(inv, $"{spec.Cpu.FrequencyHz / 1e6}MHz"),
            "--l1d-size", $"{spec.Cpu.L1DBytes / 1024}KiB", "--l1i-size", $"{spec.Cpu.L1IBytes / 1024}KiB",
            "--l2-size", $"{spec.Cpu.L2Bytes / 1024}KiB",
        ];
    }

    /// <inheritdoc />
    public async Task<RunResult> RunAsync(SimulationSpec spec, IPlacementPolicy policy, IProgress<RunProgress>? progress, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var binary = options.ResolveBinary();
        if (string.IsNullOrEmpty(binary) || !File.Exists(binary))
        {
            return Failed(string.IsNullOrEmpty(binary)
                ? "no gem5 binary: set gem5.binary in the experiment or DEEPMEM_GEM5 to a gem5.opt built with gem5-patches (see README)"
                : $"gem5 binary '{binary}' does not exist", clock, null);
        }

        if (!File.Exists(spec.Workload.Binary))
        {
            return Failed($"workload binary '{spec.Workload.Binary}' does not exist (build it: make -C tests/workloads)", clock, null);
        }

        Directory.CreateDirectory(spec.OutputDir);
        var args = Arguments(spec);
        var env = new Dictionary<string, string> { ["PYTHONPATH"] = options.PythonPath };
        if (!string.IsNullOrEmpty(options.Token))
        {
            env["DEEPMEM_BRIDGE_TOKEN"] = options.Token;
        }

        using var run = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        run.CancelAfter(options.RunTimeout);
        await using var gem5 = BridgeProcess.Start(binary, args, env, spec.Workload.WorkingDir);
        var commandLine = gem5.CommandLine;
        await File.WriteAllTextAsync(Path.Combine(spec.OutputDir, "command.txt"), commandLine + "\n", CancellationToken.None);
        int port;
        try
        {
            port = await gem5.WaitForPortAsync(options.EventDeadline, run.Token);
        }
        catch (BridgeStartException e)
        {
            return Failed($"gem5 did not start its bridge: {e.Message}", clock, commandLine, e.ExitCode ?? 1, e.OutputTail);
        }
        catch (OperationCanceledException)
        {
            return Ended(cancellationToken.IsCancellationRequested, clock, commandLine, gem5.OutputTail);
        }

        using var channel = BridgeChannel.Create(port, IsLoopback(options.Bind) || options.Bind is "0.0.0.0" or "::" ? "127.0.0.1" : options.Bind);
        var session = await CoSimulationClient.RunAsync(channel, policy,
            new SessionOptions { EventDeadline = options.EventDeadline, Token = options.Token, PolicyDeadline = spec.PolicyDeadline },
            progress, log, run.Token);
        if (session.Status == RunStatus.Cancelled)
        {
            gem5.Kill();
            return Ended(cancellationToken.IsCancellationRequested, clock, commandLine, gem5.OutputTail);
        }

        // A gem5 that sent nothing within the deadline is hung: killed now. After
        // Finished/Failed it exits on its own; give it a moment, then kill.
        if (session.DeadlineExpired)
        {
            gem5.Kill();
        }

        var exited = await gem5.WaitForExitAsync(session.DeadlineExpired ? TimeSpan.FromSeconds(10) : ExitGrace);
        if (!exited)
        {
            gem5.Kill();
        }

        var tail = gem5.OutputTail;
        var finished = session.Finished;
        if (session.Status != RunStatus.Succeeded || finished is null)
        {
            var exit = gem5.ExitCode;
            var reason = session.FailureReason ?? "gem5 ended without a result";
            if (exit is not null && exit != 0 && session.Failed is null)
            {
                reason += $" (gem5 exited with code {exit})";
            }

            return WithSession(Failed(reason, clock, commandLine, session.Failed?.ExitCode ?? exit ?? 1,
                string.IsNullOrEmpty(session.Failed?.OutputTail) ? tail : session.Failed!.OutputTail), session);
        }

        var ticksPerSecond = session.Machine?.TicksPerSecond is > 0 ? session.Machine.TicksPerSecond : Gem5Defaults.TicksPerSecond;
        var outputDir = string.IsNullOrEmpty(finished.OutputDir) ? Path.Combine(spec.OutputDir, "m5out") : finished.OutputDir;
        return WithSession(new RunResult
        {
            Backend = Name,
            Status = finished.ExitCode == 0 ? RunStatus.Succeeded : RunStatus.Failed,
            FailureReason = finished.ExitCode == 0 ? null : WorkloadFailure(finished.ExitCode, outputDir),
            ExitCode = finished.ExitCode,
            SimulatedSeconds = finished.SimulatedSeconds,
            Ticks = finished.Ticks,
            Instructions = finished.Instructions,
            Nodes = finished.Nodes.Select(ProtocolConvert.ToNodeStats).ToList(),
            MigratedPages = finished.MigratedPages,
            MigrationSeconds = finished.MigrationTicks / (double)ticksPerSecond,
            HostSeconds = clock.Elapsed.TotalSeconds,
            OutputDir = outputDir,
            CommandLine = commandLine,
        }, session);
    }

    /// <summary>How long gem5 may take to exit after its last message.</summary>
    private static readonly TimeSpan ExitGrace = TimeSpan.FromSeconds(30);

    /// <summary>The session's counts on a result: epochs (policy and fallback), fallback reason, rejections.</summary>
    public static RunResult WithSession(RunResult result, SessionOutcome session) => result with
    {
        Epochs = session.PolicyEpochs + session.FallbackEpochs > session.Epochs ? session.PolicyEpochs + session.FallbackEpochs : session.Epochs,
        PolicyEpochs = session.PolicyEpochs,
        FallbackEpochs = session.FallbackEpochs,
        FallbackReason = session.FallbackReason is null ? null : $"fallback '{session.Fallback}': {session.FallbackReason}",
        RejectedDecisions = session.RejectedDecisions,
        Rejections = session.Rejections,
    };

    /// <summary>
    /// Why a run whose workload ended with a non-zero exit code failed:
    /// "killed by SIGABRT (exit 134)" when gem5's <c>deepmem_result.json</c>
    /// in <paramref name="outputDir"/> says a signal ended the program,
    /// else "the workload exited with code N".
    /// </summary>
    public static string WorkloadFailure(int exitCode, string? outputDir)
    {
        var signal = ResultSignal(outputDir);
        return signal is { } s
            ? string.Create(CultureInfo.InvariantCulture, $"killed by {s.Name} (exit {exitCode})")
            : string.Create(CultureInfo.InvariantCulture, $"the workload exited with code {exitCode}");
    }

    /// <summary>The signal <c>deepmem_result.json</c> records (its "signal" and "signal_name"), or null.</summary>
    private static (int Number, string Name)? ResultSignal(string? outputDir)
    {
        if (string.IsNullOrEmpty(outputDir))
        {
            return null;
        }

        var path = Path.Combine(outputDir, "deepmem_result.json");
        try
        {
            using var doc = System.Text.Json.JsonDocument.Parse(File.ReadAllText(path));
            var root = doc.RootElement;
            if (root.ValueKind != System.Text.Json.JsonValueKind.Object
                || !root.TryGetProperty("signal", out var sig)
                || sig.ValueKind != System.Text.Json.JsonValueKind.Number
                || !sig.TryGetInt32(out var number) || number <= 0)
            {
                return null;
            }

            var name = root.TryGetProperty("signal_name", out var n) && n.ValueKind == System.Text.Json.JsonValueKind.String
                ? n.GetString()!
                : string.Create(CultureInfo.InvariantCulture, $"signal {number}");
            return (number, name);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.Text.Json.JsonException)
        {
            return null;
        }
    }

    private RunResult Failed(string reason, Stopwatch clock, string? commandLine, int exitCode = 1, string? tail = null) => new()
    {
        Backend = Name,
        Status = RunStatus.Failed,
        FailureReason = reason,
        ExitCode = exitCode,
        HostSeconds = clock.Elapsed.TotalSeconds,
        CommandLine = commandLine,
        OutputTail = tail,
    };

    private RunResult Ended(bool cancelled, Stopwatch clock, string commandLine, string tail) => cancelled
        ? new RunResult { Backend = Name, Status = RunStatus.Cancelled, FailureReason = "cancelled by the user; gem5 was stopped", ExitCode = 130, HostSeconds = clock.Elapsed.TotalSeconds, CommandLine = commandLine }
        : Failed($"the run exceeded its timeout of {options.RunTimeout.TotalSeconds:0} s; gem5 was stopped", clock, commandLine, 1, tail);
}
