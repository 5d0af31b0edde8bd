using DeepMem.Core;
using DeepMem.Estimator;
using Xunit;

namespace DeepMem.Tests.Estimator;

public class DifferentialEstimatorTests
{
    private const double Eps = 1e-9;

    [Fact]
    public void Region_A_fast_and_B_slow_interpolates_each_window_by_hand()
    {
        var est = new DifferentialEstimator(TestTraces.TwoByTwo());
        var r = est.EstimateStatic(StaticPlacement.FromNodes([0, 1]), perWindow: true);
        // w0: 100 * 3/4 + 300 * 1/4 = 150; w1: 200 * 1/2 + 600 * 1/2 = 400.
        Assert.Equal(150, r.PerWindowMicroseconds![0], Eps);
        Assert.Equal(400, r.PerWindowMicroseconds[1], Eps);
        Assert.Equal(550, r.Microseconds, Eps);
        Assert.Equal(550, est.EstimateRegionNodes([0, 1]), Eps);
    }

    [Fact]
    public void Region_A_slow_and_B_fast_is_the_mirror_case()
    {
        var est = new DifferentialEstimator(TestTraces.TwoByTwo());
        // w0: 100 * 1/4 + 300 * 3/4 = 250; w1: 200 * 1/2 + 600 * 1/2 = 400.
        Assert.Equal(650, est.EstimateRegionNodes([1, 0]), Eps);
    }

    [Fact]
    public void All_fast_equals_the_fast_trace_total_and_all_slow_the_slow_one()
    {
        var est = new DifferentialEstimator(TestTraces.TwoByTwo());
        Assert.Equal(est.TraceMicroseconds(0), est.EstimateStatic(StaticPlacement.AllOn(0, 2)).Microseconds, Eps);
        Assert.Equal(est.TraceMicroseconds(1), est.EstimateStatic(StaticPlacement.AllOn(1, 2)).Microseconds, Eps);
        Assert.Equal(300, est.TraceMicroseconds(0), Eps);
        Assert.Equal(900, est.TraceMicroseconds(1), Eps);
    }

    [Fact]
    public void Write_weight_changes_the_shares()
    {
        var est = new DifferentialEstimator(TestTraces.TwoByTwo(), new EstimatorOptions { WriteWeight = 3 });
        // w1 with A holding 1 write x3 and B 1 read: 200 * 3/4 + 600 * 1/4 = 300; w0 unchanged 150.
        Assert.Equal(450, est.EstimateRegionNodes([0, 1]), Eps);
    }

    [Fact]
    public void Interleave_goes_by_virtual_page_number_over_the_nodes_in_id_order()
    {
        var est = new DifferentialEstimator(TestTraces.TwoByTwo());
        // Region A interleaved 0,1: page 0x100 (even) on node 0, 0x101 (odd) on node 1; B on node 1.
        var p = new StaticPlacement([RegionPlacement.Interleave([0, 1]), RegionPlacement.Bind(1)]);
        var r = est.EstimateStatic(p, perWindow: true);
        // w0: 100 * 3/4 + 300 * 1/4 = 150. w1: A's write is on 0x101 -> node 1: all slow -> 600.
        Assert.Equal(150, r.PerWindowMicroseconds![0], Eps);
        Assert.Equal(600, r.PerWindowMicroseconds[1], Eps);
        Assert.Equal(750, r.Microseconds, Eps);

        // The listed order does not matter: a nodemask is walked in id order (Linux, gem5).
        Assert.Equal(750, est.EstimateStatic(new StaticPlacement([RegionPlacement.Interleave([1, 0]), RegionPlacement.Bind(1)])).Microseconds, Eps);

        // Weights 1:2 make slots [0, 1, 1]: 0x100 = 256 ≡ 1 and 0x101 ≡ 2 (mod 3), both on node 1.
        var allSlow = est.EstimateStatic(StaticPlacement.AllOn(1, 2)).Microseconds;
        Assert.Equal(allSlow, est.EstimateStatic(new StaticPlacement([RegionPlacement.Interleave([0, 1], [1, 2]), RegionPlacement.Bind(1)])).Microseconds, Eps);

        // Node 1 weight 1, node 0 weight 2, listed backwards: slots [0, 0, 1]: 0x100 on node 0, 0x101 on node 1.
        Assert.Equal(750, est.EstimateStatic(new StaticPlacement([RegionPlacement.Interleave([1, 0], [1, 2]), RegionPlacement.Bind(1)])).Microseconds, Eps);

        // The page map agrees with the estimate.
        var map = est.PagePlacement(new StaticPlacement([RegionPlacement.Interleave([0, 1], [1, 2]), RegionPlacement.Bind(1)]));
        Assert.Equal(1, map[0x100]);
        Assert.Equal(1, map[0x101]);
    }

