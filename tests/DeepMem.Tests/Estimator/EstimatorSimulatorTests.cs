using DeepMem.Core;
using DeepMem.Estimator;
using Xunit;

namespace DeepMem.Tests.Estimator;

public class EstimatorSimulatorTests
{
    private const double Eps = 1e-9;
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    private static SimulationSpec Spec(ulong epochInstructions = 0, ulong node0Pages = 1024, ulong node1Pages = 1024, double perPageNs = 1000, string[]? names = null) => new()
    {
        Name = "test",
        Nodes =
        [
            new NodeSpec(names?[0] ?? "dram", "ddr4", DeviceKind.Dram, node0Pages * TestTraces.PageSize, 50, 50, 4.096, 0),
            new NodeSpec(names?[1] ?? "nvm", "nvm", DeviceKind.Nvm, node1Pages * TestTraces.PageSize, 300, 900, 8, 0),
        ],
        Cpu = new CpuSpec("o3", 3e9, 32768, 32768, 1 << 20),
        Workload = new WorkloadSpec("/bin/kernel", ["10"], "/tmp"),
        EpochInstructions = epochInstructions,
        Migration = new MigrationCostSpec(perPageNs),
        OutputDir = "/tmp/out",
    };

    /// <summary>TwoByTwo plus a third window: dram 50, nvm 250; A 1 read on 0x100, B 1 read.</summary>
    private static TraceSet ThreeWindows() => TestTraces.Set(
        [[100, 200, 50], [300, 600, 250]],
        [
            [new(0x100, 3, 0), new(0x200, 1, 0)],
            [new(0x101, 0, 1), new(0x200, 1, 0)],
            [new(0x100, 1, 0), new(0x200, 1, 0)],
        ],
        [TestTraces.Region(1, 0x100, 2), TestTraces.Region(2, 0x200, 1)]);

    // The run gets ct and ends as Cancelled; the wait only bounds it, so it does not take ct.
    private static async Task<EstimatorRun> Run(TraceSet set, SimulationSpec spec, IPlacementPolicy policy, IProgress<RunProgress>? progress = null, CancellationToken ct = default) =>
        await new EstimatorSimulator(set).RunDetailedAsync(spec, policy, progress, ct).WaitAsync(Timeout, CancellationToken.None);

    private static Func<Region, int, RegionPlacement> Nodes(params int[] nodes) => (_, i) => RegionPlacement.Bind(nodes[i]);

    [Fact]
    public async Task A_static_replay_gives_the_hand_computed_time()
    {
        var policy = new ScriptedPolicy(Nodes(0, 1));
        var run = await Run(TestTraces.TwoByTwo(), Spec(), policy);
        var r = run.Result;
        Assert.Equal(RunStatus.Succeeded, r.Status);
        Assert.Equal("estimator", r.Backend);
        Assert.Equal(550e-6, r.SimulatedSeconds, 12);
        Assert.Equal([150.0, 400.0], run.WindowMicroseconds.Select(x => Math.Round(x, 9)));
        Assert.Equal(550UL, r.Ticks); // 1e6 ticks per second in the test traces: 1 tick = 1 us
        Assert.Equal(2000UL, r.Instructions);
        Assert.Equal(0UL, r.Epochs);
        Assert.Equal(2, policy.Regions.Count);
        Assert.Equal(0x100UL * TestTraces.PageSize, policy.Regions[0].Start);
        // Node totals: node 0 got A's 3 reads + 1 write, node 1 B's 2 reads.
        Assert.Equal(3UL, r.Nodes[0].Reads);
        Assert.Equal(1UL, r.Nodes[0].Writes);
        Assert.Equal(2UL, r.Nodes[1].Reads);
        Assert.Equal(2UL, r.Nodes[0].ResidentPages);
        Assert.Equal(1UL, r.Nodes[1].ResidentPages);
        Assert.Equal(1022UL, r.Nodes[0].FreePages);
        Assert.Equal(3UL * 64, r.Nodes[0].BytesRead);
    }

