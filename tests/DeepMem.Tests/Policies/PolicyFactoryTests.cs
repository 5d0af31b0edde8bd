using DeepMem.Core;
using DeepMem.Policies;
using DeepMem.Policies.BuiltIn;

namespace DeepMem.Tests.Policies;

public class PolicyFactoryTests
{
    private static readonly Topology TwoNodes = new(
    [
        new NodeInfo(0, "dram", DeviceKind.Dram, 0, 64 << 20, 50, 50, 19.2),
        new NodeInfo(1, "nvm", DeviceKind.Nvm, 64 << 20, 256 << 20, 150, 500, 6.4),
    ], 4096, 1_000_000);

    [Fact]
    public void Built_ins_bind_their_options()
    {
        var policy = PolicyFactory.Create(new PolicySpec
        {
            Name = "interleave",
            Options = new Dictionary<string, OptionValue> { ["by_bandwidth"] = OptionValue.Of("true") },
        });
        policy.Initialize(TwoNodes);
        var placement = policy.PlaceRegion(new Region(1, 0x1000, 1 << 20, RegionSource.Mmap));
        Assert.Equal(PlacementMode.Interleave, placement.Mode);
        Assert.Equal([3, 1], placement.Weights);
    }

    [Theory]
    [InlineData(new[] { 19.2, 6.4 }, new[] { 3, 1 })]
    [InlineData(new[] { 10.0, 10.0 }, new[] { 1, 1 })]
    [InlineData(new[] { 100.0, 1.0 }, new[] { 8, 1 })]
    [InlineData(new[] { 19.2, 16.0 }, new[] { 5, 4 })] // DDR4 + CXL (docs/policies.md, policies under contention)
    public void Bandwidth_weights_are_small_integers(double[] bw, int[] expected) =>
        Assert.Equal(expected, InterleavePolicy.WeightsFromBandwidth(bw, 8));

    [Fact]
    public void Every_problem_with_options_is_returned()
    {
        var problems = PolicyFactory.Check(new PolicySpec
        {
            Name = "bind",
            Options = new Dictionary<string, OptionValue> { ["nod"] = OptionValue.Of("1"), ["min_size"] = OptionValue.Of("big") },
        });
        Assert.Equal(2, problems.Count);
        Assert.Contains(problems, p => p.Key == "nod" && p.Message.Contains("did you mean 'node'"));
        Assert.Contains(problems, p => p.Key == "min_size" && p.Message.Contains("64MiB"));
    }

    [Fact]
    public void First_touch_prefers_the_fastest_node()
    {
        var policy = PolicyFactory.Create(new PolicySpec { Name = "first-touch" });
        policy.Initialize(TwoNodes with { Nodes = [TwoNodes.Nodes[0] with { ReadLatencyNs = 300 }, TwoNodes.Nodes[1]] });
        Assert.Equal(RegionPlacement.Preferred(1), policy.PlaceRegion(new Region(1, 0, 4096, RegionSource.Mmap)));
    }

    [Fact]
    public void Bind_matches_by_size_and_order()
    {
        var policy = PolicyFactory.Create(new PolicySpec
        {
            Name = "bind",
            Options = new Dictionary<string, OptionValue>
            {
                ["node"] = OptionValue.Of("1"), ["min_size"] = OptionValue.Of("1MiB"), ["order"] = OptionValue.OfList(["1"]),
            },
        });
        policy.Initialize(TwoNodes);
        Assert.Equal(PlacementMode.Default, policy.PlaceRegion(new Region(1, 0, 4096, RegionSource.Mmap)).Mode);
        Assert.Equal(PlacementMode.Default, policy.PlaceRegion(new Region(2, 0, 2 << 20, RegionSource.Mmap)).Mode);
        Assert.Equal(RegionPlacement.Bind(1), policy.PlaceRegion(new Region(3, 0, 2 << 20, RegionSource.Mmap)));
    }

    [Fact]
    public void A_throwing_policy_is_reported_with_its_name()
    {
        var guarded = new GuardedPolicy("boom", new ThrowingPolicy());
        var e = Assert.Throws<PolicyFailedException>(() => guarded.PlaceRegion(new Region(1, 0, 1, RegionSource.Mmap)));
        Assert.Equal("boom", e.Policy);
        Assert.Contains("PlaceRegion", e.Message);
        Assert.Contains("kaput", e.Message);
    }

    [Fact]
    public void A_missing_plugin_assembly_is_a_clear_problem()
    {
        var problems = PolicyFactory.Check(new PolicySpec { Assembly = "/nonexistent/My.dll", Type = "My.Policy" });
        Assert.Contains("does not exist", Assert.Single(problems).Message);
    }

    private sealed class ThrowingPolicy : IPlacementPolicy
    {
        public void Initialize(Topology topology)
        {
        }

        public RegionPlacement PlaceRegion(Region region) => throw new InvalidOperationException("kaput");

        public IReadOnlyList<PageMigration> OnEpoch(EpochReport report) => [];
    }
}
