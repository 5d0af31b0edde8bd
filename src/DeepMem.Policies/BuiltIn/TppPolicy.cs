using DeepMem.Core;
using DeepMem.Core.Tiering;

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
public sealed class TppPolicy(TppOptions options) : TieringPolicy<TppOptions>(options)
{
    /// <summary>Pages promoted so far.</summary>
    public ulong Promoted => Initialized ? Budget.TakenPages : 0;

    /// <summary>Only promotions are rate limited (<see cref="TppOptions.PromoteRateLimit"/>); demotion is not.</summary>
    protected override double MigrationRate => Options.PromoteRateLimit;

    /// <inheritdoc />
    protected override void Validate()
    {
        Require(Options.HotThresholdEpochs >= 1, $"hot_threshold_epochs must be at least 1 (was {Options.HotThresholdEpochs})");
        Require(Options.DemoteScaleFactor is >= 0 and < 1, $"demote_scale_factor must be a fraction in [0, 1) (was {Options.DemoteScaleFactor})");
    }

    /// <summary>True when a page is a promotion candidate in the latest epoch.</summary>
    public bool IsRetouched(PageState page) =>
        page.LastTouchEpoch == Tracker.Epoch && page.EpochAccesses > 0 && page.PreviousTouchEpoch is { } previous
        && page.LastTouchEpoch - previous <= (ulong)Options.HotThresholdEpochs;

    /// <inheritdoc />
    protected override IReadOnlyList<PageMigration> Decide(EpochReport report)
    {
        var layout = Layout;
        var plan = new MigrationPlan(report, layout.Topology);
        var fast = layout.FastNode;
        var watermark = (long)Math.Ceiling(layout.FastCapacityPages * Options.DemoteScaleFactor);
        if (plan.Free(fast) < watermark)
        {
            var lru = Tracker.Pages.Values
                .Where(p => layout.IsFast(p.Node) && p.LastTouchEpoch < Tracker.Epoch)
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

        var candidates = Tracker.Touched
            .Where(p => !layout.IsFast(p.Node) && IsRetouched(p))
            .OrderBy(p => p.LastTouchEpoch - p.PreviousTouchEpoch!.Value)
            .ThenByDescending(p => p.EpochAccesses).ThenBy(p => p.Page);
        foreach (var page in candidates)
        {
            if (plan.Free(fast) <= 0 || !plan.TryMove(page, fast, Budget))
            {
                break;
            }
        }

        return Tracker.Commit(plan);
    }
}
