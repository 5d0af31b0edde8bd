using DeepMem.Core;
using DeepMem.Policies.BuiltIn;
using DeepMem.Core.Tiering;
using static DeepMem.Tests.Policies.PolicyTestKit;

namespace DeepMem.Tests.Policies;

/// <summary>Each tiering policy's decision rule on crafted epoch reports.</summary>
public class TieringRuleTests
{
    private static readonly Topology Machine = TwoTiers(fastPages: 100, slowPages: 1000);

    /// <summary>
    /// The rules per epoch: every period one epoch (time_scale 0), so that each
    /// crafted report is one decision. PolicyPeriodTests tests the periods.
    /// </summary>
    private static IPlacementPolicy Create(string name, Topology topology, params (string Key, string Value)[] options) =>
        PolicyTestKit.Create(name, topology, [.. options, ("time_scale", "0")]);

    [Fact]
    public void HeMem_promotes_a_page_at_4_sampled_reads_or_writes_and_not_at_3()
    {
        var policy = Create("hemem", Machine);
        var migrations = policy.OnEpoch(Report(Machine, 0,
        [
            new P(0x10, 4, 0, 1), new P(0x11, 3, 0, 1), new P(0x12, 0, 4, 1), new P(0x13, 0, 3, 1), new P(0x14, 3, 3, 1),
        ]));
        Assert.Equal([new PageMigration(0x10, 0), new PageMigration(0x12, 0)], migrations.OrderBy(m => m.PageNumber));
    }

    [Fact]
    public void HeMem_counts_add_up_over_epochs()
    {
        var policy = Create("hemem", Machine);
        Assert.Empty(policy.OnEpoch(Report(Machine, 0, [new P(0x10, 2, 0, 1)])));
        Assert.Equal([new PageMigration(0x10, 0)], policy.OnEpoch(Report(Machine, 1, [new P(0x10, 2, 0, 1)])));
    }

    [Fact]
    public void HeMem_samples_with_the_sample_period()
    {
        var policy = Create("hemem", Machine, ("sample_period", "10"));
        Assert.Empty(policy.OnEpoch(Report(Machine, 0, [new P(0x10, 39, 0, 1)])));
        var sampled = Create("hemem", Machine, ("sample_period", "10"));
        Assert.Single(sampled.OnEpoch(Report(Machine, 0, [new P(0x10, 40, 0, 1)])));
    }

    [Fact]
    public void HeMem_halves_every_count_when_one_exceeds_10()
    {
        var policy = Create("hemem", Machine);
        policy.OnEpoch(Report(Machine, 0, [new P(0x10, 10, 0, 0), new P(0x11, 3, 0, 1)]));
        var hemem = Inner<HeMemPolicy>(policy);
        Assert.Equal(0, hemem.Coolings);
        policy.OnEpoch(Report(Machine, 1, [new P(0x10, 2, 0, 0)], resident: [1, 1]));
        Assert.Equal(1, hemem.Coolings);
        Assert.Equal(6, hemem.Tracker.Pages[0x10].Reads);
        Assert.Equal(1.5, hemem.Tracker.Pages[0x11].Reads);
    }

    [Fact]
    public void HeMem_demotes_the_coldest_fast_page_first_when_the_fast_tier_is_full()
    {
        var tiny = TwoTiers(fastPages: 2);
        var policy = Create("hemem", tiny);
        var migrations = policy.OnEpoch(Report(tiny, 0, [new P(0x20, 2, 0, 0), new P(0x21, 1, 0, 0), new P(0x30, 5, 0, 1)]));
        Assert.Equal([new PageMigration(0x21, 1), new PageMigration(0x30, 0)], migrations);
    }

    [Fact]
    public void HeMem_does_not_demote_hot_pages_to_make_room()
    {
        var tiny = TwoTiers(fastPages: 2);
        var policy = Create("hemem", tiny);
        Assert.Empty(policy.OnEpoch(Report(tiny, 0, [new P(0x20, 5, 0, 0), new P(0x21, 0, 4, 0), new P(0x30, 9, 0, 1)])));
    }

    [Theory]
    [InlineData(new long[] { 10, 10, 0, 0, 60, 0, 0, 50 }, 98, 7)]
    [InlineData(new long[] { 10, 10, 0, 0, 60, 0, 0, 50 }, 110, 4)]
    [InlineData(new long[] { 10, 10, 0, 0, 60, 0, 0, 50 }, 1000, 1)]
    [InlineData(new long[] { 10, 10, 0, 0, 60, 0, 0, 50 }, 20, 7)]
    [InlineData(new long[] { 10, 10, 0, 0, 60, 0, 0, 0 }, 20, 4)]
    [InlineData(new long[] { 10, 0, 0, 0 }, 20, 3)]
    public void Memtis_threshold_is_the_lowest_bin_whose_hot_set_fits(long[] histogram, long limit, int expected) =>
        Assert.Equal(expected, MemtisPolicy.Threshold(histogram, limit));

