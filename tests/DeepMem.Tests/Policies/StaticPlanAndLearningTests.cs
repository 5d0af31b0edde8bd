using DeepMem.Core;
using DeepMem.Estimator;
using DeepMem.Policies;
using DeepMem.Policies.BuiltIn;
using static DeepMem.Tests.Policies.PolicyTestKit;

namespace DeepMem.Tests.Policies;

public sealed class StaticPlanAndLearningTests : IDisposable
{
    private static readonly Topology Machine = TwoTiers(fastPages: 100, slowPages: 1000);
    private readonly string _dir = Directory.CreateTempSubdirectory("deepmem-plan-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Write(string name, string text)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllText(path, text);
        return path;
    }

    [Fact]
    public void A_static_plan_places_regions_by_index_id_and_address()
    {
        var plan = Write("plan.json", """
            { "region_nodes": [1, 0], "regions": [ { "address": "0x5000", "node": 1 }, { "id": 42, "node": 0 } ] }
            """);
        var policy = Create("static-plan", Machine, ("plan", plan));
        Assert.Equal(RegionPlacement.Bind(1), policy.PlaceRegion(new Region(1, 0x1000, 0x1000, RegionSource.Mmap)));
        Assert.Equal(RegionPlacement.Bind(0), policy.PlaceRegion(new Region(2, 0x2000, 0x1000, RegionSource.Mmap)));
        Assert.Equal(RegionPlacement.Bind(1), policy.PlaceRegion(new Region(3, 0x4000, 0x2000, RegionSource.Mmap)));
        Assert.Equal(RegionPlacement.Bind(0), policy.PlaceRegion(new Region(42, 0x9000, 0x1000, RegionSource.Mmap)));
        Assert.Equal(RegionPlacement.Default, policy.PlaceRegion(new Region(5, 0xa000, 0x1000, RegionSource.Mmap)));
    }

    [Fact]
    public void A_static_plan_takes_the_estimators_placement_plan_and_preferred_mode()
    {
        var plan = Write("optimum.json", """
            { "RegionNodes": [0, 1], "OtherNode": 0, "Microseconds": 12.5, "FastNode": 0, "FastBytesUsed": 4096,
              "CapacityBytes": 8192, "Method": "exact", "ProvenOptimal": true, "ExploredNodes": 3 }
            """);
        var policy = Create("static-plan", Machine, ("plan", plan), ("mode", "preferred"), ("otherwise", "1"));
        Assert.Equal(RegionPlacement.Preferred(0), policy.PlaceRegion(new Region(1, 0x1000, 0x1000, RegionSource.Mmap)));
        Assert.Equal(RegionPlacement.Preferred(1), policy.PlaceRegion(new Region(2, 0x2000, 0x1000, RegionSource.Mmap)));
        Assert.Equal(RegionPlacement.Bind(1), policy.PlaceRegion(new Region(3, 0x3000, 0x1000, RegionSource.Mmap)));
    }

    [Fact]
    public void A_static_plan_reads_the_plan_that_deepmem_optimize_writes()
    {
        var optimum = new PlacementPlan([1, 0, 1], 0, 42.5, 0, 8192, 16384, "exact", true, 9);
        var path = Write("optimize.json", System.Text.Json.JsonSerializer.Serialize(optimum, DeepMem.Experiments.ResultStore.Json));
        var policy = Create("static-plan", Machine, ("plan", path));
        Assert.Equal(optimum.ToRegionPlacements(), Enumerable.Range(0, 3)
            .Select(i => policy.PlaceRegion(new Region((ulong)i + 1, 0x1000UL * (ulong)(i + 1), 0x1000, RegionSource.Mmap))));
    }

    [Fact]
    public void A_static_plan_moves_planned_pages_to_their_node()
    {
        var plan = Write("pages.json", """{ "pages": [ { "page": "0x10", "node": 0 }, { "page": 17, "node": 1 } ] }""");
        var policy = Create("static-plan", Machine, ("plan", plan));
        var migrations = policy.OnEpoch(Report(Machine, 0, [new P(0x10, 1, 0, 1), new P(0x11, 1, 0, 1), new P(0x12, 1, 0, 1)]));
        Assert.Equal([new PageMigration(0x10, 0)], migrations);
    }