    [Fact]
    public async Task Epochs_report_each_nodes_loaded_read_latency_from_the_memory_counters()
    {
        // 100 reads per trace window on its own node; mean latency (1 tick =
        // 1 us): dram 20 ns in w0, 30 in w1; nvm 200 ns in w0, 100 in w1.
        // Unloaded latency = the lowest window: dram 20, nvm 100.
        ulong[][] latencyTicks = [[2, 3], [20, 10]];
        var set = TestTraces.TwoByTwo();
        set = TraceSet.Create(set.Traces.Select((t, d) => t with
        {
            Windows = t.Windows.Select(w => new TraceWindow(w.Index, w.Ticks, w.Instructions, w.Pages, w.Reads, w.Writes, w.Nodes)
            {
                Memory = [.. Enumerable.Range(0, 2).Select(n => n == d ? new MemoryCounters(100, 0, latencyTicks[d][w.Index], 0) : new MemoryCounters(0, 0, 0, 0))],
            }).ToList(),
        }).ToList());
        var policy = new ScriptedPolicy(Nodes(0, 1));
        var run = await Run(set, Spec(epochInstructions: 1000), policy);
        Assert.Equal(RunStatus.Succeeded, run.Result.Status);

        // w0: A's 3 reads on dram, B's 1 on nvm (a quarter of the reads):
        // nvm at 100 + (200 - 100) * 1/4 = 125 ns, dram at its 20 ns.
        var e0 = policy.Reports[0];
        Assert.Equal([1000L], e0.CoreInstructions); // one core: its count is the epoch's
        Assert.Equal(20, e0.Nodes[0].AvgReadLatencyNs, 9);
        Assert.Equal(125, e0.Nodes[1].AvgReadLatencyNs, 9);

        // w1: B's read is all of the window's reads: nvm at its trace's 100 ns.
        // Run totals, read-weighted: dram 20, nvm (125 + 100) / 2.
        Assert.Equal(20, run.Result.Nodes[0].AvgReadLatencyNs, 9);
        Assert.Equal(112.5, run.Result.Nodes[1].AvgReadLatencyNs, 9);

        // Without counters the estimator reports no latency (0), as before.
        var plain = await Run(TestTraces.TwoByTwo(), Spec(epochInstructions: 1000), new ScriptedPolicy(Nodes(0, 1)));
        Assert.Equal(0, plain.Result.Nodes[1].AvgReadLatencyNs);
    }

