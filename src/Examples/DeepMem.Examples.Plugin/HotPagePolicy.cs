using DeepMem.Core;

namespace DeepMem.Examples.Plugin;

/// <summary>
/// An example plug-in policy: new regions prefer a node (default: the
/// fastest); at each
/// epoch, pages on other nodes with at least <see cref="HotPageOptions.Threshold"/>
/// accesses move to the fastest node, hottest first, as far as it has free
/// pages and up to <see cref="HotPageOptions.MaxPerEpoch"/>.
/// </summary>
/// <remarks>
/// The host creates it with the options bound from YAML, calls
/// <see cref="Initialize"/> once, then <see cref="PlaceRegion"/> and
/// <see cref="OnEpoch"/> in simulation order from one thread.
/// </remarks>
/// <param name="options">Options bound from the experiment's <c>policy.options</c>.</param>
public sealed class HotPagePolicy(HotPageOptions options) : IPlacementPolicy
{
    private int _fast;
    private int _place;

    /// <summary>The options the host bound.</summary>
    public HotPageOptions Options { get; } = options;

    /// <inheritdoc />
    public void Initialize(Topology topology)
    {
        if (Options.Threshold < 1)
        {
            throw new ArgumentException($"threshold must be at least 1 (was {Options.Threshold})");
        }

        if (Options.PlaceNode >= topology.Nodes.Count)
        {
            throw new ArgumentException($"place_node {Options.PlaceNode} out of range (nodes: {topology.Nodes.Count})");
        }

        _fast = topology.FastestNode.Id;
        _place = Options.PlaceNode < 0 ? _fast : Options.PlaceNode;
    }

    /// <inheritdoc />
    public RegionPlacement PlaceRegion(Region region) => RegionPlacement.Preferred(_place);

    /// <inheritdoc />
    public IReadOnlyList<PageMigration> OnEpoch(EpochReport report)
    {
        if (Options.FailAtEpoch >= 0 && report.Epoch == (ulong)Options.FailAtEpoch)
        {
            throw new InvalidOperationException($"fail_at_epoch reached (epoch {report.Epoch})");
        }

        var free = (long)(report.Nodes.FirstOrDefault(n => n.Node == _fast)?.FreePages ?? 0);
        var budget = (int)Math.Min(free, Options.MaxPerEpoch);
        var pages = report.Pages;
        return Enumerable.Range(0, pages.Count)
            .Where(i => pages.Nodes[i] != _fast && pages.Reads[i] + pages.Writes[i] >= Options.Threshold)
            .OrderByDescending(i => pages.Reads[i] + pages.Writes[i]).ThenBy(i => pages.PageNumbers[i])
            .Take(Math.Max(0, budget))
            .Select(i => new PageMigration(pages.PageNumbers[i], _fast))
            .ToList();
    }
}
