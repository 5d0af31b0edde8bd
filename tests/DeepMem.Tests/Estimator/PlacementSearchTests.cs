using DeepMem.Estimator;
using Xunit;

namespace DeepMem.Tests.Estimator;

public class PlacementSearchTests
{
    private const double Eps = 1e-9;
    private const ulong Page = TestTraces.PageSize;

    [Theory]
    [InlineData(0, new[] { 1, 1 }, 900.0)]
    [InlineData(1, new[] { 1, 0 }, 650.0)]
    [InlineData(2, new[] { 0, 1 }, 550.0)]
    [InlineData(3, new[] { 0, 0 }, 300.0)]
    public void The_two_region_example_is_solved_by_hand(int capacityPages, int[] expectedNodes, double expectedMicros)
    {
        // Region A touches 2 pages, B 1 page; A fast saves 350 us, B fast 250 us.
        var est = new DifferentialEstimator(TestTraces.TwoByTwo());
        var plan = PlacementSearch.FindBest(est, new PlacementSearchOptions { CapacityBytes = (ulong)capacityPages * Page });
        Assert.Equal(expectedNodes, plan.RegionNodes);
        Assert.Equal(expectedMicros, plan.Microseconds, Eps);
        Assert.Equal("exact", plan.Method);
        Assert.True(plan.ProvenOptimal);
        Assert.True(plan.FastBytesUsed <= (ulong)capacityPages * Page);
        Assert.Equal(0, plan.FastNode);
    }

    [Fact]
    public void Charging_full_region_length_can_keep_a_sparse_region_out()
    {
        // Region B is 1 page; make A 4 pages long but touching only 2: with 3 pages of room,
        // touched-page accounting fits both, full-length accounting fits only B.
        var set = TestTraces.Set([[100, 200], [300, 600]],
            [
                [new(0x100, 3, 0), new(0x200, 1, 0)],
                [new(0x101, 0, 1), new(0x200, 1, 0)],
            ],
            [TestTraces.Region(1, 0x100, 4), TestTraces.Region(2, 0x200, 1)]);
        var est = new DifferentialEstimator(set);
        Assert.Equal([0, 0], PlacementSearch.FindBest(est, new PlacementSearchOptions { CapacityBytes = 3 * Page }).RegionNodes);
        Assert.Equal([1, 0], PlacementSearch.FindBest(est, new PlacementSearchOptions { CapacityBytes = 3 * Page, ChargeFullRegionLength = true }).RegionNodes);
    }

    [Fact]
    public void Pages_pinned_to_the_fast_node_outside_regions_take_capacity_first()
    {
        // One page outside every region sits on the fast node by default: with 3 pages of room
        // only 2 remain, so of A (2 pages, saves 350) and B (1 page, saves 250) only A fits.
        var set = TestTraces.Set([[100, 200], [300, 600]],
            [
                [new(0x100, 3, 0), new(0x101, 1, 0), new(0x200, 1, 0), new(0x900, 1, 0)],
                [new(0x100, 3, 0), new(0x101, 1, 0), new(0x200, 1, 0), new(0x900, 1, 0)],
            ],
            [TestTraces.Region(1, 0x100, 2), TestTraces.Region(2, 0x200, 1)]);
        var est = new DifferentialEstimator(set);
        var free = PlacementSearch.FindBest(est, new PlacementSearchOptions { CapacityBytes = 3 * Page });
        var pinned = PlacementSearch.FindBest(est, new PlacementSearchOptions { CapacityBytes = 3 * Page, OtherPagesNode = 0 });
        Assert.Equal(0, pinned.OtherNode);
        Assert.Equal(3 * Page, pinned.FastBytesUsed);
        Assert.Equal(1, pinned.RegionNodes.Count(n => n == 0));
        Assert.True(free.FastBytesUsed <= 3 * Page);
        Assert.True(pinned.Microseconds >= free.Microseconds - Eps);
    }