    [Fact]
    public async Task A_moved_page_refetches_the_lines_the_cpu_touches_beyond_its_memory_accesses()
    {
        // Page 0x100 lives in the caches after window 0 (10 lines, no memory
        // accesses later); page 0x200 streams 64 lines from memory every window.
        // Both move to nvm at the end of window 0.
        TestTraces.Access[] first = [new(0x100, 10, 0), new(0x200, 64, 0)], later = [new(0x200, 64, 0)];
        var plain = TestTraces.Set([[100, 100, 100], [300, 300, 300]], [first, later, later], [TestTraces.Region(1, 0x100, 1), TestTraces.Region(2, 0x200, 1)]);
        var touched = TraceSet.Create(plain.Traces.Select(t => t with
        {
            Windows = t.Windows.Select(w => new TraceWindow(w.Index, w.Ticks, w.Instructions, w.Pages, w.Reads, w.Writes, w.Nodes)
            {
                Touches = new CpuTouches([0x100, 0x200], [10, 64]),
            }).ToList(),
        }).ToList());
        ScriptedPolicy Policy() => new(Nodes(0, 0), r => r.Epoch == 0 ? [new(0x100, 1), new(0x200, 1)] : []);

        var policy = Policy();
        var refill = new EstimatorOptions { Refill = true };
        var run = await new EstimatorSimulator(touched, refill).RunDetailedAsync(Spec(epochInstructions: 1000), policy, null, default).WaitAsync(Timeout);
        Assert.Equal(RunStatus.Succeeded, run.Result.Status);
        // Window 1: all 64 accesses on nvm (300 us) plus 10 refetched lines of 0x100,
        // each at nvm's trace time per access, 300 / 64 us (no memory counters to cap it).
        Assert.Equal(300 + 10 * 300.0 / 64, run.WindowMicroseconds[1], 9);
        Assert.Equal(300, run.WindowMicroseconds[2], 9); // refilled once only
        Assert.Equal(10UL, run.RefetchedLines);
        Assert.Equal(10 * 300.0 / 64, run.RefetchMicroseconds, 9);
        // The policy sees the refetches as reads of 0x100 on nvm.
        var e1 = policy.Reports[1].Pages;
        var i = Array.IndexOf(e1.PageNumbers, 0x100UL);
        Assert.True(i >= 0);
        Assert.Equal(10U, e1.Reads[i]);
        Assert.Equal(1, e1.Nodes[i]);
        Assert.Equal(64U, e1.Reads[Array.IndexOf(e1.PageNumbers, 0x200UL)]);

        // Refill off (the default): the same traces cost no refetch.
        var without = await Run(touched, Spec(epochInstructions: 1000), Policy());
        Assert.Equal(300, without.WindowMicroseconds[1], 9);
        Assert.Equal(0UL, without.RefetchedLines);
        Assert.Equal(run.Result.SimulatedSeconds - 10 * 300e-6 / 64, without.Result.SimulatedSeconds, 12);

        // Refill on traces without touches says what is missing.
        var ex = Assert.Throws<TraceSetException>(() => new DifferentialEstimator(plain, refill));
        Assert.Contains("no CPU touches (cpu_pages, cpu_lines): estimator.refill needs them", ex.Message);
    }

    [Fact]
    public async Task Default_placement_with_room_equals_the_fast_trace()
    {
        var run = await Run(TestTraces.TwoByTwo(), Spec(), new ScriptedPolicy());
        Assert.Equal(300e-6, run.Result.SimulatedSeconds, 12);
    }

    [Fact]
    public async Task Untraced_resident_frames_take_node_capacity_first()
    {
        // The traced run held 3 frames at the end of window 0 but touched 2 pages: one
        // untraced frame (program image, page tables) sits on node 0 before any first touch.
        var set = TestTraces.TwoByTwo();
        var traces = set.Traces.Select(t => t with
        {
            Windows = t.Windows.Select(w => new TraceWindow(w.Index, w.Ticks, w.Instructions, w.Pages, w.Reads, w.Writes, w.Nodes)
            {
                Resident = w.Index == 0 ? [3, 0] : [4, 0],
            }).ToList(),
        }).ToList();
        var withResident = TraceSet.Create(traces);
        var preferDram = new ScriptedPolicy((_, _) => RegionPlacement.Preferred(0));

        var plain = await Run(set, Spec(node0Pages: 2), new ScriptedPolicy((_, _) => RegionPlacement.Preferred(0)));
        var charged = await Run(withResident, Spec(node0Pages: 2), preferDram);
        // Three traced pages (0x100, 0x200, then 0x101) on a 2-page node 0: one spills.
        Assert.Equal(1UL, plain.Fallbacks);
        Assert.Equal(2UL, plain.Result.Nodes[0].ResidentPages);
        // With the untraced frame on node 0 first, only one traced page fits: two spill.
        Assert.Equal(2UL, charged.Fallbacks);
        Assert.Equal(2UL, charged.Result.Nodes[0].ResidentPages);
        Assert.True(charged.Result.SimulatedSeconds > plain.Result.SimulatedSeconds);
    }

