using DeepMem.Core;
using DeepMem.Core.Tiering;

namespace DeepMem.Policies.BuiltIn;

/// <summary>
/// A fixed placement from a plan file (<see cref="StaticPlan"/>), e.g. the
/// estimator's optimum: each region the plan names (by creation index, id
/// or an address inside it; address first, then id, then index) is bound
/// to (or prefers) its node; the others go to <see cref="StaticPlanOptions.Otherwise"/>.
/// Planned pages are moved to their node at the end of the first epoch in
/// which they are seen elsewhere, as capacity and the rate limit allow.
/// </summary>
public sealed class StaticPlanPolicy(StaticPlanOptions options) : IPlacementPolicy
{
    private readonly PageTracker _tracker = new();
    private StaticPlan _plan = new();
    private Topology? _topology;
    private MigrationBudget? _budget;
    private int _index;

    /// <summary>The options in use.</summary>
    public StaticPlanOptions Options { get; } = options;

    /// <inheritdoc />
    public void Initialize(Topology topology)
    {
        if (string.IsNullOrWhiteSpace(Options.Plan))
        {
            throw new ArgumentException("option 'plan' is required: the path of a plan file (JSON)");
        }

        _plan = StaticPlan.Load(Options.Plan);
        var bad = _plan.Nodes.Where(n => n < 0 || n >= topology.Nodes.Count).Distinct().Order().ToList();
        if (bad.Count > 0)
        {
            throw new ArgumentException($"plan '{Options.Plan}' names node(s) {string.Join(", ", bad)} out of range (nodes: {topology.Nodes.Count})");
        }

        if (Options.Otherwise >= topology.Nodes.Count)
        {
            throw new ArgumentException($"otherwise {Options.Otherwise} out of range (nodes: {topology.Nodes.Count})");
        }

        _topology = topology;
        _budget = new MigrationBudget(Options.MigrationRate, topology.PageSize);
        _index = 0;
    }

    /// <inheritdoc />
    public RegionPlacement PlaceRegion(Region region)
    {
        var index = _index++;
        int? node = null;
        foreach (var (address, n) in _plan.ByAddress)
        {
            if (address >= region.Start && address < region.End)
            {
                node = n;
                break;
            }
        }

        if (node is null && _plan.ById.TryGetValue(region.Id, out var byId))
        {
            node = byId;
        }

        if (node is null && _plan.ByIndex.TryGetValue(index, out var byIndex))
        {
            node = byIndex;
        }

        if (node is { } planned)
        {
            return Options.Mode == StaticPlanMode.Bind ? RegionPlacement.Bind(planned) : RegionPlacement.Preferred(planned);
        }

        return Options.Otherwise < 0 ? RegionPlacement.Default : RegionPlacement.Bind(Options.Otherwise);
    }

    /// <inheritdoc />
    public IReadOnlyList<PageMigration> OnEpoch(EpochReport report)
    {
        if (_plan.Pages.Count == 0 || _topology is null)
        {
            return [];
        }

        _tracker.Observe(report);
        _budget!.Refill(report, _topology);
        var plan = new MigrationPlan(report, _topology);
        foreach (var page in _tracker.Touched)
        {
            if (_plan.Pages.TryGetValue(page.Page, out var target) && page.Node != target)
            {
                plan.TryMove(page, target, _budget);
            }
        }

        return _tracker.Commit(plan);
    }
}
