using DeepMem.Core;
using DeepMem.Core.Tiering;

namespace DeepMem.Policies.BuiltIn;

/// <summary>
/// Memtis-like histogram threshold. Each page keeps a sampled access count
/// (memory-side reads + writes / <see cref="MemtisOptions.SamplePeriod"/>),
/// binned by log2: bin 0 holds count &lt; 1, bin b ≥ 1 holds
/// [2^(b-1), 2^b), the last bin everything above. The hot threshold is the
/// lowest non-empty bin t such that the pages in bins ≥ t fit in the fast
/// tier's capacity minus the watermark (see <see cref="Threshold"/>);
/// pages in bins ≥ t are hot. Every <see cref="MemtisOptions.CoolingSamples"/>
/// samples every count is halved. Each epoch: cold fast-tier pages
/// (bin &lt; t) are demoted, coldest first, until the watermark is free;
/// then hot slow-tier pages are promoted, hottest first, swapping with the
/// coldest cold fast-tier page when only the watermark is left. All moves
/// share the MB/s cap. Counts and cooling follow every epoch (cooling is by
/// samples, as in Memtis); the threshold and the migrations run on the
/// epochs whose accumulated simulated time crosses a multiple of
/// <see cref="MemtisOptions.Period"/> (kmigrated, 500 ms), or every epoch
/// with <c>time_scale: 0</c>.
/// </summary>
public sealed class MemtisPolicy(MemtisOptions options) : TieringPolicy<MemtisOptions>(options)
{
    private double _samplesSinceCooling;
    private PeriodTimer? _period;

    /// <summary>Epochs on which kmigrated ran (threshold and migrations).</summary>
    public int Runs { get; private set; }

    /// <inheritdoc />
    protected override void OnInitialized(Topology topology)
    {
        _period = Period(Options.Period);
        BudgetHoldTicks = _period.PeriodTicks;
    }

    /// <summary>The histogram of the latest epoch: pages per bin.</summary>
    public long[] Histogram { get; private set; } = [];

    /// <summary>The hot threshold bin of the latest epoch.</summary>
    public int HotThresholdBin { get; private set; }

    /// <summary>Times every count was halved.</summary>
    public int Coolings { get; private set; }

    /// <inheritdoc />
    protected override void Validate()
    {
        Require(Options.Bins is >= 2 and <= 64, $"bins must be between 2 and 64 (was {Options.Bins})");
        Require(Options.Watermark is >= 0 and < 1, $"watermark must be a fraction in [0, 1) (was {Options.Watermark})");
        Require(Options.SamplePeriod >= 1, $"sample_period must be at least 1 (was {Options.SamplePeriod})");
        Require(Options.CoolingSamples > 0, $"cooling_samples must be greater than zero (was {Options.CoolingSamples})");
        Require(Options.Period > 0, $"period must be greater than zero (was {Options.Period} ns)");
    }

    /// <summary>Histogram bin of a count.</summary>
    public int Bin(double count) =>
        count < 1 ? 0 : Math.Min(Options.Bins - 1, 1 + (int)Math.Floor(Math.Log2(count)));

    /// <summary>
    /// The lowest non-empty bin t (≥ 1) such that the pages in bins ≥ t
    /// number at most <paramref name="limitPages"/>; when even the highest
    /// non-empty bin holds more, that bin (its pages are the hottest; capacity
    /// still bounds what moves); the top bin when every bin ≥ 1 is empty.
    /// </summary>
    public static int Threshold(IReadOnlyList<long> histogram, long limitPages)
    {
        var top = histogram.Count - 1;
        int? threshold = null;
        int? highest = null;
        long sum = 0;
        for (var b = top; b >= 1; b--)
        {
            if (histogram[b] == 0)
            {
                continue;
            }

            highest ??= b;
            sum += histogram[b];
            if (sum > limitPages)
            {
                break;
            }

            threshold = b;
        }

        return threshold ?? highest ?? top;
    }

    /// <inheritdoc />
    protected override IReadOnlyList<PageMigration> Decide(EpochReport report)
    {
        var layout = Layout;
        var budget = Budget;
        foreach (var p in Tracker.Touched)
        {
            var sampled = p.EpochAccesses / Options.SamplePeriod;
            p.Heat += sampled;
            _samplesSinceCooling += sampled;
        }

        if (_samplesSinceCooling >= Options.CoolingSamples)
        {
            foreach (var p in Tracker.Pages.Values)
            {
                p.Heat /= 2;
            }

            _samplesSinceCooling = 0;
            Coolings++;
        }

        if (_period!.Advance(report.Ticks) == 0)
        {
            return [];
        }

        Runs++;

        var histogram = new long[Options.Bins];
        foreach (var p in Tracker.Pages.Values)
        {
            histogram[Bin(p.Heat)]++;
        }

        var watermarkPages = (long)Math.Ceiling(layout.FastCapacityPages * Options.Watermark);
        var limit = (long)layout.FastCapacityPages - watermarkPages;
        var t = Threshold(histogram, limit);
        Histogram = histogram;
        HotThresholdBin = t;

        var plan = new MigrationPlan(report, layout.Topology);
        var fast = layout.FastNode;
        var coldFast = new Queue<PageState>(Tracker.Pages.Values
            .Where(p => layout.IsFast(p.Node) && Bin(p.Heat) < t)
            .OrderBy(p => p.Heat).ThenBy(p => p.LastTouchEpoch).ThenBy(p => p.Page));
        while (plan.Free(fast) < watermarkPages && coldFast.Count > 0)
        {
            var target = layout.DemotionTarget(plan);
            if (target < 0 || !plan.TryMove(coldFast.Dequeue(), target, budget))
            {
                break;
            }
        }

        var hotSlow = Tracker.Pages.Values
            .Where(p => !layout.IsFast(p.Node) && Bin(p.Heat) >= t && p.Heat >= 1)
            .OrderByDescending(p => p.Heat).ThenBy(p => p.Page);
        foreach (var page in hotSlow)
        {
            if (plan.Free(fast) <= watermarkPages)
            {
                if (coldFast.Count == 0 || budget.AvailablePages < 2)
                {
                    break;
                }

                var target = layout.DemotionTarget(plan);
                if (target < 0 || !plan.TryMove(coldFast.Dequeue(), target, budget))
                {
                    break;
                }
            }

            if (!plan.TryMove(page, fast, budget))
            {
                break;
            }
        }

        return Tracker.Commit(plan);
    }
}
