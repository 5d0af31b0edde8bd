using System.Diagnostics;
using DeepMem.Bridge;
using DeepMem.Cli;
using DeepMem.Cli.Commands;
using DeepMem.Core;
using DeepMem.Estimator;
using DeepMem.Experiments;
using DeepMem.Policies;
using DeepMem.Tests.Bridge;

namespace DeepMem.Tests.Policies;

/// <summary>
/// Policy calls run under a deadline on both backends (PolicyCallGuard), and
/// only the caller's token means cancelled. The misbehaving policy is loaded
/// from YAML as a plug-in (this test assembly), as a user's policy would be.
/// </summary>
public class PolicyDeadlineTests
{
    private static readonly string Plugin = typeof(MisbehavingPolicy).Assembly.Location;

    // 2 s: every call but the hanging one answers within it even on a loaded machine; the hang lasts 20 s.
    private static string PolicyYaml(string options, string? deadline = "2s") => $"""
          assembly: {Plugin}
          type: {typeof(MisbehavingPolicy).FullName}
          options: {options}
        """ + (deadline is null ? "" : $"\n  deadline: {deadline}");

    private static async Task<(int Code, List<ResultRecord> Records, TimeSpan Took)> RunAsync(EstimatorExperiment exp)
    {
        var clock = Stopwatch.StartNew();
        var code = await RunCommand.ExecuteAsync(new FileInfo(exp.File), null, null, force: false, Backends.Create, CancellationToken.None)
            .WaitAsync(PolicyTestKit.Timeout);
        return (code, ResultStore.ReadAll(exp.Results).OrderBy(r => r.Point, StringComparer.Ordinal).ToList(), clock.Elapsed);
    }

    [Fact]
    public async Task A_policy_that_hangs_in_OnEpoch_fails_its_point_at_the_deadline_and_the_sweep_goes_on()
    {
        using var exp = EstimatorExperiment.Create(PolicyYaml("{ hang_at_epoch: 2 }"), "hang",
            "sweep:\n  policy.options.hang_at_epoch: [2, -1]");
        Assert.All(ExperimentLoader.LoadFile(exp.File).Experiments, e => Assert.Equal(TimeSpan.FromSeconds(2), e.Spec.PolicyDeadline));

        var (code, records, took) = await RunAsync(exp);

        Assert.Equal(ExitCodes.Failed, code);
        Assert.Equal(2, records.Count);
        var hung = records.Single(r => r.Point.EndsWith("=2", StringComparison.Ordinal)).Result;
        Assert.Equal(RunStatus.Failed, hung.Status);
        Assert.Contains("policy 'DeepMem.Tests.Policies.MisbehavingPolicy' failed in OnEpoch (epoch 2)", hung.FailureReason);
        Assert.Contains("no answer within 2 s (policy.deadline)", hung.FailureReason);
        var next = records.Single(r => r.Point.EndsWith("=-1", StringComparison.Ordinal)).Result;
        Assert.True(next.Status == RunStatus.Succeeded, next.FailureReason);
        // The hang lasts 20 s: the run did not wait for it.
        Assert.True(took < TimeSpan.FromSeconds(15), $"took {took}");
    }

    [Fact]
    public async Task A_policy_that_throws_its_own_OperationCanceledException_fails_instead_of_cancelling_the_run()
    {
        using var exp = EstimatorExperiment.Create(PolicyYaml("{ cancel_at_epoch: 1 }", deadline: null), "own-cancel");

        var (code, records, _) = await RunAsync(exp);

        Assert.Equal(ExitCodes.Failed, code);
        var result = Assert.Single(records).Result;
        Assert.Equal(RunStatus.Failed, result.Status);
        Assert.Contains("failed in OnEpoch (epoch 1): OperationCanceledException", result.FailureReason);
    }

