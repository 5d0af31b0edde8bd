using System.Globalization;
using DeepMem.Core;

namespace DeepMem.Bridge;

/// <summary>
/// The command line of gem5 with <c>configs/gem5/deepmem_se.py</c>: the one
/// place on the C# side that spells the config script's options. The
/// Python side parses them in <c>gem5-patches/python/deepmem/options.py</c>;
/// <c>Gem5CommandLineContractTests</c> feeds every shape built here to that
/// parser, so a renamed or dropped option fails a test. The options are
/// described in docs/gem5.md.
/// </summary>
public sealed record Gem5CommandLine
{
    /// <summary>The config script (configs/gem5/deepmem_se.py).</summary>
    public required string ConfigScript { get; init; }

    /// <summary>gem5's output folder (<c>-d</c>).</summary>
    public required string OutputDir { get; init; }

    /// <summary>Memory nodes, CPU, epoch, migration cost and workload.</summary>
    public required SimulationSpec Spec { get; init; }


    /// <summary>The simulator's default placement (<c>--policy</c>: local, bind:N, interleave:N,N, ...); null = the script's default.</summary>
    public string? DefaultPolicy { get; init; }

    /// <summary>Whether to pass the epoch length and migration cost (<c>--epoch-insts</c> or <c>--epoch-ticks</c>, <c>--migration-page-latency</c>).</summary>
    public bool Epochs { get; init; }

    /// <summary>A window trace to write (<c>--trace</c>); null = none.</summary>
    public string? TracePath { get; init; }

    /// <summary>Window length of <see cref="TracePath"/> in instructions.</summary>
    public ulong WindowInstructions { get; init; }

    /// <summary>Also trace the cache lines the CPU touches per page (<c>--trace-touches</c>).</summary>
    public bool TraceTouches { get; init; }

    /// <summary>The live controller over the bridge (<c>--controller grpc</c>); null = the default policy only.</summary>
    public BridgeSettings? Bridge { get; init; }

    /// <summary>Where the workload's stdout goes (<c>--stdout-file</c>).</summary>
    public required string StdoutFile { get; init; }

    /// <summary>How the gem5 side's bridge server listens and waits.</summary>
    /// <param name="Host">Address it binds to.</param>
    /// <param name="ReplyDeadline">How long gem5 waits for each controller reply.</param>
    /// <param name="ConnectTimeout">How long gem5 waits for the controller to connect.</param>
    /// <param name="Fallback">What gem5 does when the controller is gone or late.</param>
    public sealed record BridgeSettings(string Host, TimeSpan ReplyDeadline, TimeSpan ConnectTimeout, FallbackMode Fallback);

    /// <summary>How long gem5 waits for the controller to connect.</summary>
    public static readonly TimeSpan DefaultConnectTimeout = TimeSpan.FromSeconds(120);

    /// <summary>A live run of <paramref name="spec"/> under the C# controller (the gem5 backend).</summary>
    public static Gem5CommandLine ForRun(Gem5Options options, SimulationSpec spec)
    {
        // The run's window trace, when the spec asks for one (the cross-check does).
        var window = spec.WindowTrace is { WindowInstructions: > 0 } w ? w.WindowInstructions : spec.EpochInstructions;
        var trace = spec.WindowTrace is not null && window > 0;
        return new Gem5CommandLine
        {
            ConfigScript = options.ConfigScript,
            OutputDir = Path.Combine(spec.OutputDir, "m5out"),
            Spec = spec,
            DefaultPolicy = options.DefaultPolicy,
            Epochs = true,
            TracePath = trace ? spec.WindowTrace!.Path : null,
            WindowInstructions = trace ? window : 0,
            Bridge = new BridgeSettings(options.Bind, options.ReplyDeadline, DefaultConnectTimeout, options.Fallback),
            StdoutFile = Path.Combine(spec.OutputDir, "program.out"),
        };
    }

    /// <summary>
    /// A trace-recording run: every node sized to hold the whole footprint,
    /// pages placed by <paramref name="policy"/>, a window trace with the
    /// CPU's touches, no controller.
    /// </summary>
    public static Gem5CommandLine ForRecording(Gem5Options options, SimulationSpec spec, string policy, string runDir, string tracePath, ulong windowInstructions) =>
        ForFixedPlacement(options, RecordingSpec(spec, runDir, tracePath, windowInstructions), policy);

    /// <summary>
    /// The spec of a trace-recording run of <paramref name="spec"/>: every
    /// node sized to hold the whole footprint (the sum of the capacities),
    /// outputs in <paramref name="runDir"/>, a window trace with the CPU's
    /// touches at <paramref name="tracePath"/>.
    /// </summary>
    public static SimulationSpec RecordingSpec(SimulationSpec spec, string runDir, string tracePath, ulong windowInstructions)
    {
        var total = spec.Nodes.Aggregate(0UL, (s, n) => s + n.CapacityBytes);
        return spec with
        {
            Nodes = spec.Nodes.Select(n => n with { CapacityBytes = total }).ToList(),
            OutputDir = runDir,
            WindowTrace = new WindowTraceRequest(tracePath, windowInstructions, Touches: true),
        };
    }

