using DeepMem.Bridge;
using DeepMem.Core;
using DeepMem.Estimator;
using DeepMem.Experiments;
using DeepMem.Tests.Estimator;

namespace DeepMem.Tests.Experiments;

/// <summary>
/// <c>epoch:</c> in instructions or in simulated time: parsing, printing,
/// the gem5 command line and result key, and where the estimator ends
/// time epochs (on its estimated, placement-dependent timeline).
/// </summary>
public class EpochTimeTests
{
    private const string Base = """
        name: demo
        memory:
          nodes:
            - { name: dram, preset: ddr4, capacity: 64MiB }
            - { name: nvm, preset: nvm, capacity: 256MiB }
        workload:
          binary: bin/stream
        epoch: EPOCH
        backend: gem5
        """;

    private static LoadResult Load(string epoch) => ExperimentLoader.LoadText(Base.Replace("EPOCH", epoch), "/tmp/exp/epoch.yaml");

    private static Experiment One(string epoch)
    {
        var r = Load(epoch);
        Assert.True(r.Ok, string.Join("\n", r.Problems));
        return Assert.Single(r.Experiments);
    }

    [Theory]
    [InlineData("1ms", 1_000_000_000UL)]
    [InlineData("250us", 250_000_000UL)]
    [InlineData("250µs", 250_000_000UL)]
    [InlineData("2.5ms", 2_500_000_000UL)]
    [InlineData("1s", 1_000_000_000_000UL)]
    [InlineData("800ns", 800_000UL)]
    public void A_time_epoch_is_read_in_ticks_of_a_picosecond(string text, ulong ticks)
    {
        var epoch = One(text).Spec.Epoch;
        Assert.True(epoch.IsTime);
        Assert.Equal(ticks, epoch.Ticks);
        Assert.Equal(0UL, epoch.Instructions);
    }

    [Theory]
    [InlineData("100k", 100_000UL)]
    [InlineData("1M", 1_000_000UL)]
    [InlineData("123457", 123_457UL)]
    public void An_instruction_epoch_is_read_as_before(string text, ulong instructions)
    {
        var spec = One(text).Spec;
        Assert.False(spec.Epoch.IsTime);
        Assert.Equal(instructions, spec.EpochInstructions);
        Assert.Equal(0UL, spec.Epoch.Ticks);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("0ms")]
    [InlineData("0.5ns")]
    [InlineData("500ps")]
    [InlineData("2min")]
    [InlineData("1m")]
    [InlineData("soon")]
    [InlineData("-1ms")]
    public void A_bad_epoch_is_an_error_at_its_line_and_column_that_names_both_kinds(string text)
    {
        var p = Assert.Single(Load(text).Problems, x => x.Severity == Severity.Error);
        Assert.Equal("epoch", p.Key);
        Assert.Equal((8, 8), (p.Line, p.Column));
        Assert.Contains("epoch.yaml:8:8", p.ToString());
        Assert.Contains("instructions per epoch", p.Message);
        Assert.Contains("units ns, us, ms, s", p.Message);
    }

    [Theory]
    [InlineData("1ms", "1ms")]
    [InlineData("250us", "250us")]
    [InlineData("2.5ms", "2.5ms")]
    [InlineData("1500us", "1.5ms")]
    [InlineData("100k", "100000 instructions")]
    public void Validate_prints_the_epoch_in_its_unit(string text, string printed)
    {
        var w = new StringWriter();
        ExperimentPrinter.Print([One(text)], w);
        Assert.Contains($"\nepoch: {printed}\n", w.ToString().ReplaceLineEndings("\n"));
    }

    private static Gem5Options Options => new() { ConfigScript = "configs/gem5/deepmem_se.py", PythonPath = "py" };

    [Fact]
    public void The_gem5_command_line_gives_a_time_epoch_in_ticks_instead_of_instructions()
    {
        var time = Gem5CommandLine.ForRun(Options, One("250us").Spec).ToArguments().ToList();
        Assert.DoesNotContain("--epoch-insts", time);
        Assert.Equal("250000000", time[time.IndexOf("--epoch-ticks") + 1]);
        var insts = Gem5CommandLine.ForRun(Options, One("100k").Spec).ToArguments().ToList();
        Assert.DoesNotContain("--epoch-ticks", insts);
        Assert.Equal("100000", insts[insts.IndexOf("--epoch-insts") + 1]);
    }

