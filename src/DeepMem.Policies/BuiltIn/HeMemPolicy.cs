using DeepMem.Core;
using DeepMem.Core.Tiering;

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
/// Counts are added every epoch; the cooling check and the migrations run
/// on the epochs whose accumulated simulated time crosses a multiple of
/// <see cref="HeMemOptions.Period"/> (HeMem's policy thread, every 10 ms;
/// one cooling check per period crossed), or every epoch with
/// <c>time_scale: 0</c>.
/// </summary>
public sealed class HeMemPolicy(HeMemOptions options) : TieringPolicy<HeMemOptions>(options)
{
    private PeriodTimer? _period;

    /// <summary>Times every count was halved.</summary>
    public int Coolings { get; private set; }

    /// <summary>Epochs on which the policy thread ran (cooling check and migrations).</summary>
    public int Runs { get; private set; }

    /// <inheritdoc />
    protected override void OnInitialized(Topology topology)
    {
        _period = Period(Options.Period);
        BudgetHoldTicks = _period.PeriodTicks;
    }

    /// <inheritdoc />
    protected override void Validate()
    {
        Require(Options.HotReadThreshold > 0 && Options.HotWriteThreshold > 0,
            $"hot_read_threshold and hot_write_threshold must be greater than zero (were {Options.HotReadThreshold}, {Options.HotWriteThreshold})");
        Require(Options.SamplePeriod >= 1, $"sample_period must be at least 1 (was {Options.SamplePeriod})");
        Require(Options.CoolingThreshold > 0, $"cooling_threshold must be greater than zero (was {Options.CoolingThreshold})");
        Require(Options.Period > 0, $"period must be greater than zero (was {Options.Period} ns)");
    }

    /// <summary>True when the page's counts reach a hot threshold.</summary>
    public bool IsHot(PageState page) =>
        page.Reads >= Options.HotReadThreshold || page.Writes >= Options.HotWriteThreshold;

    /// <inheritdoc />
    protected override IReadOnlyList<PageMigration> Decide(EpochReport report)
    {
        var layout = Layout;
        var budget = Budget;
        var maxCount = 0.0;
        foreach (var p in Tracker.Touched)
        {
            p.Reads += p.EpochReads / Options.SamplePeriod;
            p.Writes += p.EpochWrites / Options.SamplePeriod;
            maxCount = Math.Max(maxCount, Math.Max(p.Reads, p.Writes));
        }

        var due = _period!.Advance(report.Ticks);
        if (due == 0)
        {
            return [];
        }

        Runs++;
        for (var i = 0; i < due && maxCount > Options.CoolingThreshold; i++)
        {
            foreach (var p in Tracker.Pages.Values)
            {
                p.Reads /= 2;
                p.Writes /= 2;
            }

            maxCount /= 2;
            Coolings++;
        }

        var plan = new MigrationPlan(report, layout.Topology);
        var hotSlow = Tracker.Pages.Values
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
                coldFast ??= new Queue<PageState>(Tracker.Pages.Values
                    .Where(p => layout.IsFast(p.Node) && !IsHot(p))
                    .OrderBy(p => p.Reads + p.Writes).ThenBy(p => p.LastTouchEpoch).ThenBy(p => p.Page));
                if (coldFast.Count == 0 || budget.AvailablePages < 2)
                {
                    break;
                }

                var victim = coldFast.Dequeue();
                var target = layout.DemotionTarget(plan);
                if (target < 0 || !plan.TryMove(victim, target, budget))
                {
                    break;
                }
            }

            if (!plan.TryMove(page, layout.FastNode, budget))
            {
                break;
            }
        }

        return Tracker.Commit(plan);
    }
}
