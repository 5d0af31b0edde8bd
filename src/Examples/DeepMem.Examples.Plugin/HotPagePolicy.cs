using DeepMem.Core;
using DeepMem.Core.Tiering;

namespace DeepMem.Examples.Plugin;

/// <summary>
/// An example plug-in policy: new regions prefer a node (default: the fast
/// node); at each epoch, slow-node pages with at least
/// <see cref="HotPageOptions.Threshold"/> accesses move to the fast node,
/// hottest first, as far as it has free pages and up to
/// <see cref="HotPageOptions.MaxPerEpoch"/>.
/// </summary>
/// <remarks>
/// The host creates it with the options bound from YAML, calls
/// <see cref="TieringPolicy{TOptions}.Initialize"/> once, then
/// <see cref="PlaceRegion"/> and <see cref="TieringPolicy{TOptions}.OnEpoch"/>
/// in simulation order from one thread. <see cref="TieringPolicy{TOptions}"/>
/// (in DeepMem.Core) keeps the per-page state, the fast and slow nodes and
/// the capacity accounting; this class only decides.
/// </remarks>
/// <param name="options">Options bound from the experiment's <c>policy.options</c>.</param>
public sealed class HotPagePolicy(HotPageOptions options) : TieringPolicy<HotPageOptions>(options)
{
    private int _place;

    /// <inheritdoc />
    protected override void Validate() =>
        Require(Options.Threshold >= 1, $"threshold must be at least 1 (was {Options.Threshold})");

    /// <inheritdoc />
    protected override void OnInitialized(Topology topology)
    {
        Require(Options.PlaceNode < topology.Nodes.Count, $"place_node {Options.PlaceNode} out of range (nodes: {topology.Nodes.Count})");
        _place = Options.PlaceNode < 0 ? Layout.FastNode : Options.PlaceNode;
    }

    /// <inheritdoc />
    public override RegionPlacement PlaceRegion(Region region) => RegionPlacement.Preferred(_place);

    /// <inheritdoc />
    protected override IReadOnlyList<PageMigration> Decide(EpochReport report)
    {
        if (Options.FailAtEpoch >= 0 && report.Epoch == (ulong)Options.FailAtEpoch)
        {
            throw new InvalidOperationException($"fail_at_epoch reached (epoch {report.Epoch})");
        }

        var plan = new MigrationPlan(report, Layout.Topology);
        var hot = Tracker.Touched
            .Where(p => !Layout.IsFast(p.Node) && p.EpochAccesses >= Options.Threshold)
            .OrderByDescending(p => p.EpochAccesses).ThenBy(p => p.Page);
        foreach (var page in hot)
        {
            if (plan.Count >= Options.MaxPerEpoch || !plan.TryMove(page, Layout.FastNode, Budget))
            {
                break;
            }
        }

        return Tracker.Commit(plan);
    }
}
