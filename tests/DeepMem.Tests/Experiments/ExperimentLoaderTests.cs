using DeepMem.Bridge;
using DeepMem.Core;
using DeepMem.Estimator;
using DeepMem.Experiments;

namespace DeepMem.Tests.Experiments;

public class ExperimentLoaderTests
{
    private const string Good = """
        name: demo
        memory:
          nodes:
            - { name: dram, preset: ddr4, capacity: 64MiB }
            - { name: nvm, preset: nvm, capacity: 256MiB }
        workload:
          binary: bin/stream
          args: ["100"]
        policy:
          name: interleave
          options:
            weights: [3, 1]
        epoch: 2M
        backend: estimator
        """;

    private static LoadResult Load(string yaml) => ExperimentLoader.LoadText(yaml, "/tmp/exp/test.yaml");

    private static ConfigProblem Single(LoadResult r)
    {
        var errors = r.Problems.Where(p => p.Severity == Severity.Error).ToList();
        Assert.True(errors.Count == 1, "expected one error, got:\n" + string.Join("\n", r.Problems));
        return errors[0];
    }

    [Fact]
    public void The_estimator_calibration_is_on_unless_switched_off_and_only_takes_true_or_false()
    {
        Assert.True(Assert.Single(Load(Good).Experiments).Estimator.UseCalibration);
        var off = Load(Good + "\nestimator:\n  traces: t\n  calibration: false\n");
        Assert.False(Assert.Single(off.Experiments).Estimator.UseCalibration);
        var bad = Single(Load(Good + "\nestimator:\n  calibration: maybe\n"));
        Assert.Contains("true, false", bad.ToString());
    }

    [Fact]
    public void Refill_is_off_unless_switched_on_and_changes_the_hash_of_estimator_results_only_when_on()
    {
        var plain = Assert.Single(Load(Good + "\nestimator:\n  traces: t\n").Experiments);
        Assert.False(plain.Estimator.Refill);
        var on = Assert.Single(Load(Good + "\nestimator:\n  traces: t\n  refill: true\n").Experiments);
        Assert.True(on.Estimator.Refill);
        Assert.NotEqual(ResultKey.Of(plain).Value, ResultKey.Of(on).Value);
        var off = Assert.Single(Load(Good + "\nestimator:\n  traces: t\n  refill: false\n").Experiments);
        Assert.Equal(ResultKey.Of(plain).Value, ResultKey.Of(off).Value);
        var linear = Assert.Single(Load(Good + "\nestimator:\n  traces: t\n  calibration: false\n").Experiments);
        Assert.NotEqual(ResultKey.Of(plain).Value, ResultKey.Of(linear).Value);
        Assert.Contains("true, false", Single(Load(Good + "\nestimator:\n  refill: yes\n")).ToString());
    }

    [Fact]
    public void The_estimator_takes_each_node_s_link_latency_from_the_memory_section()
    {
        Assert.Empty(Assert.Single(Load(Good).Experiments).Estimator.LinkLatencyNs);
        var cxl = Assert.Single(Load(Good.Replace("{ name: nvm, preset: nvm, capacity: 256MiB }", "{ name: far, preset: cxl, capacity: 256MiB }", StringComparison.Ordinal)).Experiments);
        Assert.Equal(new Dictionary<string, double> { ["far"] = 70 }, cxl.Estimator.LinkLatencyNs);
    }

    [Fact]
    public void The_loaded_latency_model_is_off_unless_switched_on_and_changes_the_hash_only_when_on()
    {
        var plain = Assert.Single(Load(Good + "\nestimator:\n  traces: t\n").Experiments);
        Assert.Equal(LoadedLatency.Off, plain.Estimator.LoadedLatency);
        var on = Assert.Single(Load(Good + "\nestimator:\n  traces: t\n  loaded_latency: true\n").Experiments);
        Assert.Equal(LoadedLatency.Proportional, on.Estimator.LoadedLatency);
        Assert.NotEqual(ResultKey.Of(plain).Value, ResultKey.Of(on).Value);
        var off = Assert.Single(Load(Good + "\nestimator:\n  traces: t\n  loaded_latency: false\n").Experiments);
        Assert.Equal(ResultKey.Of(plain).Value, ResultKey.Of(off).Value);
        var bad = Single(Load(Good + "\nestimator:\n  loaded_latency: queue\n"));
        Assert.Contains("loaded_latency", bad.ToString());
        Assert.Contains("true, false", bad.ToString());
    }

