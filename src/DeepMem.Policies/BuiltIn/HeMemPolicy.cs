using DeepMem.Core;
using DeepMem.Policies.Tiering;

namespace DeepMem.Policies.BuiltIn;

/// <summary>
/// HeMem-like hot/cold tiering. Each page keeps sampled read and write
/// counts (memory-side accesses / <see cref="HeMemOptions.SamplePeriod"/>),
/// summed over epochs. After adding an epoch's counts, if any count exceeds
/// <see cref="HeMemOptions.CoolingThreshold"/> every count is halved once.
/// A page is hot when its reads reach <see cref="HeMemOptions.HotReadThreshold"/>
/// or its writes reach <see cref="HeMemOptions.HotWriteThreshold"/>. Every
/// epoch the hot slow-tier pages are promoted, hottest first; when the fast
/// tier is full, each promotion first demotes the coldest cold fast-tier
/// page. Promotions and demotions share the MB/s budget.
/// </summary>
public sealed class HeMemPolicy(HeMemOptions options) : IPlacementPolicy
{
    private readonly PageTracker _tracker = new();
    private TierLayout? _layout;
    private MigrationBudget? _budget;

    /// <summary>The options in use.</summary>
    public HeMemOptions Options { get; } = options;

    /// <summary>The per-page state (for inspection and tests).</summary>
    public PageTracker Tracker => _tracker;

    /// <summary>Times every count was halved.</summary>
    public int Coolings { get; private set; }

    /// <inheritdoc />
    public void Initialize(Topology topology)
    {
        if (Options.HotReadThreshold <= 0 || Options.HotWriteThreshold <= 0)
        {
            throw new ArgumentException($"hot_read_threshold and hot_write_threshold must be greater than zero (were {Options.HotReadThreshold}, {Options.HotWriteThreshold})");
        }

        if (Options.SamplePeriod < 1)
        {
            throw new ArgumentException($"sample_period must be at least 1 (was {Options.SamplePeriod})");
        }

        if (Options.CoolingThreshold <= 0)
        {
            throw new ArgumentException($"cooling_threshold must be greater than zero (was {Options.CoolingThreshold})");
        }

        _layout = new TierLayout(topology, Options.FastNode);
        _budget = new MigrationBudget(Options.MigrationRate, topology.PageSize);
    }

    /// <inheritdoc />
    public RegionPlacement PlaceRegion(Region region) => RegionPlacement.Preferred(Layout.FastNode);

    /// <summary>True when the page's counts reach a hot threshold.</summary>
    public bool IsHot(PageState page) =>
        page.Reads >= Options.HotReadThreshold || page.Writes >= Options.HotWriteThreshold;

    /// <inheritdoc />
    public IReadOnlyList<PageMigration> OnEpoch(EpochReport report)
    {
        var layout = Layout;
        _tracker.Observe(report);
        _budget!.Refill(report, layout.Topology);
        var maxCount = 0.0;
        foreach (var p in _tracker.Touched)
        {
            p.Reads += p.EpochReads / Options.SamplePeriod;
            p.Writes += p.EpochWrites / Options.SamplePeriod;
            maxCount = Math.Max(maxCount, Math.Max(p.Reads, p.Writes));
        }

        if (maxCount > Options.CoolingThreshold)
        {
            foreach (var p in _tracker.Pages.Values)
            {
                p.Reads /= 2;
                p.Writes /= 2;
            }

            Coolings++;
        }

        var plan = new MigrationPlan(report, layout.Topology);
        var hotSlow = _tracker.Pages.Values
            .Where(p => !layout.IsFast(p.Node) && IsHot(p))
            .OrderByDescending(p => p.Reads + p.Writes).ThenBy(p => p.Page)
            .ToList();
        if (hotSlow.Count == 0)
        {
            return [];
        }

        Queue<PageState>? coldFast = null;
        foreach (var page in hotSlow)
        {
            if (plan.Free(layout.FastNode) <= 0)
            {
                coldFast ??= new Queue<PageState>(_tracker.Pages.Values
                    .Where(p => layout.IsFast(p.Node) && !IsHot(p))
                    .OrderBy(p => p.Reads + p.Writes).ThenBy(p => p.LastTouchEpoch).ThenBy(p => p.Page));
                if (coldFast.Count == 0 || _budget.AvailablePages < 2)
                {
                    break;
                }

                var victim = coldFast.Dequeue();
                var target = layout.DemotionTarget(plan);
                if (target < 0 || !plan.TryMove(victim, target, _budget))
                {
                    break;
                }
            }

            if (!plan.TryMove(page, layout.FastNode, _budget))
            {
                break;
            }
        }

        return _tracker.Commit(plan);
    }

    private TierLayout Layout => _layout ?? throw new InvalidOperationException("Initialize was not called");
}
