using System.ComponentModel.DataAnnotations;
using DeepMem.Core;

namespace DeepMem.Policies.BuiltIn;

/// <summary>Options of <see cref="BindPolicy"/>.</summary>
public sealed class BindOptions
{
    /// <summary>Node that matched regions are bound to.</summary>
    [PolicyOption("node id that matching regions are bound to (MPOL_BIND)")]
    [Range(0, int.MaxValue)]
    public int Node { get; set; }

    /// <summary>Regions smaller than this never match.</summary>
    [PolicyOption("match only regions of at least this size", Unit = OptionUnit.Bytes)]
    public ulong MinSize { get; set; }

    /// <summary>Regions larger than this never match (0 = no limit).</summary>
    [PolicyOption("match only regions of at most this size; 0 = no limit", Unit = OptionUnit.Bytes)]
    public ulong MaxSize { get; set; }

    /// <summary>Match by creation order among size-matching regions (0-based); empty = all.</summary>
    [PolicyOption("0-based creation order (counting only size-matching mmap/brk regions) of the regions to bind; empty = all")]
    public int[] Order { get; set; } = [];

    /// <summary>Match regions containing one of these virtual addresses; empty = no address rule.</summary>
    [PolicyOption("bind regions that contain one of these virtual addresses; empty = no address rule")]
    public ulong[] Addresses { get; set; } = [];

    /// <summary>Node for regions that do not match; -1 = default policy.</summary>
    [PolicyOption("node for regions that do not match; -1 = the simulator's default placement")]
    [Range(-1, int.MaxValue)]
    public int Otherwise { get; set; } = -1;
}

/// <summary>
/// Binds regions matched by size, creation order or address to a fixed
/// node, like <c>mbind(MPOL_BIND)</c>; the rest go to <c>otherwise</c>.
/// Startup regions (image, stack) are never matched.
/// </summary>
public sealed class BindPolicy(BindOptions options) : IPlacementPolicy
{
    private int _seen;

    /// <inheritdoc />
    public void Initialize(Topology topology)
    {
        if (options.Node < 0 || options.Node >= topology.Nodes.Count)
        {
            throw new ArgumentException($"node {options.Node} out of range (nodes: {topology.Nodes.Count})");
        }

        if (options.Otherwise >= topology.Nodes.Count)
        {
            throw new ArgumentException($"otherwise {options.Otherwise} out of range (nodes: {topology.Nodes.Count})");
        }
    }

    /// <inheritdoc />
    public RegionPlacement PlaceRegion(Region region)
    {
        var otherwise = options.Otherwise < 0 ? RegionPlacement.Default : RegionPlacement.Bind(options.Otherwise);
        if (region.Source == RegionSource.Startup)
        {
            return otherwise;
        }

        if (options.Addresses.Length > 0 && options.Addresses.Any(a => a >= region.Start && a < region.End))
        {
            return RegionPlacement.Bind(options.Node);
        }

        var sizeOk = region.Length >= options.MinSize && (options.MaxSize == 0 || region.Length <= options.MaxSize);
        if (!sizeOk)
        {
            return otherwise;
        }

        var index = _seen++;
        if (options.Addresses.Length > 0 && options.Order.Length == 0)
        {
            return otherwise;
        }

        return options.Order.Length == 0 || options.Order.Contains(index) ? RegionPlacement.Bind(options.Node) : otherwise;
    }

    /// <inheritdoc />
    public IReadOnlyList<PageMigration> OnEpoch(EpochReport report) => [];
}