    [Fact]
    public void A_good_file_resolves_every_default()
    {
        var r = Load(Good);
        Assert.True(r.Ok, string.Join("\n", r.Problems));
        var e = Assert.Single(r.Experiments);
        Assert.Equal("demo", e.Name);
        Assert.Equal(2, e.Spec.Nodes.Count);
        Assert.Equal(64UL * 1024 * 1024, e.Spec.Nodes[0].CapacityBytes);
        Assert.Equal(DeviceKind.Nvm, e.Spec.Nodes[1].Kind);
        Assert.Equal(150, e.Spec.Nodes[1].ReadLatencyNs);
        Assert.Equal(2.3, e.Spec.Nodes[1].BandwidthGBps);
        Assert.Equal(500, e.Spec.Nodes[1].WriteLatencyNs);
        Assert.Equal(2_000_000UL, e.Spec.EpochInstructions);
        Assert.Equal("o3", e.Spec.Cpu.Model);
        Assert.Equal(Path.GetFullPath("/tmp/exp/bin/stream"), e.Spec.Workload.Binary);
        Assert.Equal(["100"], e.Spec.Workload.Args);
        Assert.Equal("interleave", e.Policy.Name);
        Assert.Equal("3", e.Policy.Options["weights"].List![0]);
        Assert.Equal(2000, e.Spec.Migration.PerPageNs);
        Assert.Equal("estimator", e.Backend);
        Assert.Equal(FallbackMode.Default, e.Gem5.Fallback);
        Assert.Equal("default", e.PointId);
    }

    [Fact]
    public void Channels_scale_the_preset_bandwidth_reach_gem5_and_leave_old_hashes_alone()
    {
        var two = Assert.Single(Load(Good.Replace("preset: ddr4, capacity: 64MiB", "preset: ddr4, capacity: 64MiB, channels: 2")).Experiments);
        Assert.Equal(2, two.Spec.Nodes[0].Channels);
        Assert.Equal(38.4, two.Spec.Nodes[0].BandwidthGBps, 9);
        var hbm = Assert.Single(Load(Good.Replace("preset: ddr4, capacity: 64MiB", "preset: hbm, capacity: 64MiB, channels: 4")).Experiments);
        Assert.Equal(64, hbm.Spec.Nodes[0].BandwidthGBps, 9); // half of the stack's 8 channels
        var given = Assert.Single(Load(Good.Replace("preset: ddr4, capacity: 64MiB", "preset: ddr4, capacity: 64MiB, channels: 2, bandwidth: 30GB/s")).Experiments);
        Assert.Equal(30, given.Spec.Nodes[0].BandwidthGBps, 9);

        var args = new Gem5Simulator(new Gem5Options { ConfigScript = "deepmem_se.py", PythonPath = "py" }).Arguments(two.Spec).ToList();
        Assert.Contains("dram:ddr4:64MiB:bw=38.4:latency=0ns:channels=2", args);
        Assert.Contains("nvm:nvm:256MiB:bw=2.3:latency=0ns", args);

        // Without the key nothing changes, the stored results' hash included.
        var plain = Assert.Single(Load(Good).Experiments);
        Assert.Equal(0, plain.Spec.Nodes[0].Channels);
        Assert.DoesNotContain("Channels", System.Text.Json.JsonSerializer.Serialize(plain.Spec.Nodes));
        Assert.NotEqual(ResultKey.Of(plain).Value, ResultKey.Of(two).Value);

        var bad = Single(Load(Good.Replace("preset: ddr4, capacity: 64MiB", "preset: ddr4, capacity: 64MiB, channels: 3")));
        Assert.Equal((4, 62), (bad.Line, bad.Column));
        Assert.Contains("'3' is not a channel count gem5 builds; allowed: 1, 2, 4, 8, 16", bad.Message);
    }

    [Fact]
    public void The_topology_assigns_contiguous_base_addresses()
    {
        var t = Assert.Single(Load(Good).Experiments).Spec.ToTopology();
        Assert.Equal(0UL, t.Nodes[0].BaseAddress);
        Assert.Equal(64UL * 1024 * 1024, t.Nodes[1].BaseAddress);
        Assert.Equal(0, t.FastestNode.Id);
    }

