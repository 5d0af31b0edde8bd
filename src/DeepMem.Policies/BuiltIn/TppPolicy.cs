using DeepMem.Core;
using DeepMem.Policies.Tiering;

namespace DeepMem.Policies.BuiltIn;

/// <summary>
/// Linux NUMA-balancing tiering as extended by TPP, with one scan per
/// epoch. Demotion (kswapd, not rate limited): while the fast tier has less
/// than <see cref="TppOptions.DemoteScaleFactor"/> of its capacity free, its
/// least recently touched pages (not touched in this epoch) are demoted.
/// Promotion (hint faults): a slow-tier page touched in this epoch whose
/// previous touch was at most <see cref="TppOptions.HotThresholdEpochs"/>
/// epochs earlier is promoted, most recently re-touched and most accessed
/// first, while the fast tier has a free page and the promotion rate limit allows.
/// A page touched once is never promoted.
/// </summary>
public sealed class TppPolicy(TppOptions options) : IPlacementPolicy
{
    private readonly PageTracker _tracker = new();
    private TierLayout? _layout;
    private MigrationBudget? _promotions;

    /// <summary>The options in use.</summary>
    public TppOptions Options { get; } = options;

    /// <summary>The per-page state.</summary>
    public PageTracker Tracker => _tracker;

    /// <summary>Pages promoted so far.</summary>
    public ulong Promoted => _promotions?.TakenPages ?? 0;

    /// <inheritdoc />
    public void Initialize(Topology topology)
    {
        if (Options.HotThresholdEpochs < 1)
        {
            throw new ArgumentException($"hot_threshold_epochs must be at least 1 (was {Options.HotThresholdEpochs})");
        }

        if (Options.DemoteScaleFactor is < 0 or >= 1)
        {
            throw new ArgumentException($"demote_scale_factor must be a fraction in [0, 1) (was {Options.DemoteScaleFactor})");
        }

        _layout = new TierLayout(topology, Options.FastNode);
        _promotions = new MigrationBudget(Options.PromoteRateLimit, topology.PageSize);
    }

    /// <inheritdoc />
    public RegionPlacement PlaceRegion(Region region) => RegionPlacement.Preferred(Layout.FastNode);

    /// <summary>True when a page is a promotion candidate in the latest epoch.</summary>
    public bool IsRetouched(PageState page) =>
        page.LastTouchEpoch == _tracker.Epoch && page.EpochAccesses > 0 && page.PreviousTouchEpoch is { } previous
        && page.LastTouchEpoch - previous <= (ulong)Options.HotThresholdEpochs;

    /// <inheritdoc />
    public IReadOnlyList<PageMigration> OnEpoch(EpochReport report)
    {
        var layout = Layout;
        _tracker.Observe(report);
        _promotions!.Refill(report, layout.Topology);
        var plan = new MigrationPlan(report, layout.Topology);
        var fast = layout.FastNode;
        var watermark = (long)Math.Ceiling(layout.FastCapacityPages * Options.DemoteScaleFactor);
        if (plan.Free(fast) < watermark)
        {
            var lru = _tracker.Pages.Values
                .Where(p => layout.IsFast(p.Node) && p.LastTouchEpoch < _tracker.Epoch)
                .OrderBy(p => p.LastTouchEpoch).ThenBy(p => p.Page);
            foreach (var victim in lru)
            {
                if (plan.Free(fast) >= watermark)
                {
                    break;
                }

                var target = layout.DemotionTarget(plan);
                if (target < 0 || !plan.TryMove(victim, target, null))
                {
                    break;
                }
            }
        }

        var candidates = _tracker.Touched
            .Where(p => !layout.IsFast(p.Node) && IsRetouched(p))
            .OrderBy(p => p.LastTouchEpoch - p.PreviousTouchEpoch!.Value)
            .ThenByDescending(p => p.EpochAccesses).ThenBy(p => p.Page);
        foreach (var page in candidates)
        {
            if (plan.Free(fast) <= 0 || !plan.TryMove(page, fast, _promotions))
            {
                break;
            }
        }

        return _tracker.Commit(plan);
    }

    private TierLayout Layout => _layout ?? throw new InvalidOperationException("Initialize was not called");
}