    [Fact]
    public async Task A_full_preferred_node_spills_like_linux()
    {
        // Node 0 holds one page: A's first page (0x100) fits, 0x101 falls back to node 1.
        var run = await Run(TestTraces.TwoByTwo(), Spec(node0Pages: 1), new ScriptedPolicy((_, i) => i == 0 ? RegionPlacement.Preferred(0) : RegionPlacement.Bind(1)));
        Assert.Equal(RunStatus.Succeeded, run.Result.Status);
        Assert.Equal(1UL, run.Fallbacks);
        Assert.Equal(0UL, run.BindSpills);
        Assert.Equal(150 + 600, run.WindowMicroseconds.Sum(), Eps);
        Assert.Equal(1UL, run.Result.Nodes[0].ResidentPages);
        Assert.Equal(0UL, run.Result.Nodes[0].FreePages);
    }

    [Fact]
    public async Task Bind_to_a_full_node_spills_and_is_counted()
    {
        var messages = new List<RunProgress>();
        var progress = new SyncProgress(messages.Add);
        var run = await Run(TestTraces.TwoByTwo(), Spec(node0Pages: 1), new ScriptedPolicy(Nodes(0, 1)), progress: progress);
        Assert.Equal(1UL, run.BindSpills);
        Assert.Equal(750, run.WindowMicroseconds.Sum(), Eps);
        Assert.Contains(messages, m => m.Message?.Contains("bind spill") == true);
    }

    [Fact]
    public async Task Every_node_full_fails_the_run_with_out_of_memory()
    {
        var run = await Run(TestTraces.TwoByTwo(), Spec(node0Pages: 1, node1Pages: 1), new ScriptedPolicy());
        Assert.Equal(RunStatus.Failed, run.Result.Status);
        Assert.Contains("out of memory", run.Result.FailureReason);
    }

    [Fact]
    public async Task Migration_moves_the_page_and_charges_the_cost_model()
    {
        // Epoch = one window. After w0 move B's page 0x200 to node 0.
        // Cost: 1000 ns + 4096 B / min(4.096, 8) GB/s = 1 us + 1 us = 2 us.
        var policy = new ScriptedPolicy(Nodes(0, 1), r => r.Epoch == 0 ? [new PageMigration(0x200, 0)] : []);
        var run = await Run(ThreeWindows(), Spec(epochInstructions: 1000), policy);
        var r = run.Result;
        Assert.Equal(RunStatus.Succeeded, r.Status);
        // w0 150 (A fast, B slow); w1 and w2 all fast: 200 + 50.
        Assert.Equal([150.0, 200.0, 50.0], run.WindowMicroseconds.Select(x => Math.Round(x, 9)));
        Assert.Equal(1UL, r.MigratedPages);
        Assert.Equal(2e-6, r.MigrationSeconds, 15);
        Assert.Equal((400 + 2) * 1e-6, r.SimulatedSeconds, 12);
        Assert.Equal(2UL, r.Epochs); // after w0 and w1, none after the last window

        var e0 = policy.Reports[0];
        Assert.Equal([0x100UL, 0x200UL], e0.Pages.PageNumbers);
        Assert.Equal([3U, 1U], e0.Pages.Reads);
        Assert.Equal([0, 1], e0.Pages.Nodes);
        Assert.Equal(3UL, e0.Nodes[0].Reads);
        Assert.Equal(1UL, e0.Nodes[1].Reads);
        Assert.Equal(0UL, e0.MigratedPages);
        Assert.Equal(1000UL, e0.TotalInstructions);
        Assert.Equal(150UL, e0.Ticks); // 1e6 ticks per second: 1 tick = 1 us

        var e1 = policy.Reports[1];
        Assert.Equal(1UL, e1.MigratedPages);
        Assert.Equal(2UL, e1.MigrationTicks);
        Assert.Equal([0, 0], e1.Pages.Nodes); // 0x101 on 0 (bound), 0x200 migrated to 0
        Assert.Equal(150UL, e1.StartTick);
        Assert.Equal(352UL, e1.EndTick);
    }