    [Fact]
    public async Task The_users_token_cancels_a_run_whose_policy_hangs_without_waiting_for_the_deadline()
    {
        var spec = PolicyTestKit.Spec() with { PolicyDeadline = TimeSpan.FromSeconds(60) };
        var policy = new GuardedPolicy("sleeper", new MisbehavingPolicy(new MisbehavingOptions { HangInInitialize = true }));
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
        var clock = Stopwatch.StartNew();
        var result = await new EstimatorSimulator(PolicyTestKit.Synthetic()).RunAsync(spec, policy, null, cts.Token)
            .WaitAsync(PolicyTestKit.Timeout);
        Assert.Equal(RunStatus.Cancelled, result.Status);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(15), $"took {clock.Elapsed}");
    }

    [Fact]
    public void A_hanging_Initialize_fails_with_the_policys_name_and_the_call()
    {
        var spec = PolicyTestKit.Spec() with { PolicyDeadline = TimeSpan.FromMilliseconds(200) };
        var policy = new GuardedPolicy("sleeper", new MisbehavingPolicy(new MisbehavingOptions { HangInInitialize = true }));
        var result = new EstimatorSimulator(PolicyTestKit.Synthetic()).Run(spec, policy, null, CancellationToken.None).Result;
        Assert.Equal(RunStatus.Failed, result.Status);
        Assert.StartsWith("policy 'sleeper' failed in Initialize: no answer within 200 ms", result.FailureReason);
    }

    [Theory]
    [InlineData("0s")]
    [InlineData("soon")]
    [InlineData("30")]
    [InlineData("2d")]
    public void A_bad_deadline_is_reported_at_its_line_with_the_allowed_form(string deadline)
    {
        using var exp = EstimatorExperiment.Create($"  name: first-touch\n  deadline: {deadline}", "bad-deadline");
        var loaded = ExperimentLoader.LoadFile(exp.File);
        var problem = Assert.Single(loaded.Problems);
        Assert.Equal("policy.deadline", problem.Key);
        Assert.Equal(12, problem.Line);
        Assert.Contains("from 1ms to 86400s", problem.Message);
    }

    private static object Machine => new
    {
        simulator = "scripted",
        page_size = 4096,
        epoch_instructions = 1_000_000,
        nodes = new object[]
        {
            new { id = 0, name = "dram", kind = "dram", capacity_bytes = 1L << 20, base_address = 0, read_latency_ns = 50, write_latency_ns = 50, bandwidth_gbps = 19.2 },
            new { id = 1, name = "nvm", kind = "nvm", capacity_bytes = 1L << 24, base_address = 1L << 20, read_latency_ns = 150, write_latency_ns = 500, bandwidth_gbps = 6.4 },
        },
    };

    private static Dictionary<string, object> Epoch(int epoch, string call) => new()
    {
        ["epoch_ended"] = new
        {
            epoch, start_tick = epoch * 1000, end_tick = (epoch + 1) * 1000, epoch_instructions = 1_000_000,
            total_instructions = (epoch + 1) * 1_000_000, pages = new[] { new object[] { 0x400, 1, 0, 1 } },
        },
        ["expect"] = new { call },
    };

    private static object Finished => new { finished = new { exit_code = 0, ticks = 3000, simulated_seconds = 3e-9, instructions = 3_000_000, output_dir = "m5out" } };

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task On_the_gem5_bridge_a_hang_or_an_own_cancellation_stops_the_simulation_as_a_policy_failure(bool hang)
    {
        var script = new { machine = Machine, events = new[] { Epoch(0, "none"), Epoch(1, "stop"), Finished } };
        await using var sim = await ScriptedSimulator.StartAsync(script);
        var options = hang ? new MisbehavingOptions { HangAtEpoch = 1 } : new MisbehavingOptions { CancelAtEpoch = 1 };
        var policy = new GuardedPolicy("misbehaving", new MisbehavingPolicy(options));
        using var cts = new CancellationTokenSource(PolicyTestKit.Timeout);
        var clock = Stopwatch.StartNew();
        var outcome = await CoSimulationClient.RunAsync(sim.Channel, policy,
            // 2 s: the calls before the hang must answer within it on a loaded machine; the hang (20 s) never does.
            new SessionOptions { PolicyDeadline = TimeSpan.FromSeconds(2) }, null, null, cts.Token).WaitAsync(PolicyTestKit.Timeout);

        Assert.Equal(RunStatus.Failed, outcome.Status);
        Assert.Contains("policy 'misbehaving' failed in OnEpoch (epoch 1): "
                        + (hang ? "no answer within 2 s" : "OperationCanceledException"), outcome.FailureReason);
        Assert.Equal(0, await sim.WaitExitAsync());
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(15), $"took {clock.Elapsed}");
    }
}
