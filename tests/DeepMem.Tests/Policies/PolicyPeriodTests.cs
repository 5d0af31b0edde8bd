using DeepMem.Cli;
using DeepMem.Cli.Commands;
using DeepMem.Core;
using DeepMem.Core.Tiering;
using DeepMem.Experiments;
using DeepMem.Policies;
using DeepMem.Policies.BuiltIn;
using static DeepMem.Tests.Policies.PolicyTestKit;

namespace DeepMem.Tests.Policies;

/// <summary>
/// Tiering policies act on periods of simulated time: on the epochs whose
/// accumulated time crosses a multiple of the period, whatever the epoch
/// length; time_scale divides the periods, 0 makes them one epoch;
/// policy_time_scale sets it experiment-wide; deepmem policies shows them.
/// </summary>
public class PolicyPeriodTests
{
    // Crafted reports: one tick = 1 ns (PolicyTestKit.TicksPerSecond).
    private static readonly Topology Machine = TwoTiers(fastPages: 100, slowPages: 1000);

    [Fact]
    public void A_period_timer_is_due_on_the_epochs_that_cross_a_multiple_and_counts_every_multiple_crossed()
    {
        var t = new PeriodTimer(10);
        Assert.Equal([0, 0, 1, 0, 1, 0, 0], new ulong[] { 4, 4, 4, 4, 4, 1, 1 }.Select(t.Advance));
        Assert.Equal(2, t.Advance(25)); // 22 -> 47 crosses 30 and 40
        var every = new PeriodTimer(0);
        Assert.Equal([1, 1, 1], new ulong[] { 1, 1000, 0 }.Select(every.Advance));
        Assert.Equal(0UL, PeriodTimer.Scaled(10e6, 0, 1_000_000_000).PeriodTicks);
        Assert.Equal(100_000UL, PeriodTimer.Scaled(10e6, 100, 1_000_000_000).PeriodTicks);
        Assert.Equal(10_000_000_000UL, PeriodTimer.Scaled(10e6, 1, 1_000_000_000_000).PeriodTicks);
    }

    /// <summary>HeMem fed a page that is always over the cooling threshold, with epochs of <paramref name="epochNs"/>, for 100 ms.</summary>
    private static HeMemPolicy HeMemOver100ms(ulong epochNs, params (string, string)[] options)
    {
        var policy = Inner<HeMemPolicy>(Create("hemem", Machine, options));
        var epochs = 100_000_000UL / epochNs;
        for (ulong e = 0; e < epochs; e++)
        {
            policy.OnEpoch(Report(Machine, e, [new P(0x10, 1000, 0, 0)], ticks: epochNs));
        }

        return policy;
    }

    [Theory]
    [InlineData(250_000UL)]
    [InlineData(1_000_000UL)]
    [InlineData(2_500_000UL)]
    [InlineData(10_000_000UL)]
    public void HeMem_cools_once_per_period_whatever_the_epoch_length(ulong epochNs)
    {
        // 100 ms of simulated time, period 10 ms: 10 policy-thread runs and 10 coolings.
        var policy = HeMemOver100ms(epochNs);
        Assert.Equal(10, policy.Runs);
        Assert.Equal(10, policy.Coolings);
    }

    [Fact]
    public void An_epoch_longer_than_the_period_cools_once_per_period_crossed()
    {
        // 25 ms epochs: 4 epochs in 100 ms crossing 2, 3, 2, 3 multiples of 10 ms.
        var policy = HeMemOver100ms(25_000_000);
        Assert.Equal(4, policy.Runs);
        Assert.Equal(10, policy.Coolings);
    }

    [Fact]
    public void Time_scale_divides_the_period_and_zero_makes_it_one_epoch()
    {
        Assert.Equal(100, HeMemOver100ms(1_000_000, ("time_scale", "10")).Coolings);
        Assert.Equal(20, HeMemOver100ms(1_000_000, ("period", "5ms")).Coolings);
        var perEpoch = HeMemOver100ms(2_500_000, ("time_scale", "0"));
        Assert.Equal(40, perEpoch.Runs);
        Assert.Equal(40, perEpoch.Coolings);
    }

    [Fact]
    public void HeMem_promotes_only_on_the_epochs_that_end_a_period_and_counts_between_them_add_up()
    {
        var policy = Create("hemem", Machine);
        // 1 ms epochs: a slow page read once per epoch reaches the hot threshold (4) long before the 10th epoch.
        for (ulong e = 0; e < 9; e++)
        {
            Assert.Empty(policy.OnEpoch(Report(Machine, e, [new P(0x20, 1, 0, 1)])));
        }

        var moves = policy.OnEpoch(Report(Machine, 9, [new P(0x20, 1, 0, 1)]));
        Assert.Equal([new PageMigration(0x20, 0)], moves);
    }