    [Fact]
    public void A_sweep_crosses_every_list()
    {
        var r = Load(Good + "\nsweep:\n  cpu.model: [o3, timing]\n  memory.nodes[0].capacity: [16MiB, 32MiB, 64MiB]\n");
        Assert.True(r.Ok, string.Join("\n", r.Problems));
        Assert.Equal(6, r.Experiments.Count);
        Assert.Equal(6, r.Experiments.Select(e => e.PointId).Distinct().Count());
        Assert.Contains(r.Experiments, e => e.Spec.Cpu.Model == "timing" && e.Spec.Nodes[0].CapacityBytes == 16UL << 20);
        Assert.All(r.Experiments, e => Assert.StartsWith(e.ResultsRoot, e.Spec.OutputDir));
    }

    [Fact]
    public void A_bad_swept_value_is_reported_at_the_value()
    {
        var r = Load(Good + "\nsweep:\n  memory.nodes[0].capacity: [16MiB, huge]\n");
        var p = Single(r);
        Assert.Equal((16, 37), (p.Line, p.Column));
        Assert.Contains("'huge'", p.Message);
    }

    [Fact]
    public void A_swept_policy_must_accept_the_options_in_the_file()
    {
        var r = Load(Good + "\nsweep:\n  policy.name: [first-touch, interleave]\n");
        Assert.False(r.Ok);
        Assert.Contains(r.Problems, p => p.Key == "policy.options.weights" && p.Message.Contains("unknown option 'weights'"));
    }

    [Fact]
    public void Unknown_keys_are_errors_with_a_hint()
    {
        var p = Single(Load(Good.Replace("epoch: 2M", "epoh: 2M")));
        Assert.Equal((13, 1), (p.Line, p.Column));
        Assert.Equal("epoh", p.Key);
        Assert.Contains("did you mean 'epoch'", p.Message);
    }

    [Fact]
    public void A_bad_preset_lists_the_allowed_values()
    {
        var p = Single(Load(Good.Replace("preset: nvm", "preset: pmem")));
        Assert.Equal((5, 28), (p.Line, p.Column));
        Assert.Equal("memory.nodes[1].preset", p.Key);
        Assert.Contains("allowed: ddr4, nvm, hbm, cxl, custom", p.Message);
    }

    [Fact]
    public void A_bad_capacity_names_the_value_and_the_form()
    {
        var p = Single(Load(Good.Replace("capacity: 64MiB", "capacity: 64MB/s")));
        Assert.Equal((4, 45), (p.Line, p.Column));
        Assert.Contains("'64MB/s'", p.Message);
        Assert.Contains("64MiB", p.Message);
    }

    [Fact]
    public void A_capacity_must_be_whole_mebibytes()
    {
        var p = Single(Load(Good.Replace("capacity: 64MiB", "capacity: 4100KiB")));
        Assert.Contains("whole number of MiB", p.Message);
    }

    [Fact]
    public void Missing_required_keys_are_reported()
    {
        var r = Load("name: x\n");
        Assert.False(r.Ok);
        Assert.Contains(r.Problems, p => p.Message.Contains("missing required key 'memory'"));
        Assert.Contains(r.Problems, p => p.Message.Contains("missing required key 'workload'"));
    }

    [Fact]
    public void Every_problem_is_reported_at_once()
    {
        var bad = Good.Replace("preset: nvm", "preset: pmem").Replace("epoch: 2M", "epoch: soon").Replace("backend: estimator", "backend: qemu");
        var r = Load(bad);
        Assert.Equal(3, r.Problems.Count(p => p.Severity == Severity.Error));
        Assert.Equal(r.Problems.OrderBy(p => p.Line).ThenBy(p => p.Column), r.Problems);
    }

    [Fact]
    public void A_yaml_syntax_error_has_a_position()
    {
        var r = Load("name: x\nmemory: [a, b\n");
        var p = Single(r);
        Assert.StartsWith("YAML syntax", p.Message);
        Assert.True(p.Line >= 2);
    }

    [Fact]
    public void A_wrong_shape_says_what_was_expected()
    {
        var p = Single(Load(Good.Replace("  args: [\"100\"]", "  args: 100")));
        Assert.Equal("workload.args", p.Key);
        Assert.Contains("expected a list", p.Message);
    }

    [Fact]
    public void An_unknown_policy_gets_a_hint()
    {
        var p = Single(Load(Good.Replace("name: interleave", "name: interleaf")));
        Assert.Equal((10, 9), (p.Line, p.Column));
        Assert.Contains("did you mean 'interleave'", p.Message);
    }

