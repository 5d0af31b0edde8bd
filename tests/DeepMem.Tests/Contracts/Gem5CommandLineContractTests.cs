using System.Text.Json;
using DeepMem.Bridge;
using DeepMem.Core;

namespace DeepMem.Tests.Contracts;

/// <summary>
/// Every shape of gem5 command line the C# side builds
/// (<see cref="Gem5CommandLine"/>) is parsed by the config script's own
/// parser (gem5-patches/python/deepmem/options.py) under /usr/bin/python3,
/// and the values arrive as meant. A renamed, dropped or re-typed option on
/// either side fails here.
/// </summary>
public class Gem5CommandLineContractTests
{
    private static readonly string[] CacheSizeKeys = ["l1d_size", "l1i_size", "l2_size"];

    private static readonly string[][] UnknownOptionBatch = [["--no-such-option", "1", "/bin/true"]];

    private static SimulationSpec Spec(params NodeSpec[] nodes) => new()
    {
        Name = "t",
        Nodes = nodes.Length > 0 ? nodes :
        [
            new NodeSpec("dram", "ddr4", DeviceKind.Dram, 4UL << 20, 28.3, 28.3, 19.2, 0),
            new NodeSpec("nvm", "nvm", DeviceKind.Nvm, 64UL << 20, 150, 500, 2.3, 0),
        ],
        Cpu = new CpuSpec("o3", 2.5e9, 64 << 10, 16 << 10, 512 << 10),
        Workload = new WorkloadSpec("/bin/kernel", ["10", "--flag"], "/tmp"),
        EpochInstructions = 200_000,
        Migration = new MigrationCostSpec(1500),
        OutputDir = "/tmp/out",
    };

    private static Gem5Options Options => new() { ConfigScript = "configs/gem5/deepmem_se.py", PythonPath = "py" };

    /// <summary>Parses each command line (without gem5's -d OUT and the script) with options.py.</summary>
    private static List<JsonElement> Parse(params Gem5CommandLine[] lines)
    {
        var argvs = lines.Select(l =>
        {
            var args = l.ToArguments();
            Assert.Equal(["-d", l.OutputDir, l.ConfigScript], args.Take(3));
            return args.Skip(3).ToList();
        }).ToList();
        var output = PythonSide.Run(["-m", "deepmem.options", "--batch"], JsonSerializer.Serialize(argvs));
        var results = JsonDocument.Parse(output).RootElement.EnumerateArray().ToList();
        Assert.Equal(lines.Length, results.Count);
        for (var i = 0; i < results.Count; i++)
        {
            Assert.True(results[i].GetProperty("ok").GetBoolean(),
                $"options.py rejected [{string.Join(' ', argvs[i])}]: {results[i]}");
        }

        return results.Select(r => r.GetProperty("options")).ToList();
    }

    [Fact]
    public void A_live_run_parses_with_the_controller_epochs_and_every_node_as_built()
    {
        var spec = Spec(
            new NodeSpec("fast", "hbm", DeviceKind.Hbm, 8UL << 20, 28, 28, 64, 0, Channels: 4),
            new NodeSpec("slow", "custom", DeviceKind.Cxl, 32UL << 20, 80, 90, 12.5, 55),
            new NodeSpec("ddr", "ddr4", DeviceKind.Dram, 16UL << 20, 28.3, 28.3, 19.2, 0));
        var o = Parse(Gem5CommandLine.ForRun(Options with { DefaultPolicy = "preferred:2" }, spec))[0];

        Assert.Equal("/bin/kernel", o.GetProperty("binary").GetString());
        Assert.Equal(["10", "--flag"], o.GetProperty("args").EnumerateArray().Select(a => a.GetString()));
        var nodes = o.GetProperty("nodes").EnumerateArray().ToList();
        Assert.Equal(["fast", "slow", "ddr"], nodes.Select(n => n.GetProperty("name").GetString()));
        Assert.Equal(["hbm", "cxl", "ddr4"], nodes.Select(n => n.GetProperty("preset").GetString()));
        Assert.Equal([8L << 20, 32L << 20, 16L << 20], nodes.Select(n => n.GetProperty("size_bytes").GetInt64()));
        Assert.Equal([64, 12.5, 19.2], nodes.Select(n => n.GetProperty("bandwidth_gbps").GetDouble()));
        Assert.Equal([0, 55, 0], nodes.Select(n => n.GetProperty("added_latency_ns").GetDouble()));
        Assert.Equal(4, nodes[0].GetProperty("channels").GetInt32());
        Assert.Equal("preferred", o.GetProperty("policy").GetProperty("mode").GetString());
        Assert.Equal("o3", o.GetProperty("cpu").GetString());
        Assert.Equal("2500MHz", o.GetProperty("clock").GetString());
        Assert.Equal([64 << 10, 16 << 10, 512 << 10], CacheSizeKeys.Select(k => o.GetProperty(k).GetInt32()));
        Assert.Equal(200_000, o.GetProperty("epoch_instructions").GetInt64());
        Assert.Equal(1500, o.GetProperty("migration_page_latency_ns").GetDouble());
        Assert.Equal("grpc", o.GetProperty("controller").GetString());
        Assert.True(o.GetProperty("region_events").GetBoolean());
        Assert.Equal(0, o.GetProperty("bridge_port").GetInt32());
        Assert.Equal("127.0.0.1", o.GetProperty("bridge_host").GetString());
        Assert.False(o.GetProperty("bridge_allow_remote").GetBoolean());
        Assert.Equal(120, o.GetProperty("bridge_reply_timeout_s").GetDouble());
        Assert.Equal(Gem5CommandLine.DefaultConnectTimeout.TotalSeconds, o.GetProperty("bridge_connect_timeout_s").GetDouble());
        Assert.Equal("default", o.GetProperty("bridge_fallback").GetString());
        Assert.Equal("/tmp/out/program.out", o.GetProperty("stdout_file").GetString());
        Assert.Equal("", o.GetProperty("trace").GetString());
    }

