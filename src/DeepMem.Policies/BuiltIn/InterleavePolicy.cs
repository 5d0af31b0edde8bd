using System.ComponentModel.DataAnnotations;
using DeepMem.Core;

namespace DeepMem.Policies.BuiltIn;

/// <summary>Options of <see cref="InterleavePolicy"/>.</summary>
public sealed class InterleaveOptions
{
    /// <summary>Nodes to interleave over; empty = all.</summary>
    [PolicyOption("node ids to interleave over; empty = all nodes")]
    public int[] Nodes { get; set; } = [];

    /// <summary>Explicit weights, one per node.</summary>
    [PolicyOption("pages per round on each node (weighted interleave); empty = all 1, or from bandwidth")]
    public int[] Weights { get; set; } = [];

    /// <summary>Derive weights from node bandwidths (MPOL_WEIGHTED_INTERLEAVE).</summary>
    [PolicyOption("derive weights from node bandwidths, reduced to small integers (HMSDK / Linux 6.9)")]
    public bool ByBandwidth { get; set; }

    /// <summary>Largest weight when deriving from bandwidth.</summary>
    [PolicyOption("largest weight when deriving weights from bandwidth")]
    [Range(1, int.MaxValue)]
    public int MaxWeight { get; set; } = 8;
}

/// <summary>
/// Page-granular round robin over nodes (MPOL_INTERLEAVE), optionally
/// weighted by bandwidth (MPOL_WEIGHTED_INTERLEAVE). Never migrates.
/// </summary>
public sealed class InterleavePolicy(InterleaveOptions options) : IPlacementPolicy
{
    private RegionPlacement _placement = RegionPlacement.Default;

    /// <inheritdoc />
    public void Initialize(Topology topology)
    {
        var nodes = options.Nodes.Length > 0 ? options.Nodes : topology.Nodes.Select(n => n.Id).ToArray();
        foreach (var n in nodes)
        {
            if (n < 0 || n >= topology.Nodes.Count)
            {
                throw new ArgumentException($"node {n} out of range (nodes: {topology.Nodes.Count})");
            }
        }

        int[] weights;
        if (options.Weights.Length > 0)
        {
            if (options.Weights.Length != nodes.Length || options.Weights.Any(w => w < 1))
            {
                throw new ArgumentException($"weights must be {nodes.Length} integers >= 1, one per node (got {options.Weights.Length})");
            }

            weights = options.Weights;
        }
        else if (options.ByBandwidth)
        {
            weights = WeightsFromBandwidth(nodes.Select(n => topology.Nodes[n].BandwidthGBps).ToArray(), options.MaxWeight);
        }
        else
        {
            weights = nodes.Select(_ => 1).ToArray();
        }

        _placement = RegionPlacement.Interleave(nodes, weights);
    }

    /// <summary>
    /// Bandwidths reduced to small integers: the ratios to the slowest node
    /// are approximated by the smallest multiplier k (1..maxWeight) whose
    /// rounded weights are within 5% of every ratio; weights above
    /// <paramref name="maxWeight"/> are scaled down to it (at least 1 each).
    /// </summary>
    public static int[] WeightsFromBandwidth(double[] bandwidths, int maxWeight)
    {
        var min = bandwidths.Where(b => b > 0).DefaultIfEmpty(0).Min();
        if (min <= 0)
        {
            return bandwidths.Select(_ => 1).ToArray();
        }

        var ratios = bandwidths.Select(b => Math.Max(b, min) / min).ToArray();
        int[] weights = [];
        for (var k = 1; k <= Math.Max(1, maxWeight); k++)
        {
            weights = ratios.Select(r => Math.Max(1, (int)Math.Round(r * k))).ToArray();
            if (ratios.Zip(weights).All(p => Math.Abs(p.Second / (double)k - p.First) <= 0.05 * p.First))
            {
                break;
            }
        }

        var top = weights.Max();
        if (top > maxWeight)
        {
            weights = weights.Select(w => Math.Max(1, (int)Math.Round(w * (double)maxWeight / top))).ToArray();
        }

        var g = weights.Aggregate(Gcd);
        return weights.Select(x => x / g).ToArray();
    }

    private static int Gcd(int a, int b) => b == 0 ? a : Gcd(b, a % b);

    /// <inheritdoc />
    public RegionPlacement PlaceRegion(Region region) => _placement;

    /// <inheritdoc />
    public IReadOnlyList<PageMigration> OnEpoch(EpochReport report) => [];
}