    [Fact]
    public void A_bad_plan_is_reported_with_every_problem()
    {
        var plan = Write("bad.json", """{ "region_nodes": [0, "x"], "regions": [ { "node": 1 } ], "extra": 1 }""");
        var e = Assert.Throws<PolicyFailedException>(() => Create("static-plan", Machine, ("plan", plan)));
        Assert.Contains("region_nodes[1]", e.Message);
        Assert.Contains("regions[0]: needs one of 'index', 'id' or 'address'", e.Message);
        Assert.Contains("unknown key 'extra'", e.Message);
        var outOfRange = Write("range.json", """{ "region_nodes": [0, 7] }""");
        Assert.Contains("node(s) 7 out of range (nodes: 2)",
            Assert.Throws<PolicyFailedException>(() => Create("static-plan", Machine, ("plan", outOfRange))).Message);
        // A missing or absent plan is caught when the options are bound (validate), before the run.
        Assert.Contains("does not exist",
            Assert.Throws<ArgumentException>(() => Create("static-plan", Machine, ("plan", Path.Combine(_dir, "none.json")))).Message);
        Assert.Contains("'plan' is required", Assert.Throws<ArgumentException>(() => Create("static-plan", Machine)).Message);
    }

    [Fact]
    public void Q_learning_updates_the_value_of_the_last_action_with_minus_the_epoch_time()
    {
        var policy = Create("q-learning", Machine, ("epsilon", "0"), ("alpha", "0.5"), ("gamma", "0.9"));
        var q = Inner<QLearningPolicy>(policy);
        policy.OnEpoch(Report(Machine, 0, [new P(0x10, 5, 0, 1)], ticks: 1_000_000));
        Assert.Equal(QLearningAction.Nothing, q.ActionsTaken[0]); // all values 0: the first action wins ties
        Assert.All(q.Table.Values.SelectMany(v => v), v => Assert.Equal(0, v));
        // Second epoch lasts 2 ms for 1M instructions: reward -2000 us per million instructions.
        policy.OnEpoch(Report(Machine, 1, [new P(0x10, 5, 0, 1)], ticks: 2_000_000));
        var updated = q.Table.Values.SelectMany((row, s) => row.Select((v, a) => (s, a, v))).Where(x => x.v != 0).ToList();
        var (_, action, value) = Assert.Single(updated);
        Assert.Equal((int)QLearningAction.Nothing, action);
        Assert.Equal(0.5 * -2000, value, 9);
        Assert.Equal(1L, q.Table.Visits.Sum(r => r.Sum()));
        Assert.Equal(-2000, q.TotalReward, 9);
    }

    [Fact]
    public void Q_learning_without_learning_leaves_the_table_alone()
    {
        var policy = Create("q-learning", Machine, ("learn", "false"));
        var q = Inner<QLearningPolicy>(policy);
        for (ulong e = 0; e < 5; e++)
        {
            policy.OnEpoch(Report(Machine, e, [new P(0x10, 5, 0, 1)]));
        }

        Assert.All(q.Table.Values.SelectMany(v => v), v => Assert.Equal(0, v));
    }

    [Fact]
    public void Q_tables_round_trip_and_steer_the_greedy_choice()
    {
        var table = new QTable(QLearningPolicy.StateCount, 4) { Features = QLearningPolicy.Features, Episodes = 3 };
        foreach (var row in table.Values)
        {
            row[(int)QLearningAction.PromoteMany] = 1.5;
        }

        table.Visits[2][1] = 7;
        var path = Path.Combine(_dir, "sub", "table.json");
        table.Save(path);
        var loaded = QTable.Load(path, QLearningPolicy.Features, QLearningPolicy.StateCount, 4);
        Assert.Equal(3, loaded.Episodes);
        Assert.Equal(7, loaded.Visits[2][1]);
        Assert.Equal(table.Values.SelectMany(v => v), loaded.Values.SelectMany(v => v));

        var policy = Create("q-learning", Machine, ("table", path), ("learn", "false"), ("epsilon", "0"));
        var migrations = policy.OnEpoch(Report(Machine, 0, [new P(0x10, 5, 0, 1), new P(0x11, 1, 0, 1)]));
        Assert.Equal(QLearningAction.PromoteMany, Inner<QLearningPolicy>(policy).ActionsTaken[0]);
        Assert.Equal([new PageMigration(0x10, 0), new PageMigration(0x11, 0)], migrations);
    }

