using DeepMem.Core;
using DeepMem.Estimator;
using DeepMem.Policies;
using static DeepMem.Tests.Policies.PolicyTestKit;

namespace DeepMem.Tests.Policies;

/// <summary>Every built-in on the estimator backend over a synthetic workload with a small fast tier.</summary>
public class PolicyContractTests
{
    private const double RateBytesPerSecond = 20e6;
    private static readonly Lazy<DifferentialEstimator> Estimator = new(() => new DifferentialEstimator(Synthetic()));
    private static readonly Lazy<string> PlanFile = new(() =>
    {
        var path = Path.Combine(Path.GetTempPath(), $"deepmem-plan-{Environment.ProcessId}.json");
        // Odd regions on the slow node, even ones on the fast node; a few pages of region 0 pulled to the slow node.
        var regionNodes = string.Join(", ", Enumerable.Range(0, 50).Select(i => i % 2));
        var pages = string.Join(", ", Enumerable.Range(0, 8).Select(i => $"{{ \"page\": {0x10000 + i}, \"node\": 1 }}"));
        File.WriteAllText(path, $"{{ \"region_nodes\": [{regionNodes}], \"pages\": [{pages}] }}");
        AppDomain.CurrentDomain.ProcessExit += (_, _) => File.Delete(path);
        return path;
    });

    /// <summary>Every built-in with options that make its rate limit bind; the rate (bytes/s) and whether only promotions count.</summary>
    public static TheoryData<string, string[], double, bool> BuiltIns() => new()
    {
        { "first-touch", [], 0, false },
        { "interleave", ["by_bandwidth=true"], 0, false },
        { "bind", ["node=1"], 0, false },
        { "static-plan", ["plan=@plan", "mode=preferred", "migration_rate=20MB/s"], RateBytesPerSecond, false },
        { "hemem", ["migration_rate=20MB/s"], RateBytesPerSecond, false },
        { "memtis", ["migration_rate=20MB/s", "cooling_samples=20k"], RateBytesPerSecond, false },
        { "tpp", ["promote_rate_limit=20MB/s"], RateBytesPerSecond, true },
        { "colloid", ["migration_rate=20MB/s"], RateBytesPerSecond, false },
        { "q-learning", ["migration_rate=20MB/s", "epsilon=0.3", "seed=5"], RateBytesPerSecond, false },
        { "python", ["agent=deepmem_agents.agents:NoOp"], 0, false }, // no rate option: an agent decides its own moves
    };

    [Fact]
    public void The_contract_covers_every_built_in()
    {
        var covered = BuiltIns().Select(row => (string)row[0]).ToHashSet();
        Assert.Equal(DefaultPolicies.All.Select(d => d.Name).Order(), covered.Order());
    }

    /// <summary>The policy_time_scale of the contract's runs (what makes the published periods fit the synthetic run).</summary>
    private const string ContractTimeScale = "1000";

    private static (RunResult Result, RecordingPolicy Record) Run(string name, string[] options, SimulationSpec? spec = null)
    {
        var policy = PolicyFactory.Create(new PolicySpec
        {
            // Periods divided by 1000 (HeMem and Colloid 10us, Memtis 500us, TPP 1ms) so that each policy acts many times in the short synthetic run, as an experiment's policy_time_scale would.
            TimeScale = ContractTimeScale,
            Name = name,
            Options = options.Select(o => o.Split('=', 2))
                .ToDictionary(kv => kv[0], kv => OptionValue.Of(kv[1] == "@plan" ? PlanFile.Value : kv[1])),
        });
        var recording = new RecordingPolicy(policy);
        var run = new EstimatorSimulator(Estimator.Value).Run(spec ?? Spec(), recording, null, CancellationToken.None);
        Assert.True(run.Result.Status == RunStatus.Succeeded, $"{name}: {run.Result.FailureReason}");
        return (run.Result, recording);
    }