    [Fact]
    public void Policy_options_are_checked_against_the_options_class()
    {
        var r = Load(Good.Replace("weights: [3, 1]", "weigths: [3, 1]\n    by_bandwidth: maybe"));
        var errors = r.Problems.Where(p => p.Severity == Severity.Error).ToList();
        Assert.Equal(2, errors.Count);
        Assert.Contains(errors, p => p.Key == "policy.options.weigths" && p.Message.Contains("did you mean 'weights'") && p.Line == 12);
        Assert.Contains(errors, p => p.Key == "policy.options.by_bandwidth" && p.Message.Contains("true or false") && p.Line == 13);
    }

    [Fact]
    public void A_custom_device_needs_its_parameters()
    {
        var r = Load(Good.Replace("{ name: nvm, preset: nvm, capacity: 256MiB }", "{ name: cxl, preset: custom, capacity: 256MiB, kind: cxl }"));
        var errors = r.Problems.Where(p => p.Severity == Severity.Error).Select(p => p.Message).ToList();
        Assert.Equal(3, errors.Count);
        Assert.Contains("preset 'custom' needs 'read_latency'", errors);
        Assert.Contains("preset 'custom' needs 'bandwidth'", errors);
    }

    [Fact]
    public void Binding_off_loopback_needs_a_token()
    {
        var p = Single(Load(Good + "\ngem5:\n  bind: 0.0.0.0\n"));
        Assert.Equal("gem5.bind", p.Key);
        Assert.Contains("token", p.Message);
        Assert.True(Load(Good + "\ngem5:\n  bind: 0.0.0.0\n  token: s3cret\n").Ok);
    }

    [Fact]
    public void Gem5_settings_take_human_durations()
    {
        var r = Load(Good + "\ngem5:\n  reply_deadline: 90s\n  fallback: stop\n");
        var e = Assert.Single(r.Experiments);
        Assert.Equal(TimeSpan.FromSeconds(90), e.Gem5.ReplyDeadline);
        Assert.Equal(FallbackMode.Stop, e.Gem5.Fallback);
    }

    [Fact]
    public void The_config_hash_changes_with_the_settings_and_only_then()
    {
        var a = Assert.Single(Load(Good).Experiments);
        var b = Assert.Single(Load(Good).Experiments);
        var c = Assert.Single(Load(Good.Replace("epoch: 2M", "epoch: 3M")).Experiments);
        Assert.Equal(ResultKey.Of(a).Value, ResultKey.Of(b).Value);
        Assert.NotEqual(ResultKey.Of(a).Value, ResultKey.Of(c).Value);
    }

    [Fact]
    public void A_missing_file_is_one_clear_problem()
    {
        var r = ExperimentLoader.LoadFile("/nonexistent/x.yaml");
        Assert.Contains("file not found", Single(r).Message);
    }

    [Fact]
    public void The_report_baseline_is_first_touch_unless_the_file_names_another()
    {
        Assert.Equal("first-touch", Assert.Single(Load(Good).Experiments).Report.Baseline);
        Assert.Equal("tpp", Assert.Single(Load(Good + "\nreport:\n  baseline: tpp\n").Experiments).Report.Baseline);
        var e = Single(Load(Good + "\nreport:\n  baseline: tpp\n  baselin: tpp\n"));
        Assert.Equal("report.baselin", e.Key);
        Assert.Contains("unknown key 'baselin' (did you mean 'baseline'?); allowed here: baseline", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_keys_allowed_are_those_the_section_readers_read()
    {
        var top = Single(Load(Good + "\nbogus: 1\n"));
        Assert.Equal("unknown key 'bogus'; allowed here: backend, cpu, description, epoch, estimator, executor, gem5, memory, migration, name, "
            + "output, output_outside, policy, policy_time_scale, report, sweep, sweep_limit, workload", top.Message);
        var executor = Single(Load(Good + "\nexecutor:\n  job: 2\n"));
        Assert.Equal("unknown key 'job' (did you mean 'jobs'?); allowed here: account, command, cpus_per_task, jobs, kind, memory, partition, "
            + "poll, requeue, retries, sbatch, time", executor.Message);
        var node = Single(Load(Good.Replace("capacity: 64MiB", "capacity: 64MiB, speed: 3", StringComparison.Ordinal)));
        Assert.Equal("unknown key 'speed'; allowed here: bandwidth, capacity, channels, extra_latency, kind, name, preset, read_latency, write_latency",
            node.Message);
    }
}