    [Fact]
    public async Task Bad_migrations_are_rejected_with_reasons_in_the_next_report()
    {
        IReadOnlyList<PageMigration> Decide(EpochReport r) => r.Epoch == 0
            ? [new(0x200, 7), new(0x999, 0), new(0x200, 0), new(0x100, 0), new(0x101, 0)]
            : [];
        // Node 0 holds 2 pages: 0x100 is there; 0x200 moves in (index 2) and fills it;
        // 0x100 -> 0 is a no-op (index 3); 0x101 is not mapped yet at epoch 0 (index 4).
        var policy = new ScriptedPolicy(Nodes(0, 1), Decide);
        var run = await Run(ThreeWindows(), Spec(epochInstructions: 1000, node0Pages: 2), policy);
        var r = run.Result;
        Assert.Equal(RunStatus.Succeeded, r.Status);
        Assert.Equal(1UL, r.MigratedPages);
        Assert.Equal(3UL, r.RejectedDecisions);
        var rejected = policy.Reports[1].RejectedMigrations;
        Assert.Equal([0, 1, 4], rejected.Select(x => x.Index));
        Assert.Equal("node 7 does not exist (nodes: 2)", rejected[0].Reason);
        Assert.Equal("page 0x999 is not mapped", rejected[1].Reason);
        Assert.Equal("page 0x101 is not mapped", rejected[2].Reason);
        Assert.Empty(policy.Reports[0].RejectedMigrations);

        // The result groups them by reason, with the first indices of each.
        Assert.Equal(
            [("page is not mapped", 2UL, "1,4"), ("node 7 does not exist (nodes: 2)", 1UL, "0")],
            r.Rejections.Select(g => (g.Reason, g.Count, string.Join(",", g.FirstIndices))));
    }

    [Theory]
    [InlineData(1, 10.0)]
    [InlineData(2, 6.0)]
    [InlineData(4, 4.0)]
    public async Task On_several_cores_a_batch_stalls_the_threads_round_robin_and_the_run_waits_for_the_most_stalled(int cores, double stallMicros)
    {
        // As the patched gem5 charges it (docs/gem5.md, "Migration stalls"): page i of a
        // batch stalls thread (k + i) mod T, k carrying over. Every page costs 2 us here.
        // Epoch 0 moves 2 pages, epoch 1 moves 3. On 2 cores: threads 0,1 (2 us), then
        // 0,1,0 (4 us): 6 us on the timeline. On 4 cores: 0,1 then 2,3,0: 2 + 2 us.
        // One core: all 10 us. The migration time reported is the whole 10 us.
        static IReadOnlyList<PageMigration> Decide(EpochReport r) => r.Epoch switch
        {
            0 => [new(0x200, 0), new(0x100, 1)],
            1 => [new(0x200, 1), new(0x101, 1), new(0x100, 0)],
            _ => [],
        };
        var set = ThreeWindows();
        set = TraceSet.Create(set.Traces.Select(t => t with { Header = t.Header with { Cores = cores } }).ToList());
        var spec = Spec(epochInstructions: 1000) with { Cpu = Spec().Cpu with { Cores = cores } };
        var policy = new ScriptedPolicy(Nodes(0, 1), Decide);
        var run = await Run(set, spec, policy);
        var r = run.Result;
        Assert.Equal(RunStatus.Succeeded, r.Status);
        Assert.Equal(5UL, r.MigratedPages);
        Assert.Equal(10e-6, r.MigrationSeconds, 15);
        Assert.Equal((run.WindowMicroseconds.Sum() + stallMicros) * 1e-6, r.SimulatedSeconds, 12);
        // Epoch 1's report carries epoch 0's batch (4 us in all); the last window ends no epoch.
        Assert.Equal([0UL, 4UL], policy.Reports.Select(e => e.MigrationTicks));
    }