    [Fact]
    public void Memtis_bins_counts_by_log2()
    {
        var memtis = new MemtisPolicy(new MemtisOptions());
        Assert.Equal([0, 1, 2, 2, 3, 7, 15], new[] { 0.5, 1, 2, 3, 4, 100, 1e9 }.Select(memtis.Bin));
    }

    [Fact]
    public void Memtis_promotes_the_histogram_hot_set_that_fits_the_fast_tier_minus_the_watermark()
    {
        // Fast tier 100 pages, watermark 2% -> the hot set may hold 98 pages.
        // 50 slow pages at 100 accesses (bin 7) fit; with 60 pages at 10 (bin 4) they would not.
        var pages = new List<P>();
        pages.AddRange(Enumerable.Range(0, 50).Select(i => new P(0x1000 + (ulong)i, 100, 0, 1)));
        pages.AddRange(Enumerable.Range(0, 60).Select(i => new P(0x2000 + (ulong)i, 10, 0, 1)));
        pages.AddRange(Enumerable.Range(0, 10).Select(i => new P(0x3000 + (ulong)i, 1, 0, 0)));
        var policy = Create("memtis", Machine);
        var migrations = policy.OnEpoch(Report(Machine, 0, pages));
        var memtis = Inner<MemtisPolicy>(policy);
        Assert.Equal(7, memtis.HotThresholdBin);
        Assert.Equal(50, memtis.Histogram[7]);
        Assert.Equal(Enumerable.Range(0, 50).Select(i => new PageMigration(0x1000 + (ulong)i, 0)), migrations.OrderBy(m => m.PageNumber));
    }

    [Fact]
    public void Memtis_demotes_cold_pages_to_restore_the_watermark()
    {
        // Full fast tier of cold pages (1 access) and hot slow pages: demote to 2 free, then swap per promotion.
        var pages = Enumerable.Range(0, 100).Select(i => new P(0x1000 + (ulong)i, 1, 0, 0))
            .Concat(Enumerable.Range(0, 3).Select(i => new P(0x2000 + (ulong)i, 100, 0, 1))).ToList();
        var policy = Create("memtis", Machine);
        var migrations = policy.OnEpoch(Report(Machine, 0, pages));
        var demoted = migrations.Where(m => m.TargetNode == 1).ToList();
        var promoted = migrations.Where(m => m.TargetNode == 0).ToList();
        Assert.Equal(3, promoted.Count);
        Assert.Equal(5, demoted.Count); // 2 for the watermark, 3 swaps
        Assert.True(migrations.Take(2).All(m => m.TargetNode == 1));
    }

    [Fact]
    public void Tpp_promotes_only_pages_touched_again_within_the_hot_threshold()
    {
        var policy = Create("tpp", Machine);
        Assert.Empty(policy.OnEpoch(Report(Machine, 0, [new P(0x10, 50, 0, 1), new P(0x20, 50, 0, 1)])));
        var migrations = policy.OnEpoch(Report(Machine, 1, [new P(0x10, 1, 0, 1), new P(0x30, 90, 0, 1)], resident: [0, 3]));
        Assert.Equal([new PageMigration(0x10, 0)], migrations);
        // 0x20 comes back two epochs later: beyond one epoch, not promoted.
        Assert.Empty(policy.OnEpoch(Report(Machine, 3, [new P(0x20, 5, 0, 1)], resident: [1, 2])));
    }

    [Fact]
    public void Tpp_hot_threshold_is_an_option()
    {
        var policy = Create("tpp", Machine, ("hot_threshold_epochs", "2"));
        policy.OnEpoch(Report(Machine, 0, [new P(0x20, 5, 0, 1)]));
        Assert.Equal([new PageMigration(0x20, 0)], policy.OnEpoch(Report(Machine, 2, [new P(0x20, 5, 0, 1)])));
    }

    [Fact]
    public void Tpp_demotes_least_recently_touched_pages_to_keep_2_percent_free()
    {
        var policy = Create("tpp", Machine);
        policy.OnEpoch(Report(Machine, 0, Enumerable.Range(0, 100).Select(i => new P(0x1000 + (ulong)i, 1, 0, 0)).ToList()));
        var migrations = policy.OnEpoch(Report(Machine, 1,
            Enumerable.Range(2, 98).Select(i => new P(0x1000 + (ulong)i, 1, 0, 0)).ToList(), resident: [100, 0]));
        Assert.Equal([new PageMigration(0x1000, 1), new PageMigration(0x1001, 1)], migrations);
    }