    private static readonly string[] KeyEpochs = ["1M", "1ms", "2ms", "1000us"];

    [Fact]
    public void The_result_key_tells_time_epochs_apart_from_instruction_epochs_and_from_each_other()
    {
        var keys = KeyEpochs.Select(e => ResultKey.Of(One(e)).Value).ToList();
        Assert.Equal(3, keys.Distinct().Count());
        Assert.Equal(keys[1], keys[3]);
    }

    // Ten windows of 1000 instructions; one page touched in each. dram takes
    // 100 us a window, nvm 300 us (one tick = one microsecond in these traces).
    private static TraceSet TenWindows() => TestTraces.Set(
        [Enumerable.Repeat(100UL, 10).ToArray(), Enumerable.Repeat(300UL, 10).ToArray()],
        Enumerable.Range(0, 10).Select(_ => new TestTraces.Access[] { new(0x100, 10, 0) }).ToArray(),
        [TestTraces.Region(1, 0x100, 1)]);

    private static SimulationSpec Spec(EpochLength epoch) => new()
    {
        Name = "time-epochs",
        Nodes =
        [
            new NodeSpec("dram", "ddr4", DeviceKind.Dram, 1024 * TestTraces.PageSize, 50, 50, 4.096, 0),
            new NodeSpec("nvm", "nvm", DeviceKind.Nvm, 1024 * TestTraces.PageSize, 300, 900, 8, 0),
        ],
        Cpu = new CpuSpec("o3", 3e9, 32768, 32768, 1 << 20),
        Workload = new WorkloadSpec("/bin/kernel", ["10"], "/tmp"),
        Epoch = epoch,
        Migration = new MigrationCostSpec(1000),
        OutputDir = "/tmp/out",
    };

    private static async Task<List<EpochReport>> Epochs(EpochLength epoch, int node)
    {
        var policy = new ScriptedPolicy((_, _) => RegionPlacement.Bind(node));
        var run = await new EstimatorSimulator(TenWindows()).RunDetailedAsync(Spec(epoch), policy, null, CancellationToken.None)
            .WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(RunStatus.Succeeded, run.Result.Status);
        Assert.Equal((ulong)policy.Reports.Count, run.Result.Epochs);
        return policy.Reports;
    }

    [Fact]
    public async Task A_time_epoch_ends_at_the_first_window_boundary_at_or_after_each_multiple_on_the_estimated_timeline()
    {
        // All on dram: 100 us windows; multiples of 250 us are first reached
        // at 300, 500 and 800 us (the last window ends no epoch).
        var fast = await Epochs(EpochLength.OfTime(250_000), 0);
        Assert.Equal([300UL, 500UL, 800UL], fast.Select(r => r.EndTick));
        Assert.Equal([0UL, 300UL, 500UL], fast.Select(r => r.StartTick));
        Assert.Equal([3000UL, 2000UL, 3000UL], fast.Select(r => r.EpochInstructions));
        Assert.Equal([3000UL, 5000UL, 8000UL], fast.Select(r => r.TotalInstructions));

        // The same traces and epoch, all on nvm: 300 us windows, so the
        // placement's slower timeline has more epochs: one per multiple of
        // 250 us up to 2700 us (ten). Window 4 (1200 to 1500 us) crosses two,
        // 1250 and 1500, and is replayed in two parts, an epoch after each.
        var slow = await Epochs(EpochLength.OfTime(250_000), 1);
        Assert.Equal([300UL, 600, 900, 1200, 1350, 1500, 1800, 2100, 2400, 2700], slow.Select(r => r.EndTick));
        Assert.Equal([1000UL, 1000, 1000, 1000, 500, 500, 1000, 1000, 1000, 1000], slow.Select(r => r.EpochInstructions));
    }