    [Theory]
    [MemberData(nameof(BuiltIns))]
    public void Capacity_is_never_exceeded_and_nothing_is_rejected(string name, string[] options, double rate, bool promotionsOnly)
    {
        _ = (rate, promotionsOnly);
        var (result, record) = Run(name, options);
        var topology = record.Topology!;
        Assert.NotEmpty(record.Reports);
        foreach (var report in record.Reports)
        {
            foreach (var n in report.Nodes)
            {
                Assert.True(n.ResidentPages <= topology.CapacityPages(n.Node),
                    $"{name}: epoch {report.Epoch} node {n.Node} holds {n.ResidentPages} pages > capacity {topology.CapacityPages(n.Node)}");
            }

            Assert.Empty(report.RejectedMigrations);
        }

        Assert.Equal(0UL, result.RejectedDecisions);
        Assert.All(result.Nodes, n => Assert.True(n.ResidentPages <= topology.CapacityPages(n.Node)));
    }

    [Theory]
    [MemberData(nameof(BuiltIns))]
    public void Rate_limits_hold_in_simulated_time(string name, string[] options, double rate, bool promotionsOnly)
    {
        if (rate <= 0)
        {
            var (_, none) = Run(name, options);
            Assert.All(none.Decisions, d => Assert.Empty(d));
            return;
        }

        var (result, record) = Run(name, options);
        var topology = record.Topology!;
        var fast = topology.FastestNode.Id;
        double seconds = 0, bytes = 0;
        for (var i = 0; i < record.Reports.Count; i++)
        {
            seconds += record.Reports[i].Ticks / (double)topology.TicksPerSecond;
            var counted = record.Decisions[i].Count(m => !promotionsOnly || m.TargetNode == fast);
            bytes += counted * (double)topology.PageSize;
            Assert.True(bytes <= rate * seconds + 1e-6,
                $"{name}: {bytes} bytes migrated by epoch {i} > {rate} B/s x {seconds} s");
        }

        Assert.True(result.MigratedPages > 0, $"{name} migrated nothing; the check would be vacuous");
        if (name != "static-plan")
        {
            // Without the limit the same policy moves more: the limit did bind.
            var (unlimited, _) = Run(name, options.Where(o => !o.Contains("rate")).ToArray());
            Assert.True(unlimited.MigratedPages > result.MigratedPages,
                $"{name}: {unlimited.MigratedPages} pages unlimited vs {result.MigratedPages} limited; the limit never bound");
        }
    }

    [Theory]
    [MemberData(nameof(BuiltIns))]
    public void Runs_are_deterministic_for_a_fixed_seed(string name, string[] options, double rate, bool promotionsOnly)
    {
        _ = (rate, promotionsOnly);
        var (a, ra) = Run(name, options);
        var (b, rb) = Run(name, options);
        Assert.Equal(a.SimulatedSeconds, b.SimulatedSeconds);
        Assert.Equal(a.MigratedPages, b.MigratedPages);
        Assert.Equal(ra.Placements, rb.Placements);
        Assert.Equal(ra.Decisions.Count, rb.Decisions.Count);
        for (var i = 0; i < ra.Decisions.Count; i++)
        {
            Assert.Equal(ra.Decisions[i], rb.Decisions[i]);
        }
    }

    [Theory]
    [InlineData("hemem", "sample_period=8")]
    [InlineData("memtis")]
    [InlineData("tpp")]
    [InlineData("colloid")]
    public void Tiering_policies_beat_first_touch_when_the_fast_tier_is_small(string name, params string[] options)
    {
        var (baseline, _) = Run("first-touch", []);
        var (tiered, _) = Run(name, options);
        Assert.True(tiered.MigratedPages > 0);
        Assert.True(tiered.SimulatedSeconds < baseline.SimulatedSeconds,
            $"{name}: {tiered.SimulatedSeconds * 1e6:F1} us vs first-touch {baseline.SimulatedSeconds * 1e6:F1} us");
    }
}