    [Fact]
    public void The_budget_of_a_periodic_policy_holds_one_periods_allowance()
    {
        // 500 kB/s is 500 B per 1 ms epoch, under one 4 KiB page; over the 10 ms period 5000 B, one page at once.
        var policy = Create("hemem", Machine, ("migration_rate", "500000B/s"));
        var hot = Enumerable.Range(0, 5).Select(i => new P(0x100 + (ulong)i, 10, 0, 1)).ToList();
        IReadOnlyList<PageMigration> moves = [];
        for (ulong e = 0; e < 10; e++)
        {
            moves = policy.OnEpoch(Report(Machine, e, hot));
        }

        Assert.Single(moves);
        var perEpoch = Create("hemem", Machine, ("migration_rate", "500000B/s"), ("time_scale", "0"));
        Assert.Empty(perEpoch.OnEpoch(Report(Machine, 0, hot)));
    }

    [Fact]
    public void Tpp_promotes_at_each_scan_the_pages_retouched_within_the_hot_threshold_since_the_last_scan()
    {
        // scan_period 5 ms, hot_threshold 2 ms, 1 ms epochs. Page A is touched in
        // epochs 0 and 2 (1 ms untouched); page B in epochs 0 and 4 (3 ms untouched).
        var policy = Create("tpp", Machine, ("scan_period", "5ms"), ("hot_threshold", "2ms"));
        var tpp = Inner<TppPolicy>(policy);
        List<P>[] touched = [[new(0xA, 1, 0, 1), new(0xB, 1, 0, 1)], [], [new(0xA, 1, 0, 1)], [], [new(0xB, 1, 0, 1)]];
        var moves = touched.Select((pages, e) => policy.OnEpoch(Report(Machine, (ulong)e, pages))).ToList();
        Assert.All(moves.Take(4), Assert.Empty);
        // The scan at 5 ms promotes A, though it was touched two epochs before the scan; B waited too long.
        Assert.Equal([new PageMigration(0xA, 0)], moves[4]);
        Assert.Equal(1, tpp.Scans);

        // Untouched since that scan: nothing at the next one.
        for (ulong e = 5; e < 10; e++)
        {
            Assert.Empty(policy.OnEpoch(Report(Machine, e, [])));
        }

        Assert.Equal(2, tpp.Scans);
    }

    [Fact]
    public void Tpp_with_time_scale_zero_keeps_its_window_in_epochs()
    {
        var policy = Create("tpp", Machine, ("time_scale", "0"), ("hot_threshold_epochs", "2"));
        Assert.Empty(policy.OnEpoch(Report(Machine, 0, [new P(0xC, 1, 0, 1)])));
        Assert.Empty(policy.OnEpoch(Report(Machine, 1, [])));
        Assert.Equal([new PageMigration(0xC, 0)], policy.OnEpoch(Report(Machine, 2, [new P(0xC, 1, 0, 1)])));
    }

    [Fact]
    public void Memtis_and_colloid_decide_once_per_period()
    {
        var memtis = Create("memtis", Machine, ("period", "4ms"));
        var colloid = Create("colloid", Machine, ("period", "4ms"));
        for (ulong e = 0; e < 12; e++)
        {
            var pages = new List<P> { new(0x30, 50, 0, 1) };
            var m = memtis.OnEpoch(Report(Machine, e, pages));
            var c = colloid.OnEpoch(Report(Machine, e, pages, latencyNs: [100, 400]));
            Assert.True(e % 4 == 3 || (m.Count == 0 && c.Count == 0), $"epoch {e}: a move off the period");
        }

        Assert.Equal(3, Inner<MemtisPolicy>(memtis).Runs);
        Assert.Equal(3, Inner<ColloidPolicy>(colloid).Runs);
    }

    private const string Experiment = """
        name: periods
        memory:
          nodes:
            - { name: dram, preset: ddr4, capacity: 1MiB }
            - { name: nvm, preset: nvm, capacity: 64MiB }
        workload:
          binary: bin/cg
        policy:
          name: POLICY
        SCALE
        backend: estimator
        """;

    private static LoadResult Load(string policy, string scale) =>
        ExperimentLoader.LoadText(Experiment.Replace("POLICY", policy).Replace("SCALE", scale), "/tmp/exp/periods.yaml");