    [Fact]
    public void Colloid_moves_the_hottest_slow_page_toward_the_lower_latency_tier()
    {
        var policy = Create("colloid", Machine);
        var migrations = policy.OnEpoch(Report(Machine, 0,
            [new P(0x10, 50, 0, 1), new P(0x11, 5, 0, 1), new P(0x20, 2, 0, 0)], latencyNs: [100, 300]));
        Assert.Equal([new PageMigration(0x10, 0)], migrations);
        var colloid = Inner<ColloidPolicy>(policy);
        Assert.Equal(100, colloid.FastLatencyNs);
        Assert.Equal(300, colloid.OtherLatencyNs);
    }

    [Fact]
    public void Colloid_moves_hot_pages_off_a_congested_fast_tier()
    {
        var policy = Create("colloid", Machine);
        var migrations = policy.OnEpoch(Report(Machine, 0,
            [new P(0x20, 50, 0, 0), new P(0x21, 5, 0, 0), new P(0x10, 1, 0, 1)], latencyNs: [400, 300]));
        Assert.Equal([new PageMigration(0x20, 1)], migrations);
    }

    [Fact]
    public void Colloid_moves_more_when_the_gap_is_larger()
    {
        var pages = Enumerable.Range(0, 40).Select(i => new P(0x10 + (ulong)i, 10, 0, 1)).ToList();
        var small = Create("colloid", Machine).OnEpoch(Report(Machine, 0, pages, latencyNs: [100, 120]));
        var large = Create("colloid", Machine).OnEpoch(Report(Machine, 0, pages, latencyNs: [100, 400]));
        Assert.NotEmpty(small);
        Assert.True(large.Count > small.Count, $"{large.Count} vs {small.Count}");
    }

    [Fact]
    public void Colloid_does_nothing_within_5_percent()
    {
        var policy = Create("colloid", Machine);
        Assert.Empty(policy.OnEpoch(Report(Machine, 0, [new P(0x10, 50, 0, 1), new P(0x20, 5, 0, 0)], latencyNs: [100, 104])));
    }

    [Fact]
    public void Colloid_models_loaded_latency_when_none_is_measured()
    {
        var colloid = new ColloidPolicy(new ColloidOptions());
        colloid.Initialize(Machine);
        // Node 0: 19.2 GB/s; half of it used over 1 ms doubles the 80 ns latency.
        var bytes = (ulong)(19.2e9 * 1e-3 / 2);
        Assert.Equal(160, colloid.LoadedLatencyNs(new NodeStats(0, 1, 0, bytes, 0, 0, 0, 0), 1e-3), 6);
        Assert.Equal(80, colloid.LoadedLatencyNs(new NodeStats(0, 0, 0, 0, 0, 0, 0, 0), 1e-3), 6);
        Assert.Equal(123, colloid.LoadedLatencyNs(new NodeStats(0, 5, 0, bytes, 0, 123, 0, 0), 1e-3), 6);
    }

    [Fact]
    public void A_rejected_migration_is_undone_in_the_tracker()
    {
        var tracker = new PageTracker();
        var report = Report(Machine, 0, [new P(0x10, 5, 0, 1)]);
        tracker.Observe(report);
        var plan = new MigrationPlan(report, Machine);
        Assert.True(plan.TryMove(tracker.Pages[0x10], 0, null));
        tracker.Commit(plan);
        Assert.Equal(0, tracker.Pages[0x10].Node);
        tracker.Observe(Report(Machine, 1, [], resident: [0, 1], rejected: [new Rejection(0, "node 0 is full")]));
        Assert.Equal(1, tracker.Pages[0x10].Node);
        Assert.Equal(1UL, tracker.Rejected);
    }

    [Fact]
    public void A_plan_never_fills_a_node_beyond_its_free_pages()
    {
        var tiny = TwoTiers(fastPages: 2);
        var tracker = new PageTracker();
        var report = Report(tiny, 0, [new P(1, 1, 0, 0), new P(2, 1, 0, 1), new P(3, 1, 0, 1)], resident: [1, 2]);
        tracker.Observe(report);
        var plan = new MigrationPlan(report, tiny);
        Assert.True(plan.TryMove(tracker.Pages[2], 0, null));
        Assert.False(plan.TryMove(tracker.Pages[3], 0, null));
        Assert.True(plan.TryMove(tracker.Pages[1], 1, null));
        Assert.True(plan.TryMove(tracker.Pages[3], 0, null));
        Assert.False(plan.TryMove(tracker.Pages[1], 0, null)); // a page moves once per plan
        Assert.Equal(0, plan.Free(0));
    }

    [Fact]
    public void The_budget_allows_the_rate_times_simulated_time()
    {
        var budget = new MigrationBudget(4096, 4096);
        budget.Refill(0.5);
        Assert.False(budget.TryTake());
        budget.Refill(0.5);
        Assert.True(budget.TryTake());
        Assert.False(budget.TryTake());
        budget.Refill(10); // at most one epoch's allowance accumulates
        Assert.Equal(10, budget.AvailablePages);
        var unlimited = new MigrationBudget(0, 4096);
        Assert.True(Enumerable.Range(0, 1000).All(_ => unlimited.TryTake()));
    }
}
