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
    public IReadOnlyList<string> Arguments(SimulationSpec spec) => Gem5CommandLine.ForRun(options, spec).ToArguments();

    /// <summary>True for loopback addresses and "localhost".</summary>
    public static bool IsLoopback(string host) =>
        host == "localhost" || (System.Net.IPAddress.TryParse(host, out var ip) && System.Net.IPAddress.IsLoopback(ip));

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
        if (policy is FixedPlacementPolicy fixedPlacement)
        {
            return await RunWithoutControllerAsync(binary, spec, fixedPlacement.Placement, clock, cancellationToken).ConfigureAwait(false);
        }

        var args = Arguments(spec);
        var env = ProcessContract.Environment(options.PythonPath, options.Token);

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

    /// <summary>
    /// A run whose placement never changes (<see cref="FixedPlacementPolicy"/>:
    /// the trace recordings) needs no controller: gem5 applies the placement
    /// as its default policy, runs without the bridge, and the result comes
    /// from its <c>deepmem_result.json</c>.
    /// </summary>
    private async Task<RunResult> RunWithoutControllerAsync(string binary, SimulationSpec spec, RegionPlacement placement, Stopwatch clock, CancellationToken ct)
    {
        var line = Gem5CommandLine.ForFixedPlacement(options, spec, Gem5CommandLine.PolicyArgument(placement));
        await using var gem5 = BridgeProcess.Start(binary, line.ToArguments(), ProcessContract.Environment(options.PythonPath), spec.Workload.WorkingDir);
        var commandLine = gem5.CommandLine;
        log?.Invoke(commandLine);
        await File.WriteAllTextAsync(Path.Combine(spec.OutputDir, "command.txt"), commandLine + "\n", CancellationToken.None).ConfigureAwait(false);
        using var reg = ct.Register(gem5.Kill);
        var exited = await gem5.WaitForExitAsync(options.RunTimeout).ConfigureAwait(false);
        if (!exited)
        {
            gem5.Kill();
        }

        if (ct.IsCancellationRequested || !exited)
        {
            return Ended(ct.IsCancellationRequested, clock, commandLine, gem5.OutputTail);
        }

        var exit = gem5.ExitCode ?? 1;
        var result = ReadResult(line.OutputDir);
        if (result is null)
        {
            return Failed($"gem5 exited with code {exit} and wrote no {ProcessContract.ResultFile}", clock, commandLine, exit == 0 ? 1 : exit, gem5.OutputTail);
        }

        if (spec.WindowTrace is { } trace && result.ExitCode == 0 && !File.Exists(trace.Path))
        {
            return Failed($"gem5 exited with code {exit} and wrote no trace", clock, commandLine, exit == 0 ? 1 : exit, gem5.OutputTail);
        }

        return result with
        {
            Status = result.ExitCode == 0 && exit == 0 ? RunStatus.Succeeded : RunStatus.Failed,
            FailureReason = result.ExitCode != 0 ? WorkloadFailure(result.ExitCode, line.OutputDir) : exit != 0 ? $"gem5 exited with code {exit}" : null,
            OutputTail = result.ExitCode == 0 && exit == 0 ? null : gem5.OutputTail,
            HostSeconds = clock.Elapsed.TotalSeconds,
            CommandLine = commandLine,
        };
    }

    /// <summary>The run's result as gem5 wrote it to <c>deepmem_result.json</c> in <paramref name="outputDir"/>; null when absent or unreadable.</summary>
    private RunResult? ReadResult(string outputDir)
    {
        try
        {
            using var doc = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(outputDir, ProcessContract.ResultFile)));
            var r = doc.RootElement;
            var nodes = r.GetProperty("nodes").EnumerateArray().Select((n, i) => new NodeStats(i, n.GetProperty("reads").GetUInt64(), n.GetProperty("writes").GetUInt64(),
                0, 0, 0, n.GetProperty("resident_pages").GetUInt64(), n.GetProperty("free_pages").GetUInt64())).ToList();
            return new RunResult
            {
                Backend = Name,
                Status = RunStatus.Succeeded,
                ExitCode = r.GetProperty("exit_code").GetInt32(),
                SimulatedSeconds = r.GetProperty("simulated_seconds").GetDouble(),
                Ticks = r.GetProperty("ticks").GetUInt64(),
                Instructions = r.GetProperty("instructions").GetUInt64(),
                Nodes = nodes,
                OutputDir = outputDir,
            };
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.Text.Json.JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            return null;
        }
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

        var path = Path.Combine(outputDir, ProcessContract.ResultFile);
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