    [Fact]
    public void Untraced_frames_go_with_the_other_pages_pinned_or_chosen()
    {
        // TwoByTwo with resident counts: 3 then 4 frames held, 2 then 3 pages touched, so 1 untraced frame.
        // The other-pages item (no touched page) then weighs 1 page wherever it goes.
        var set = TestTraces.TwoByTwo();
        var withResident = TraceSet.Create(set.Traces.Select(t => t with
        {
            Windows = t.Windows.Select(w => new TraceWindow(w.Index, w.Ticks, w.Instructions, w.Pages, w.Reads, w.Writes, w.Nodes)
            {
                Resident = w.Index == 0 ? [3, 0] : [4, 0],
            }).ToList(),
        }).ToList());
        Assert.Equal(1UL, withResident.MaxUntracedFrames());
        var est = new DifferentialEstimator(withResident);

        // Pinned to the fast node: of 3 pages, the untraced frame takes 1, so only A (2 pages) fits.
        var pinned = PlacementSearch.FindBest(est, PlacementSearchOptions.UnderLocalDefault(0, 3 * Page));
        Assert.Equal([0, 1], pinned.RegionNodes);
        Assert.Equal(3 * Page, pinned.FastBytesUsed);

        // Chosen freely: the other pages save nothing on the fast node, so they go slow and A and B both fit.
        var free = PlacementSearch.FindBest(est, new PlacementSearchOptions { FastNode = 0, CapacityBytes = 3 * Page });
        Assert.Equal(1, free.OtherNode);
        Assert.Equal([0, 0], free.RegionNodes);
    }

    [Theory]
    [InlineData(2, 1)]
    [InlineData(3, 2)]
    [InlineData(2, 3)]
    public void Exact_search_equals_brute_force_over_every_placement(int nodes, int seed)
    {
        const int regions = 10;
        var set = SyntheticTraces.Generate(new SyntheticTraceSpec { Nodes = nodes, Windows = 40, Regions = regions, PagesPerRegion = 12, Seed = seed });
        var est = new DifferentialEstimator(set);
        var total = Enumerable.Range(0, regions).Sum(est.RegionTouchedPages);
        var capacityPages = (ulong)(total * 0.4);
        var plan = PlacementSearch.FindBest(est, new PlacementSearchOptions { CapacityBytes = capacityPages * Page });

        var best = double.MaxValue;
        var assignment = new int[regions];
        var combos = (int)Math.Pow(nodes, regions);
        for (var c = 0; c < combos; c++)
        {
            var x = c;
            ulong used = 0;
            for (var r = 0; r < regions; r++)
            {
                assignment[r] = x % nodes;
                x /= nodes;
                if (assignment[r] == 0)
                {
                    used += (ulong)est.RegionTouchedPages(r);
                }
            }

            if (used <= capacityPages)
            {
                best = Math.Min(best, est.EstimateRegionNodes(assignment, nodes - 1));
            }
        }

        Assert.True(plan.ProvenOptimal);
        Assert.Equal(best, plan.Microseconds, 1e-9 * best);
        Assert.True(plan.FastBytesUsed <= capacityPages * Page);
        Assert.Equal(plan.Microseconds, est.EstimateStatic(plan.ToStaticPlacement()).Microseconds, 1e-9 * best);
    }

    [Fact]
    public void Greedy_beyond_the_exact_limit_respects_capacity_and_is_never_better_than_exact()
    {
        var set = SyntheticTraces.Generate(new SyntheticTraceSpec { Windows = 100, Regions = 60, PagesPerRegion = 10, Seed = 9 });
        var est = new DifferentialEstimator(set);
        var capacity = 150 * Page;
        var greedy = PlacementSearch.FindBest(est, new PlacementSearchOptions { CapacityBytes = capacity, ExactRegionLimit = 10 });
        var exact = PlacementSearch.FindBest(est, new PlacementSearchOptions { CapacityBytes = capacity, ExactRegionLimit = 1000 });
        Assert.Equal("greedy", greedy.Method);
        Assert.False(greedy.ProvenOptimal);
        Assert.Equal("exact", exact.Method);
        Assert.True(greedy.FastBytesUsed <= capacity);
        Assert.True(exact.FastBytesUsed <= capacity);
        Assert.True(exact.Microseconds <= greedy.Microseconds + 1e-6);
        var allSlow = est.EstimateRegionNodes(Enumerable.Repeat(1, 60).ToArray(), 1);
        Assert.True(greedy.Microseconds < allSlow);
        // Half the optimum benefit at least (the stated guarantee).
        Assert.True(allSlow - greedy.Microseconds >= 0.5 * (allSlow - exact.Microseconds));
    }

    [Fact]
    public void A_fast_node_that_does_not_exist_is_refused()
    {
        var est = new DifferentialEstimator(TestTraces.TwoByTwo());
        var e = Assert.Throws<ArgumentException>(() => PlacementSearch.FindBest(est, new PlacementSearchOptions { FastNode = 4, CapacityBytes = 0 }));
        Assert.Contains("fast node 4 does not exist (nodes: 2)", e.Message);
    }

    [Fact]
    public void A_missing_capacity_is_refused_with_the_reason()
    {
        var est = new DifferentialEstimator(TestTraces.TwoByTwo());
        var e = Assert.Throws<ArgumentException>(() => PlacementSearch.FindBest(est, new PlacementSearchOptions()));
        Assert.Contains("capacity is required", e.Message);
    }
}
