using DeepMem.Core;
using DeepMem.Core.Tiering;

namespace DeepMem.Policies.BuiltIn;

/// <summary>
/// Colloid-like latency balancing. Each epoch it compares the loaded read
/// latency of the default (fast) tier with that of the other tier (the
/// access-weighted mean of the other nodes). A node's latency is its
/// <see cref="NodeStats.AvgReadLatencyNs"/>; where that is 0 (no reads, or
/// a backend that does not measure it) it is modelled as nominal read
/// latency / (1 − utilisation), utilisation = bytes moved / (bandwidth ×
/// epoch time). Within <see cref="ColloidOptions.Delta"/> nothing moves.
/// Otherwise the hottest pages of the slower tier move to the faster one
/// until the heat moved reaches <see cref="ColloidOptions.Step"/> × gap ×
/// the heat of the slower tier (gap = |L_fast − L_other| / max); promotions
/// into a full fast tier swap with its coldest page when the promoted page is
/// <see cref="ColloidOptions.SwapRatio"/> times hotter, and count their net
/// heat. Heat is a per-page moving average of accesses per decision. Moves
/// share the MB/s limit. Decisions run on the epochs whose accumulated
/// simulated time crosses a multiple of <see cref="ColloidOptions.Period"/>
/// (10 ms), with the accesses since the last decision and the latencies of
/// the deciding epoch; with <c>time_scale: 0</c>, every epoch.
/// </summary>
public sealed class ColloidPolicy(ColloidOptions options) : TieringPolicy<ColloidOptions>(options)
{
    private ulong _lastDecayEpoch;
    private PeriodTimer? _period;

    /// <summary>Decisions so far.</summary>
    public int Runs { get; private set; }

    /// <inheritdoc />
    protected override void OnInitialized(Topology topology)
    {
        _period = Period(Options.Period);
        BudgetHoldTicks = _period.PeriodTicks;
    }

    /// <summary>Loaded latency of the fast tier in the latest epoch.</summary>
    public double FastLatencyNs { get; private set; }

    /// <summary>Loaded latency of the other tier in the latest epoch.</summary>
    public double OtherLatencyNs { get; private set; }

    /// <inheritdoc />
    protected override void Validate()
    {
        Require(Options.Delta >= 0, $"delta must be at least 0 (was {Options.Delta})");
        Require(Options.Step is > 0 and <= 1, $"step must be in (0, 1] (was {Options.Step})");
        Require(Options.Decay is >= 0 and < 1, $"decay must be in [0, 1) (was {Options.Decay})");
        Require(Options.SwapRatio >= 1, $"swap_ratio must be at least 1 (was {Options.SwapRatio})");
        Require(Options.MaxUtilization is > 0 and < 1, $"max_utilization must be in (0, 1) (was {Options.MaxUtilization})");
        Require(Options.Period > 0, $"period must be greater than zero (was {Options.Period} ns)");
    }

    /// <summary>The loaded read latency of a node in an epoch, measured or modelled.</summary>
    public double LoadedLatencyNs(NodeStats stats, double seconds)
    {
        if (stats.AvgReadLatencyNs > 0 && stats.Reads > 0)
        {
            return stats.AvgReadLatencyNs;
        }

        var node = Layout.Topology.Nodes[stats.Node];
        var capacity = node.BandwidthGBps * 1e9 * seconds;
        var utilization = capacity > 0 ? Math.Min(Options.MaxUtilization, (stats.BytesRead + stats.BytesWritten) / capacity) : 0;
        return node.ReadLatencyNs / (1 - utilization);
    }

    /// <inheritdoc />
    protected override IReadOnlyList<PageMigration> Decide(EpochReport report)
    {
        var layout = Layout;
        var budget = Budget;
        if (PeriodsInEpochs)
        {
            var elapsed = report.Epoch > _lastDecayEpoch ? report.Epoch - _lastDecayEpoch : 1;
            _lastDecayEpoch = report.Epoch;
            var factor = Math.Pow(Options.Decay, elapsed);
            foreach (var p in Tracker.Pages.Values)
            {
                p.Heat *= factor;
            }

            foreach (var p in Tracker.Touched)
            {
                p.Heat += (1 - Options.Decay) * p.EpochAccesses;
            }
        }
        else
        {
            // Accesses since the last decision wait in Reads (Colloid keeps no read count of its own).
            foreach (var p in Tracker.Touched)
            {
                p.Reads += p.EpochAccesses;
            }

            var due = _period!.Advance(report.Ticks);
            if (due == 0)
            {
                return [];
            }

            var factor = Math.Pow(Options.Decay, due);
            foreach (var p in Tracker.Pages.Values)
            {
                p.Heat = p.Heat * factor + (1 - Options.Decay) * p.Reads;
                p.Reads = 0;
            }
        }

        Runs++;

        var seconds = layout.Seconds(report);
        var fastStats = report.Nodes.FirstOrDefault(n => n.Node == layout.FastNode);
        if (fastStats is null)
        {
            return [];
        }

        FastLatencyNs = LoadedLatencyNs(fastStats, seconds);
        double weighted = 0, weights = 0, plain = 0;
        foreach (var n in layout.SlowNodes)
        {
            var s = report.Nodes.FirstOrDefault(x => x.Node == n);
            if (s is null)
            {
                continue;
            }

            var l = LoadedLatencyNs(s, seconds);
            weighted += l * s.Reads;
            weights += s.Reads;
            plain += l;
        }

        OtherLatencyNs = weights > 0 ? weighted / weights : plain / layout.SlowNodes.Count;
        var max = Math.Max(FastLatencyNs, OtherLatencyNs);
        if (max <= 0)
        {
            return [];
        }

        var gap = Math.Abs(FastLatencyNs - OtherLatencyNs) / max;
        if (gap <= Options.Delta)
        {
            return [];
        }

        var plan = new MigrationPlan(report, layout.Topology);
        var promote = FastLatencyNs < OtherLatencyNs;
        var leaving = Tracker.Pages.Values
            .Where(p => layout.IsFast(p.Node) != promote && p.Heat > 0)
            .OrderByDescending(p => p.Heat).ThenBy(p => p.Page)
            .ToList();
        var goal = Options.Step * gap * leaving.Sum(p => p.Heat);
        var moved = 0.0;
        Queue<PageState>? coldFast = null;
        foreach (var page in leaving)
        {
            if (moved >= goal)
            {
                break;
            }

            var gain = page.Heat;
            if (promote)
            {
                if (plan.Free(layout.FastNode) <= 0)
                {
                    coldFast ??= new Queue<PageState>(Tracker.Pages.Values
                        .Where(p => layout.IsFast(p.Node))
                        .OrderBy(p => p.Heat).ThenBy(p => p.Page));
                    if (coldFast.Count == 0 || coldFast.Peek().Heat * Options.SwapRatio > page.Heat || budget.AvailablePages < 2)
                    {
                        break;
                    }

                    var victim = coldFast.Dequeue();
                    var target = layout.DemotionTarget(plan);
                    if (target < 0 || !plan.TryMove(victim, target, budget))
                    {
                        break;
                    }

                    gain -= victim.Heat;
                }

                if (!plan.TryMove(page, layout.FastNode, budget))
                {
                    break;
                }
            }
            else
            {
                var target = layout.DemotionTarget(plan);
                if (target < 0 || !plan.TryMove(page, target, budget))
                {
                    break;
                }
            }

            moved += gain;
        }

        return Tracker.Commit(plan);
    }
}
