using DeepMem.Core;
using DeepMem.Estimator;
using DeepMem.Policies;

namespace DeepMem.Tests.Policies;

/// <summary>Machines, crafted reports and synthetic estimator runs for the policy tests.</summary>
internal static class PolicyTestKit
{
    public const ulong PageSize = 4096;

    /// <summary>One tick = one nanosecond in crafted reports.</summary>
    public const ulong TicksPerSecond = 1_000_000_000;

    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    /// <summary>Two nodes: 0 fast (DRAM-like) with <paramref name="fastPages"/> pages, 1 slow (NVM-like) with <paramref name="slowPages"/>.</summary>
    public static Topology TwoTiers(ulong fastPages = 100, ulong slowPages = 1000) => new(
    [
        new NodeInfo(0, "fast", DeviceKind.Dram, 0, fastPages * PageSize, 80, 80, 19.2),
        new NodeInfo(1, "slow1", DeviceKind.Nvm, fastPages * PageSize, slowPages * PageSize, 300, 900, 6.4),
    ], PageSize, 1_000_000, TicksPerSecond);

    /// <summary>A page entry of a crafted report.</summary>
    public sealed record P(ulong Page, uint Reads, uint Writes, int Node);

    /// <summary>
    /// A report of epoch <paramref name="epoch"/> lasting <paramref name="ticks"/> ns with the given
    /// touched pages; residency per node from <paramref name="resident"/> (default: the touched pages).
    /// </summary>
    public static EpochReport Report(Topology topology, ulong epoch, IReadOnlyList<P> pages, ulong[]? resident = null,
        ulong ticks = 1_000_000, double[]? latencyNs = null, IReadOnlyList<Rejection>? rejected = null)
    {
        var sorted = pages.OrderBy(p => p.Page).ToArray();
        resident ??= topology.Nodes.Select(n => (ulong)sorted.Count(p => p.Node == n.Id)).ToArray();
        var nodes = topology.Nodes.Select(n =>
        {
            var mine = sorted.Where(p => p.Node == n.Id).ToList();
            var reads = (ulong)mine.Sum(p => (long)p.Reads);
            var writes = (ulong)mine.Sum(p => (long)p.Writes);
            return new NodeStats(n.Id, reads, writes, reads * 64, writes * 64, latencyNs?[n.Id] ?? 0,
                resident[n.Id], topology.CapacityPages(n.Id) - resident[n.Id]);
        }).ToList();
        return new EpochReport(epoch, epoch * ticks, (epoch + 1) * ticks, topology.EpochInstructions, (epoch + 1) * topology.EpochInstructions,
            nodes, new PageCounts(sorted.Select(p => p.Page).ToArray(), sorted.Select(p => p.Reads).ToArray(),
                sorted.Select(p => p.Writes).ToArray(), sorted.Select(p => p.Node).ToArray()),
            0, 0, rejected ?? []);
    }

    /// <summary>A built-in created through the factory, as YAML would, and initialised.</summary>
    public static IPlacementPolicy Create(string name, Topology topology, params (string Key, string Value)[] options)
    {
        var policy = PolicyFactory.Create(new PolicySpec
        {
            Name = name,
            Options = options.ToDictionary(o => o.Key, o => OptionValue.Of(o.Value)),
        });
        policy.Initialize(topology);
        return policy;
    }

    /// <summary>The built-in behind a factory-made policy.</summary>
    public static T Inner<T>(IPlacementPolicy policy) => (T)((GuardedPolicy)policy).Inner;

    /// <summary>
    /// A synthetic workload of 3200 pages (50 regions x 64) whose hot set
    /// moves over 4 phases: 400 windows of 100k instructions.
    /// </summary>
    public static TraceSet Synthetic(int seed = 7) => SyntheticTraces.Generate(new SyntheticTraceSpec
    {
        Nodes = 2,
        Windows = 400,
        Regions = 50,
        PagesPerRegion = 64,
        TouchesPerRegionWindow = 12,
        Phases = 4,
        Seed = seed,
    });

    /// <summary>An estimator spec over <see cref="Synthetic"/>: a fast node of <paramref name="fastPages"/> pages and a large slow node; epochs of 500k instructions.</summary>
    public static SimulationSpec Spec(ulong fastPages = 800, ulong epochInstructions = 500_000) => new()
    {
        Name = "policy-contract",
        Nodes =
        [
            new NodeSpec("fast", "ddr4", DeviceKind.Dram, fastPages * PageSize, 80, 80, 19.2, 0),
            new NodeSpec("slow1", "nvm", DeviceKind.Nvm, 64UL << 20, 300, 900, 6.4, 0),
        ],
        Cpu = new CpuSpec("o3", 3e9, 32768, 32768, 1 << 20),
        Workload = new WorkloadSpec("/bin/synthetic", [], "/tmp"),
        EpochInstructions = epochInstructions,
        Migration = new MigrationCostSpec(2000),
        OutputDir = Path.Combine(Path.GetTempPath(), "deepmem-policy-contract"),
    };
}