    [Fact]
    public async Task Pages_first_touched_in_one_window_fill_a_node_in_the_order_their_regions_were_created()
    {
        // Region 1 (page 0x200) is created first, region 2 (0x100, 0x101) after it at a lower
        // address, as mmap does; window 0 touches all three and node 0 holds one page. Under
        // first-touch the program initialises region 1 first: it gets node 0, not page 0x100.
        var set = TestTraces.Set(
            [[100, 100], [300, 300]],
            [
                [new(0x100, 1, 0), new(0x101, 1, 0), new(0x200, 1, 0)],
                [new(0x100, 1, 0), new(0x101, 1, 0), new(0x200, 1, 0)],
            ],
            [TestTraces.Region(1, 0x200, 1), TestTraces.Region(2, 0x100, 2)]);
        var policy = new ScriptedPolicy((_, _) => RegionPlacement.Default);
        var run = await Run(set, Spec(epochInstructions: 1000, node0Pages: 1), policy);
        Assert.Equal(RunStatus.Succeeded, run.Result.Status);
        var pages = policy.Reports[0].Pages;
        Assert.Equal([0x100UL, 0x101UL, 0x200UL], pages.PageNumbers);
        Assert.Equal([1, 1, 0], pages.Nodes);
    }

    [Fact]
    public async Task A_migration_to_a_full_node_is_rejected()
    {
        var policy = new ScriptedPolicy(Nodes(0, 1), r => r.Epoch == 0 ? [new PageMigration(0x200, 0)] : []);
        var run = await Run(ThreeWindows(), Spec(epochInstructions: 1000, node0Pages: 1), policy);
        Assert.Equal(0UL, run.Result.MigratedPages);
        Assert.Equal("node 0 (dram) is full (1 pages)", policy.Reports[1].RejectedMigrations.Single().Reason);
        Assert.Equal(0, run.Result.MigrationSeconds);
    }

    [Fact]
    public async Task An_invalid_region_placement_is_rejected_and_the_default_used()
    {
        var policy = new ScriptedPolicy((_, i) => i == 0 ? RegionPlacement.Bind(9) : RegionPlacement.Bind(1));
        var run = await Run(ThreeWindows(), Spec(epochInstructions: 1000), policy);
        Assert.Equal(1UL, run.Result.RejectedDecisions);
        Assert.Contains("region 1: bind(9): node 9 does not exist (nodes: 2); using the default placement", policy.Reports[0].RejectedMigrations.Single().Reason);
        Assert.Equal(0, policy.Reports[0].Pages.Nodes[0]); // A on node 0 by default
    }

    [Fact]
    public async Task Regions_created_mid_run_are_offered_before_their_first_window()
    {
        var set = TestTraces.Set([[10, 10], [20, 20]],
            [[new(0x100, 1, 0)], [new(0x200, 1, 0)]],
            [TestTraces.Region(1, 0x100, 1), TestTraces.Region(2, 0x200, 1, firstWindow: 1)]);
        var policy = new ScriptedPolicy(Nodes(0, 1));
        var run = await Run(set, Spec(epochInstructions: 1000), policy);
        Assert.Equal(2, policy.Regions.Count);
        Assert.Equal(1000UL, policy.Regions[1].Instructions);
        Assert.Equal(10UL, policy.Regions[1].Tick);
        Assert.Equal(30e-6, run.Result.SimulatedSeconds, 12);
    }

    [Fact]
    public async Task Interleave_and_static_estimates_agree_on_random_traces()
    {
        var set = SyntheticTraces.Generate(new SyntheticTraceSpec { Nodes = 3, Windows = 80, Regions = 9, PagesPerRegion = 16, Seed = 3 });
        var est = new DifferentialEstimator(set);
        var placements = Enumerable.Range(0, 9).Select(i => i % 3 == 0
            ? RegionPlacement.Interleave([0, 2], [1, 3])
            : RegionPlacement.Bind(i % 3)).ToList();
        var spec = Spec() with
        {
            Nodes = set.Header.Nodes.Select(n => new NodeSpec(n.Name, "x", DeviceKind.Dram, 1UL << 30, 50 + n.Id, 50, 10, 0)).ToList(),
        };
        var run = await new EstimatorSimulator(est).RunDetailedAsync(spec, new ScriptedPolicy((_, i) => placements[i]), null, default).WaitAsync(Timeout);
        var expected = est.EstimateStatic(new StaticPlacement(placements), perWindow: true);
        Assert.Equal(RunStatus.Succeeded, run.Result.Status);
        Assert.Equal(expected.Microseconds, run.Result.SimulatedSeconds * 1e6, 1e-6 * expected.Microseconds);
        for (var w = 0; w < 80; w++)
        {
            Assert.Equal(expected.PerWindowMicroseconds![w], run.WindowMicroseconds[w], 1e-9 * expected.Microseconds);
        }
    }