    [Fact]
    public void Policy_time_scale_sets_every_policys_time_scale_unless_it_sets_its_own()
    {
        var e = Assert.Single(Load("hemem", "policy_time_scale: 100").Experiments);
        Assert.Equal("hemem", e.Policy.DisplayName);
        Assert.Equal("100", e.Policy.TimeScale);
        var hemem = Inner<HeMemPolicy>(PolicyFactory.Create(e.Policy));
        Assert.Equal(100, hemem.Options.TimeScale);

        var own = Assert.Single(Load("hemem\n  options: { time_scale: 5 }", "policy_time_scale: 100").Experiments);
        Assert.Equal(5, Inner<HeMemPolicy>(PolicyFactory.Create(own.Policy)).Options.TimeScale);

        // A policy without periods takes no time_scale; the experiment-wide one does not bother it.
        var firstTouch = Assert.Single(Load("first-touch", "policy_time_scale: 100").Experiments);
        Assert.NotNull(PolicyFactory.Create(firstTouch.Policy));
    }

    [Theory]
    [InlineData("-1")]
    [InlineData("fast")]
    [InlineData(".nan")]
    public void A_bad_policy_time_scale_is_an_error_at_its_line_and_column(string value)
    {
        var p = Assert.Single(Load("hemem", "policy_time_scale: " + value).Problems, x => x.Severity == Severity.Error);
        Assert.Equal("policy_time_scale", p.Key);
        Assert.Equal((10, 20), (p.Line, p.Column));
        Assert.Contains("number >= 0", p.Message);
    }

    [Fact]
    public void The_result_key_of_a_tiering_policy_follows_its_effective_time_scale_and_others_ignore_it()
    {
        string Key(string policy, string scale) => ResultKey.Of(Assert.Single(Load(policy, scale).Experiments)).Value;
        Assert.Equal(Key("hemem", ""), Key("hemem", "policy_time_scale: 1"));
        Assert.NotEqual(Key("hemem", ""), Key("hemem", "policy_time_scale: 0"));
        Assert.NotEqual(Key("hemem", "policy_time_scale: 100"), Key("hemem", "policy_time_scale: 0"));
        Assert.Equal(Key("first-touch", ""), Key("first-touch", "policy_time_scale: 100"));
    }

    [Fact]
    public void Deepmem_policies_shows_each_periods_published_default_and_its_value_under_the_scale()
    {
        var published = new StringWriter();
        Assert.Equal(ExitCodes.Ok, PoliciesCommand.Execute(published));
        var text = published.ToString();
        Assert.Contains("period = 10ms ", text);
        Assert.Contains("period: published 10ms, effective 10ms at time_scale 1", text);
        Assert.Contains("period: published 500ms, effective 500ms at time_scale 1", text);
        Assert.Contains("scan_period = 1s ", text);
        Assert.Contains("hot_threshold = 1s ", text);

        var scaled = new StringWriter();
        Assert.Equal(ExitCodes.Ok, PoliciesCommand.Execute(scaled, 100, TextWriter.Null));
        var s = scaled.ToString();
        Assert.Contains("period: published 10ms, effective 100us at time_scale 100", s);
        Assert.Contains("period: published 500ms, effective 5ms at time_scale 100", s);
        Assert.Contains("period: published 1s, effective 10ms at time_scale 100", s);

        var epoch = new StringWriter();
        Assert.Equal(ExitCodes.Ok, PoliciesCommand.Execute(epoch, 0, TextWriter.Null));
        Assert.Contains("period: published 10ms, effective one epoch at time_scale 0", epoch.ToString());

        var err = new StringWriter();
        Assert.Equal(ExitCodes.BadInput, PoliciesCommand.Execute(new StringWriter(), -1, err));
        Assert.Contains("--time-scale", err.ToString());
    }

    [Fact]
    public void Every_period_option_is_in_nanoseconds_and_every_tiering_policy_has_a_time_scale()
    {
        foreach (var d in DefaultPolicies.All.Where(d => d.OptionsType is not null && d.OptionsType.IsAssignableTo(typeof(TieringOptions))))
        {
            var options = OptionsBinder.Describe(d.OptionsType!);
            Assert.Contains(options, o => o.Key == "time_scale");
            var periods = options.Where(o => o.Property.GetCustomAttributes(typeof(PolicyOptionAttribute), false)
                .OfType<PolicyOptionAttribute>().Any(a => a.Period)).ToList();
            Assert.All(periods, o => Assert.Equal(OptionUnit.Nanoseconds, o.Unit));
            if (d.Name is "hemem" or "memtis" or "tpp" or "colloid")
            {
                Assert.NotEmpty(periods);
            }
        }
    }
}