    [Fact]
    public void A_traced_remote_run_that_stops_on_fallback_parses()
    {
        var options = Options with
        {
            Bind = "0.0.0.0", Fallback = FallbackMode.Stop, ReplyDeadline = TimeSpan.FromSeconds(2.5),
        };
        var spec = Spec() with { WindowTrace = new WindowTraceRequest("run.trace.jsonl.gz", 50_000) };
        var o = Parse(Gem5CommandLine.ForRun(options, spec))[0];

        Assert.Equal("run.trace.jsonl.gz", o.GetProperty("trace").GetString());
        Assert.Equal(50_000, o.GetProperty("window_instructions").GetInt64());
        Assert.False(o.GetProperty("trace_touches").GetBoolean());
        Assert.Equal("0.0.0.0", o.GetProperty("bridge_host").GetString());
        Assert.True(o.GetProperty("bridge_allow_remote").GetBoolean());
        Assert.Equal("stop", o.GetProperty("bridge_fallback").GetString());
        Assert.Equal(2.5, o.GetProperty("bridge_reply_timeout_s").GetDouble());
        Assert.Equal("local", o.GetProperty("policy").GetProperty("mode").GetString());
    }

    [Fact]
    public void Recording_runs_per_node_and_for_calibration_parse_with_the_whole_footprint_on_each_node()
    {
        var spec = Spec();
        var lines = new[]
        {
            Gem5CommandLine.ForRecording(Options, spec, "bind:0", "/tmp/rec/dram", "/tmp/rec/dram.trace.jsonl.gz", 100_000),
            Gem5CommandLine.ForRecording(Options, spec, "bind:1", "/tmp/rec/nvm", "/tmp/rec/nvm.trace.jsonl.gz", 100_000),
            Gem5CommandLine.ForRecording(Options, spec, "interleave:0,1", "/tmp/rec/calibration", "/tmp/rec/calibration.trace.jsonl.gz", 100_000),
        };
        // TraceRecorder's runs through the gem5 backend (fixed placements,
        // no controller) build exactly these, so the traces they record are
        // the committed ones.
        var runs = TraceRecorder.Runs(spec, calibrate: true);
        for (var i = 0; i < runs.Count; i++)
        {
            var viaSeam = Gem5CommandLine.ForFixedPlacement(Options, TraceRecorder.RunSpec(spec, runs[i].Run, runs[i].TraceFile, "/tmp/rec", 100_000),
                Gem5CommandLine.PolicyArgument(runs[i].Placement));
            Assert.Equal(lines[i].ToArguments(), viaSeam.ToArguments());
        }

        var parsed = Parse(lines);
        Assert.Equal(["bind", "bind", "interleave"], parsed.Select(o => o.GetProperty("policy").GetProperty("mode").GetString()));
        foreach (var o in parsed)
        {
            Assert.All(o.GetProperty("nodes").EnumerateArray(), n => Assert.Equal(68L << 20, n.GetProperty("size_bytes").GetInt64()));
            Assert.Equal(100_000, o.GetProperty("window_instructions").GetInt64());
            Assert.True(o.GetProperty("trace_touches").GetBoolean());
            Assert.Equal("none", o.GetProperty("controller").GetString());
            Assert.Equal(0, o.GetProperty("epoch_instructions").GetInt64());
        }
    }

    [Fact]
    public void A_plain_run_without_the_controller_parses()
    {
        var o = Parse(Gem5CommandLine.ForRun(Options, Spec()) with { Bridge = null })[0];
        Assert.Equal("none", o.GetProperty("controller").GetString());
        Assert.False(o.GetProperty("region_events").GetBoolean());
        Assert.Equal(200_000, o.GetProperty("epoch_instructions").GetInt64());
    }

    [Fact]
    public void A_multi_core_run_parses_and_a_single_core_run_has_no_cores_option()
    {
        var spec = Spec() with { Cpu = Spec().Cpu with { Cores = 4 } };
        var line = Gem5CommandLine.ForRun(Options, spec);
        var args = line.ToArguments().ToList();
        Assert.Equal("4", args[args.IndexOf("--cores") + 1]);
        Assert.DoesNotContain("--cores", Gem5CommandLine.ForRun(Options, Spec()).ToArguments());
        var o = Parse(line)[0];
        Assert.Equal(200_000, o.GetProperty("epoch_instructions").GetInt64());
    }

    [Fact]
    public void A_run_with_an_epoch_in_simulated_time_parses_with_epoch_ticks_and_no_instruction_epoch()
    {
        var spec = Spec() with { Epoch = EpochLength.OfTime(1_000_000) };
        var line = Gem5CommandLine.ForRun(Options, spec);
        var args = line.ToArguments().ToList();
        Assert.Equal("1000000000", args[args.IndexOf("--epoch-ticks") + 1]);
        var o = Parse(line)[0];
        Assert.Equal(0, o.GetProperty("epoch_instructions").GetInt64());
    }

    [Fact]
    public void The_parser_check_fails_for_an_option_the_script_does_not_know()
    {
        // The check itself can fail: an unknown option comes back as a problem.
        var output = PythonSide.Run(["-m", "deepmem.options", "--batch"], JsonSerializer.Serialize(UnknownOptionBatch));
        var r = JsonDocument.Parse(output).RootElement[0];
        Assert.False(r.GetProperty("ok").GetBoolean());
        Assert.Contains("--no-such-option", r.GetProperty("problems")[0].GetString());
    }
}