    /// <summary>
    /// A run without a controller: gem5 places every page by
    /// <paramref name="policy"/> (its <c>--policy</c> syntax) and records the
    /// spec's window trace, if it asks for one.
    /// </summary>
    public static Gem5CommandLine ForFixedPlacement(Gem5Options options, SimulationSpec spec, string policy)
    {
        var trace = spec.WindowTrace;
        var window = trace is { WindowInstructions: > 0 } ? trace.WindowInstructions : spec.EpochInstructions;
        return new Gem5CommandLine
        {
            ConfigScript = options.ConfigScript,
            OutputDir = Path.Combine(spec.OutputDir, "m5out"),
            Spec = spec,
            DefaultPolicy = policy,
            TracePath = trace?.Path,
            WindowInstructions = trace is null ? 0 : window,
            TraceTouches = trace?.Touches ?? false,
            StdoutFile = Path.Combine(spec.OutputDir, "program.out"),
        };
    }

    /// <summary>
    /// <paramref name="placement"/> in the config script's <c>--policy</c>
    /// syntax (<c>bind:1</c>, <c>interleave:0,1</c>, <c>weighted-interleave:0=3,1=1</c>).
    /// </summary>
    public static string PolicyArgument(RegionPlacement placement) => placement.Mode switch
    {
        PlacementMode.Default => "local",
        PlacementMode.Bind => $"bind:{placement.Nodes[0]}",
        PlacementMode.Preferred => $"preferred:{placement.Nodes[0]}",
        PlacementMode.Interleave when placement.Weights.Count == placement.Nodes.Count && placement.Weights.Any(w => w != 1) =>
            "weighted-interleave:" + string.Join(",", placement.Nodes.Zip(placement.Weights, (n, w) => $"{n}={w}")),
        PlacementMode.Interleave => "interleave:" + string.Join(",", placement.Nodes),
        _ => throw new ArgumentOutOfRangeException(nameof(placement), placement.Mode, "no gem5 policy for this placement mode"),
    };

    /// <summary>The arguments after gem5's binary.</summary>
    public IReadOnlyList<string> ToArguments()
    {
        var inv = CultureInfo.InvariantCulture;
        var args = new List<string> { "-d", OutputDir, ConfigScript };
        foreach (var n in Spec.Nodes)
        {
            args.AddRange(["--node", NodeArgument(n, n.CapacityBytes)]);
        }

        var cpu = Spec.Cpu;
        args.AddRange([
            "--cpu", cpu.Model, "--clock", string.Create(inv, $"{cpu.FrequencyHz / 1e6}MHz"),
            "--l1d-size", $"{cpu.L1DBytes / 1024}KiB", "--l1i-size", $"{cpu.L1IBytes / 1024}KiB",
            "--l2-size", $"{cpu.L2Bytes / 1024}KiB",
        ]);
        if (cpu.Cores > 1)
        {
            // Only when more than one, so single-core command lines stay as they were.
            args.AddRange(["--cores", cpu.Cores.ToString(inv)]);
        }

        if (DefaultPolicy is not null)
        {
            args.AddRange(["--policy", DefaultPolicy]);
        }

        if (Epochs)
        {
            // An epoch in simulated time goes as ticks (1 ns = 1000 ticks) instead of instructions.
            args.AddRange(Spec.Epoch.IsTime
                ? ["--epoch-ticks", Spec.Epoch.Ticks.ToString(inv)]
                : ["--epoch-insts", Spec.EpochInstructions.ToString(inv)]);
            args.AddRange(["--migration-page-latency", string.Create(inv, $"{Spec.Migration.PerPageNs}ns")]);
        }

        if (TracePath is not null)
        {
            args.AddRange(["--trace", TracePath, "--window-insts", WindowInstructions.ToString(inv)]);
            if (TraceTouches)
            {
                args.Add("--trace-touches");
            }
        }

        if (Bridge is { } b)
        {
            args.AddRange(["--controller", "grpc", "--region-events", "--bridge-port", "0", "--bridge-host", b.Host]);
            if (!Gem5Simulator.IsLoopback(b.Host))
            {
                args.Add("--bridge-allow-remote");
            }

            args.AddRange(["--bridge-reply-timeout", b.ReplyDeadline.TotalSeconds.ToString(inv)]);
            args.AddRange(["--bridge-connect-timeout", b.ConnectTimeout.TotalSeconds.ToString(inv)]);
            args.AddRange(["--bridge-fallback", b.Fallback == FallbackMode.Stop ? "stop" : "default"]);
        }

        args.AddRange(["--stdout-file", StdoutFile]);
        args.Add(Spec.Workload.Binary);
        args.AddRange(Spec.Workload.Args);
        return args;
    }

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
}