    [Fact]
    public async Task A_window_that_lasts_several_epochs_is_replayed_in_parts_one_epoch_each_and_instruction_epochs_are_unchanged()
    {
        // All on nvm: 300 us windows and 100 us epochs, so each window but the last is
        // replayed in three parts of 100 us, and an epoch ends after each: 27 epochs.
        var slow = await Epochs(EpochLength.OfTime(100_000), 1);
        Assert.Equal(27, slow.Count);
        Assert.Equal(Enumerable.Range(1, 27).Select(i => 100UL * (ulong)i), slow.Select(r => r.EndTick));
        // The parts share the window's 1000 instructions and the page's 10 reads by cumulative
        // rounding (3, 4, 3), so both add up to the window's.
        Assert.Equal([333UL, 334UL, 333UL], slow.Take(3).Select(r => r.EpochInstructions));
        Assert.Equal([3U, 4U, 3U], slow.Take(3).Select(r => r.Pages.Reads.Single()));
        Assert.Equal(9000UL, slow[^1].TotalInstructions);

        // 120 us epochs: a 300 us window crosses two or three epoch ends, and
        // is replayed in as many parts, so an epoch ends at every multiple of
        // 120 us the first nine windows reach (22 by 2700 us); parts by the
        // window's time over the epoch (two each) would end 18.
        var crossed = await Epochs(EpochLength.OfTime(120_000), 1);
        Assert.Equal(22, crossed.Count);
        Assert.All(crossed.Select((r, i) => (r, i)), x => Assert.InRange(x.r.EndTick, 120UL * (ulong)(x.i + 1), 120UL * (ulong)(x.i + 1) + 100));

        // All on dram: 100 us windows, one part each, one epoch per window boundary.
        Assert.Equal(9, (await Epochs(EpochLength.OfTime(100_000), 0)).Count);

        // Instruction epochs ignore the timeline: every 3000 instructions on either node.
        for (var node = 0; node < 2; node++)
        {
            var insts = await Epochs(EpochLength.OfInstructions(3000), node);
            Assert.Equal([3000UL, 6000UL, 9000UL], insts.Select(r => r.TotalInstructions));
        }
    }

    [Fact]
    public async Task A_window_replayed_in_parts_first_touches_its_new_pages_across_the_parts_so_fast_memory_freed_at_an_epoch_end_is_taken_again()
    {
        // Window 0 (300 us on either node, so three parts of 100 us) first
        // touches three pages of one region, 10 reads each; dram holds one
        // page. The policy demotes whatever is on dram at every epoch end,
        // as TPP does while the fast tier has no free page. The pages are
        // first touched one per part, so each takes the frame the previous
        // epoch freed: three demotions. Placing all three at the window's
        // start would put only the first on dram: one demotion.
        var set = TestTraces.Set(
            [[300, 300], [300, 300]],
            [[new(0x100, 10, 0), new(0x101, 10, 0), new(0x102, 10, 0)], [new(0x100, 1, 0), new(0x101, 1, 0), new(0x102, 1, 0)]],
            [TestTraces.Region(1, 0x100, 3)]);
        var policy = new ScriptedPolicy(migrate: r => Enumerable.Range(0, r.Pages.Count)
            .Where(i => r.Pages.Nodes[i] == 0).Select(i => new PageMigration(r.Pages.PageNumbers[i], 1)).ToList());
        var timed = Spec(EpochLength.OfTime(100_000));
        var spec = timed with { Nodes = [timed.Nodes[0] with { CapacityBytes = TestTraces.PageSize }, timed.Nodes[1]] };
        var run = await new EstimatorSimulator(set).RunDetailedAsync(spec, policy, null, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(RunStatus.Succeeded, run.Result.Status);
        Assert.Equal(3UL, run.Result.MigratedPages);
        Assert.Equal(3, policy.Reports.Count);
        // A page's accesses fall in the parts from its first touch on: the
        // first page's 10 reads over three parts (3, 4, 3), the second's over
        // two (5, 5), the third's in the last part.
        Assert.Equal([0x100UL], policy.Reports[0].Pages.PageNumbers);
        Assert.Equal([3U], policy.Reports[0].Pages.Reads);
        Assert.Equal([0x100UL, 0x101UL], policy.Reports[1].Pages.PageNumbers);
        Assert.Equal([4U, 5U], policy.Reports[1].Pages.Reads);
        Assert.Equal([1, 0], policy.Reports[1].Pages.Nodes);
        Assert.Equal([3U, 5U, 10U], policy.Reports[2].Pages.Reads);
        Assert.Equal([1, 1, 0], policy.Reports[2].Pages.Nodes);
        // Both nodes take 300 us a window, so the time is theirs and the three migrations' (one core).
        Assert.True(run.Result.MigrationSeconds > 0);
        Assert.Equal(600 + run.Result.MigrationSeconds * 1e6, run.Result.Ticks, 6);
    }
}