    [Fact]
    public void A_table_with_other_features_is_refused()
    {
        var path = Path.Combine(_dir, "old.json");
        new QTable(3, 4) { Features = "something-else" }.Save(path);
        var e = Assert.Throws<PolicyFailedException>(() => Create("q-learning", Machine, ("table", path)));
        Assert.Contains("train it again", e.Message);
    }

    [Fact]
    public void Q_learning_saves_its_table_every_epoch_when_asked()
    {
        var path = Path.Combine(_dir, "live.json");
        var policy = Create("q-learning", Machine, ("table", path), ("fresh", "true"), ("save", "true"), ("epsilon", "0"));
        policy.OnEpoch(Report(Machine, 0, [new P(0x10, 5, 0, 1)]));
        policy.OnEpoch(Report(Machine, 1, [new P(0x10, 5, 0, 1)]));
        var loaded = QTable.Load(path, QLearningPolicy.Features, QLearningPolicy.StateCount, 4);
        Assert.Equal(1L, loaded.Visits.Sum(r => r.Sum()));
    }

    [Fact]
    public void Different_seeds_explore_differently_and_equal_seeds_identically()
    {
        static List<QLearningAction> Actions(int seed)
        {
            var policy = Create("q-learning", Machine, ("epsilon", "0.5"), ("seed", seed.ToString(System.Globalization.CultureInfo.InvariantCulture)));
            for (ulong e = 0; e < 30; e++)
            {
                policy.OnEpoch(Report(Machine, e, [new P(0x10 + e, 5, 0, 1)]));
            }

            return Inner<QLearningPolicy>(policy).ActionsTaken;
        }

        Assert.Equal(Actions(3), Actions(3));
        Assert.NotEqual(Actions(3), Actions(4));
    }

    [Fact]
    public void Training_on_the_estimator_improves_on_the_untrained_greedy_policy()
    {
        var estimator = new DifferentialEstimator(Synthetic());
        var spec = Spec();
        var table = new QTable(QLearningPolicy.StateCount, 4) { Features = QLearningPolicy.Features };
        double Evaluate() => new EstimatorSimulator(estimator).Run(spec,
            new QLearningPolicy(new QLearningOptions { Learn = false, Epsilon = 0 }, table), null, CancellationToken.None).Result.SimulatedSeconds;

        var untrained = Evaluate();
        for (var episode = 0; episode < 30; episode++)
        {
            var learner = new QLearningPolicy(new QLearningOptions { Epsilon = 0.2, Seed = episode }, table);
            Assert.Equal(RunStatus.Succeeded, new EstimatorSimulator(estimator).Run(spec, learner, null, CancellationToken.None).Result.Status);
        }

        var trained = Evaluate();
        Assert.True(table.Visits.Sum(r => r.Sum()) > 30 * 50);
        Assert.True(trained < untrained, $"trained {trained * 1e6:F0} us vs untrained {untrained * 1e6:F0} us");
    }
}

public class PathOptionTests
{
    [Fact]
    public async Task Plan_and_table_paths_in_yaml_are_relative_to_the_experiment_file()
    {
        using var exp = EstimatorExperiment.Create("""
              name: static-plan
              options: { plan: plans/optimum.json, mode: preferred }
            """, "plan-path");
        Directory.CreateDirectory(Path.Combine(exp.Dir, "plans"));
        File.WriteAllText(Path.Combine(exp.Dir, "plans", "optimum.json"), $$"""{ "region_nodes": [{{string.Join(",", Enumerable.Repeat(1, 50))}}] }""");
        var experiment = exp.Load();
        Assert.Equal(Path.Combine(exp.Dir, "plans", "optimum.json"), experiment.Policy.Options["plan"].Scalar);
        var outcome = await new DeepMem.Experiments.ExperimentRunner(DeepMem.Experiments.Backends.Create)
            .RunAsync(experiment, null, force: true, CancellationToken.None).WaitAsync(PolicyTestKit.Timeout);
        Assert.True(outcome.Record.Result.Status == RunStatus.Succeeded, outcome.Record.Result.FailureReason);
        // Every region prefers the slow node, which has room: the fast node stays empty.
        Assert.Equal(0UL, outcome.Record.Result.Nodes[0].ResidentPages);
        Assert.True(outcome.Record.Result.Nodes[1].ResidentPages > 1000);
    }
}