    [Fact]
    public async Task Cancellation_ends_the_run_as_cancelled()
    {
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        var run = await Run(TestTraces.TwoByTwo(), Spec(), new ScriptedPolicy(), ct: cts.Token);
        Assert.Equal(RunStatus.Cancelled, run.Result.Status);
    }

    [Fact]
    public async Task Cancellation_from_the_policy_mid_run_is_honoured()
    {
        using var cts = new CancellationTokenSource();
        var policy = new ScriptedPolicy(Nodes(0, 1), _ => { cts.Cancel(); return []; });
        var run = await Run(ThreeWindows(), Spec(epochInstructions: 1000), policy, ct: cts.Token);
        Assert.Equal(RunStatus.Cancelled, run.Result.Status);
        Assert.Single(policy.Reports);
        Assert.Contains("after 1 of 3 windows", run.Result.FailureReason);
    }

    [Fact]
    public async Task A_throwing_policy_fails_the_run_with_its_name()
    {
        var policy = new ScriptedPolicy(Nodes(0, 1), _ => throw new InvalidOperationException("boom"));
        var run = await Run(ThreeWindows(), Spec(epochInstructions: 1000), policy);
        Assert.Equal(RunStatus.Failed, run.Result.Status);
        Assert.Equal("policy 'ScriptedPolicy' failed in OnEpoch (epoch 0): InvalidOperationException: boom", run.Result.FailureReason);
    }

    [Fact]
    public async Task A_spec_that_does_not_match_the_traces_fails_clearly()
    {
        var run = await Run(TestTraces.TwoByTwo(), Spec(epochInstructions: 1500, names: ["hbm", "ddr"]), new ScriptedPolicy());
        Assert.Equal(RunStatus.Failed, run.Result.Status);
        Assert.Contains("the experiment's nodes [hbm, ddr] differ from the traces' nodes [dram, nvm]", run.Result.FailureReason);
        Assert.Contains("epoch instructions 1500 is not a multiple of the traces' window_instructions 1000", run.Result.FailureReason);
    }

    [Fact]
    public async Task Traces_are_loaded_from_the_trace_folder_named_in_the_options()
    {
        var dir = Directory.CreateTempSubdirectory("deepmem-sim-").FullName;
        try
        {
            foreach (var t in TestTraces.TwoByTwo().Traces)
            {
                TraceWriter.WriteFile(Path.Combine(dir, WindowTrace.FileNameFor(TestTraces.NodeName(t.Header.BoundNode!.Value))), t);
            }

            var sim = new EstimatorSimulator(new EstimatorOptions { TraceDir = dir });
            var r = await sim.RunAsync(Spec(), new ScriptedPolicy(Nodes(0, 1)), null, default).WaitAsync(Timeout);
            Assert.Equal(RunStatus.Succeeded, r.Status);
            Assert.Equal(550e-6, r.SimulatedSeconds, 12);

            var missing = await new EstimatorSimulator(new EstimatorOptions { TraceDir = Path.Combine(dir, "nope") })
                .RunAsync(Spec(), new ScriptedPolicy(), null, default).WaitAsync(Timeout);
            Assert.Equal(RunStatus.Failed, missing.Status);
            Assert.Contains("does not exist", missing.FailureReason);
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    /// <summary>IProgress that calls back synchronously (Progress&lt;T&gt; posts to the thread pool).</summary>
    private sealed class SyncProgress(Action<RunProgress> report) : IProgress<RunProgress>
    {
        public void Report(RunProgress value) => report(value);
    }
}
