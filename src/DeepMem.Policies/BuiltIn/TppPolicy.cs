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
/// In simulated time (the default): promotion runs on the epochs whose
/// accumulated time crosses a multiple of <see cref="TppOptions.ScanPeriod"/>
/// (Linux's scan, 1000 ms), over the slow-tier pages touched since the last
/// scan that went untouched at most <see cref="TppOptions.HotThreshold"/>
/// (1000 ms) between their previous touch and the latest one (as far as
/// epochs tell: from the end of the previous touch's epoch to the start of
/// the latest touch's epoch, so touches in consecutive epochs count 0). With <c>time_scale: 0</c> promotion runs every epoch
/// with the window in epochs (<see cref="TppOptions.HotThresholdEpochs"/>).
/// </summary>
public sealed class TppPolicy(TppOptions options) : TieringPolicy<TppOptions>(options)
{
    private PeriodTimer? _scan;
    private ulong _lastScanTick;
    private bool _scanned;
    private ulong _hotThresholdTicks;

    /// <summary>Promotion scans so far.</summary>
    public int Scans { get; private set; }

    /// <inheritdoc />
    protected override void OnInitialized(Topology topology)
    {
        _scan = Period(Options.ScanPeriod);
        BudgetHoldTicks = _scan.PeriodTicks;
        _hotThresholdTicks = PeriodsInEpochs ? 0 : ScaledTicks(Options.HotThreshold);
    }

    /// <summary>Pages promoted so far.</summary>
    public ulong Promoted => Initialized ? Budget.TakenPages : 0;

    /// <summary>Only promotions are rate limited (<see cref="TppOptions.PromoteRateLimit"/>); demotion is not.</summary>
    protected override double MigrationRate => Options.PromoteRateLimit;

    /// <inheritdoc />
    protected override void Validate()
    {
        Require(Options.HotThresholdEpochs >= 1, $"hot_threshold_epochs must be at least 1 (was {Options.HotThresholdEpochs})");
        Require(Options.DemoteScaleFactor is >= 0 and < 1, $"demote_scale_factor must be a fraction in [0, 1) (was {Options.DemoteScaleFactor})");
        Require(Options.HotThreshold > 0 && Options.ScanPeriod > 0,
            $"hot_threshold and scan_period must be greater than zero (were {Options.HotThreshold} ns, {Options.ScanPeriod} ns)");
    }

    /// <summary>
    /// True when a page is a promotion candidate now: with periods in epochs,
    /// touched in the latest epoch within hot_threshold_epochs of its previous
    /// touch; in simulated time, touched since the last scan after at most
    /// hot_threshold untouched (<see cref="PageState.UntouchedTicks"/>).
    /// </summary>
    public bool IsRetouched(PageState page)
    {
        if (PeriodsInEpochs)
        {
            return page.LastTouchEpoch == Tracker.Epoch && page.EpochAccesses > 0 && page.PreviousTouchEpoch is { } previous
                && page.LastTouchEpoch - previous <= (ulong)Options.HotThresholdEpochs;
        }

        return (!_scanned || page.LastTouchTick > _lastScanTick) && page.UntouchedTicks is { } untouched
            && untouched <= _hotThresholdTicks;
    }

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

        if (_scan!.Advance(report.Ticks) == 0)
        {
            return Tracker.Commit(plan);
        }

        Scans++;
        var candidates = PeriodsInEpochs
            ? Tracker.Touched
                .Where(p => !layout.IsFast(p.Node) && IsRetouched(p))
                .OrderBy(p => p.LastTouchEpoch - p.PreviousTouchEpoch!.Value)
                .ThenByDescending(p => p.EpochAccesses).ThenBy(p => p.Page)
            : Tracker.Pages.Values
                .Where(p => !layout.IsFast(p.Node) && IsRetouched(p))
                .OrderBy(p => p.UntouchedTicks!.Value)
                .ThenByDescending(p => p.LastTouchTick).ThenByDescending(p => p.EpochAccesses).ThenBy(p => p.Page);
        foreach (var page in candidates)
        {
            if (plan.Free(fast) <= 0 || !plan.TryMove(page, fast, Budget))
            {
                break;
            }
        }

        _lastScanTick = report.EndTick;
        _scanned = true;
        return Tracker.Commit(plan);
    }
}