    [Fact]
    public void The_linear_form_matches_the_per_window_formula_for_random_placements()
    {
        var set = SyntheticTraces.Generate(new SyntheticTraceSpec { Nodes = 3, Windows = 60, Regions = 7, PagesPerRegion = 20, Seed = 11 });
        var est = new DifferentialEstimator(set);
        var rng = new Random(5);
        for (var i = 0; i < 50; i++)
        {
            var nodes = Enumerable.Range(0, est.RegionCount).Select(_ => rng.Next(3)).ToArray();
            var placement = StaticPlacement.FromNodes(nodes, rng.Next(3));
            var r = est.EstimateStatic(placement, perWindow: true);
            Assert.Equal(r.PerWindowMicroseconds!.Sum(), r.Microseconds, 1e-6 * r.Microseconds);
            Assert.Equal(r.Microseconds, est.EstimateRegionNodes(nodes, placement.OtherNode), 1e-6 * r.Microseconds);
        }
    }

    [Fact]
    public void Page_placement_matches_the_region_placement_it_implies()
    {
        var est = new DifferentialEstimator(TestTraces.TwoByTwo());
        var pages = est.EstimatePages(vpn => vpn < 0x200 ? 0 : 1, perWindow: true);
        Assert.Equal(550, pages.Microseconds, Eps);
        Assert.Equal(550, pages.PerWindowMicroseconds!.Sum(), Eps);
    }

    [Fact]
    public void A_window_without_accesses_takes_the_fastest_nodes_time()
    {
        var set = TestTraces.Set([[100, 40], [300, 70]],
            [[new(0x100, 1, 0)], []],
            [TestTraces.Region(1, 0x100, 1)]);
        var est = new DifferentialEstimator(set);
        Assert.Equal(40, est.ConstantMicroseconds, Eps);
        Assert.Equal(340, est.EstimateRegionNodes([1], 1), Eps); // 300 + min(40, 70)
        Assert.Equal(140, est.EstimateRegionNodes([0], 0), Eps);
    }

    [Fact]
    public void Pages_outside_regions_follow_the_other_node()
    {
        var set = TestTraces.Set([[100], [300]],
            [[new(0x100, 1, 0), new(0x900, 1, 0)]],
            [TestTraces.Region(1, 0x100, 1)]);
        var est = new DifferentialEstimator(set);
        Assert.Equal(1, est.OtherTouchedPages);
        Assert.Equal(200, est.EstimateRegionNodes([0], 1), Eps);
        Assert.Equal(100, est.EstimateRegionNodes([0], 0), Eps);
    }

    [Fact]
    public void Fastest_reference_uses_that_traces_counts_and_average_the_mean()
    {
        // Same window in both runs but the counts differ: dram sees 3 reads on A, nvm sees 1.
        var a = TestTraces.Trace(0, 2, [100], [[new(0x100, 3, 0), new(0x200, 1, 0)]], [TestTraces.Region(1, 0x100, 1), TestTraces.Region(2, 0x200, 1)]);
        var b = TestTraces.Trace(1, 2, [300], [[new(0x100, 1, 0), new(0x200, 1, 0)]], [TestTraces.Region(1, 0x100, 1), TestTraces.Region(2, 0x200, 1)]);
        var set = TraceSet.Create([a, b]);
        var fastest = new DifferentialEstimator(set, new EstimatorOptions { Reference = CountReference.Fastest });
        var average = new DifferentialEstimator(set);
        Assert.Equal(100 * 0.75 + 300 * 0.25, fastest.EstimateRegionNodes([0, 1]), Eps);
        Assert.Equal(100 * (2.0 / 3) + 300 * (1.0 / 3), average.EstimateRegionNodes([0, 1]), Eps);
    }

    [Fact]
    public void A_page_listed_once_per_node_in_a_window_counts_once_with_summed_accesses()
    {
        // dram trace lists page 0x100 twice (3 reads on node 0, then 0 reads + 0 writes... split 2 + 1).
        var regions = new[] { TestTraces.Region(1, 0x100, 1), TestTraces.Region(2, 0x200, 1) };
        var a = TestTraces.Trace(0, 2, [100], [[new(0x100, 2, 0), new(0x200, 1, 0)]], regions);
        var w = a.Windows[0];
        var split = a with
        {
            Windows = [new TraceWindow(0, w.Ticks, w.Instructions, [0x100, 0x100, 0x200], [2, 1, 1], [0, 0, 0], [0, 1, 0])],
        };
        var b = TestTraces.Trace(1, 2, [300], [[new(0x100, 3, 0), new(0x200, 1, 0)]], regions);
        var est = new DifferentialEstimator(TraceSet.Create([split, b]), new EstimatorOptions { Reference = CountReference.Fastest });
        Assert.Equal(2, est.TouchedPages);
        Assert.Equal(150, est.EstimateRegionNodes([0, 1]), Eps);
    }

    [Fact]
    public void Bad_placements_are_refused_with_the_reason()
    {
        var est = new DifferentialEstimator(TestTraces.TwoByTwo());
        Assert.Contains("node 5 does not exist", Assert.Throws<ArgumentException>(() => est.EstimateRegionNodes([0, 5])).Message);
        Assert.Contains("1 region nodes given for 2 regions", Assert.Throws<ArgumentException>(() => est.EstimateRegionNodes([0])).Message);
        var p = new StaticPlacement([RegionPlacement.Interleave([0, 1], [1]), RegionPlacement.Bind(1)]);
        Assert.Contains("1 weights for 2 nodes", Assert.Throws<ArgumentException>(() => est.EstimateStatic(p)).Message);
    }
}
