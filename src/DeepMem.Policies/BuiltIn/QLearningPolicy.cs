using DeepMem.Core;
using DeepMem.Core.Tiering;

namespace DeepMem.Policies.BuiltIn;

/// <summary>
/// Tabular Q-learning over migration actions (<see cref="QLearningAction"/>).
/// The state is discretised from the epoch report: the fast tier's share of
/// the accesses (5 bins: &lt;25%, &lt;50%, &lt;75%, &lt;90%, ≥90%), its free
/// fraction (3 bins: ≤0.5%, ≤5%, more) and whether a slow-tier page is
/// hotter than the coldest fast-tier page (2 bins). Page heat is a moving
/// average of accesses per epoch (halved every epoch). The reward of the
/// previous epoch's action is −(epoch time in µs per million instructions),
/// so maximising it minimises run time; the update is the standard
/// Q(s,a) += α (r + γ max Q(s′,·) − Q(s,a)). Actions are ε-greedy with a
/// seeded generator, so a run is deterministic for a fixed seed. Migrations
/// respect capacity and the MB/s limit. <c>deepmem train</c> trains a table
/// over many episodes on the estimator backend.
/// </summary>
public sealed class QLearningPolicy : TieringPolicy<QLearningOptions>
{
    /// <summary>Description of the state features, stored in tables.</summary>
    public const string Features = "fast-share:5,fast-free:3,swap-gain:2";

    /// <summary>Number of discrete states.</summary>
    public const int StateCount = 5 * 3 * 2;

    private static readonly int ActionCount = Enum.GetValues<QLearningAction>().Length;
    private readonly bool _tableGiven;
    private Random _random;
    private int? _lastState;
    private QLearningAction _lastAction;

    /// <summary>A policy that loads its table from <see cref="QLearningOptions.Table"/> (or starts from zeros when it is empty or <see cref="QLearningOptions.Fresh"/>).</summary>
    public QLearningPolicy(QLearningOptions options)
        : base(options)
    {
        Table = new QTable(StateCount, ActionCount) { Features = Features };
        _random = new Random(options.Seed);
    }

    /// <summary>A policy that learns into (or acts on) a given table, e.g. across training episodes.</summary>
    public QLearningPolicy(QLearningOptions options, QTable table)
        : this(options)
    {
        Table = table;
        _tableGiven = true;
    }

    /// <summary>The action values.</summary>
    public QTable Table { get; private set; }

    /// <summary>Actions taken, in order (for inspection and tests).</summary>
    public List<QLearningAction> ActionsTaken { get; } = [];

    /// <summary>Sum of the rewards seen so far.</summary>
    public double TotalReward { get; private set; }

    /// <inheritdoc />
    protected override void Validate()
    {
        Require(Options.Epsilon is >= 0 and <= 1, $"epsilon must be in [0, 1] (was {Options.Epsilon})");
        Require(Options.Alpha is > 0 and <= 1, $"alpha must be in (0, 1] (was {Options.Alpha})");
        Require(Options.Gamma is >= 0 and < 1, $"gamma must be in [0, 1) (was {Options.Gamma})");
        Require(Options.BatchFraction is > 0 and <= 1, $"batch_fraction must be in (0, 1] (was {Options.BatchFraction})");
        Require(!(Options.Save && string.IsNullOrWhiteSpace(Options.Table)), "save: true needs 'table', the file to write the Q table to");
    }

    /// <inheritdoc />
    protected override void OnInitialized(Topology topology)
    {
        if (!_tableGiven && !Options.Fresh && !string.IsNullOrWhiteSpace(Options.Table))
        {
            // A missing file is an error, not an all-zero table: 'fresh: true' says so explicitly.
            Table = Options.MissingTable() is { } missing
                ? throw new ArgumentException(missing)
                : QTable.Load(Options.Table, Features, StateCount, ActionCount);
        }

        _random = new Random(Options.Seed);
        _lastState = null;
        TotalReward = 0;
        ActionsTaken.Clear();
    }

    /// <summary>The reward of an epoch: −(µs per million instructions).</summary>
    public double Reward(EpochReport report)
    {
        var micros = Layout.Seconds(report) * 1e6;
        return report.EpochInstructions > 0 ? -micros * 1e6 / report.EpochInstructions : -micros;
    }

    /// <inheritdoc />
    protected override IReadOnlyList<PageMigration> Decide(EpochReport report)
    {
        foreach (var p in Tracker.Pages.Values)
        {
            p.Heat /= 2;
        }

        foreach (var p in Tracker.Touched)
        {
            p.Heat += p.EpochAccesses / 2.0;
        }

        var state = State(report);
        if (_lastState is { } s)
        {
            var reward = Reward(report);
            TotalReward += reward;
            if (Options.Learn)
            {
                var a = (int)_lastAction;
                var q = Table.Values[s];
                q[a] += Options.Alpha * (reward + Options.Gamma * Table.Values[state].Max() - q[a]);
                Table.Visits[s][a]++;
            }
        }

        var action = Choose(state);
        _lastState = state;
        _lastAction = action;
        ActionsTaken.Add(action);
        var migrations = Act(action, report);
        if (Options.Save && Options.Learn)
        {
            Table.Save(Options.Table);
        }

        return migrations;
    }

    /// <summary>The discretised state of an epoch (0..<see cref="StateCount"/>-1).</summary>
    public int State(EpochReport report)
    {
        var layout = Layout;
        ulong total = 0, fastAccesses = 0;
        long free = 0;
        foreach (var n in report.Nodes)
        {
            total += n.Accesses;
            if (n.Node == layout.FastNode)
            {
                fastAccesses += n.Accesses;
                free = (long)n.FreePages;
            }
        }

        var share = total == 0 ? 1.0 : fastAccesses / (double)total;
        var shareBin = share < 0.25 ? 0 : share < 0.5 ? 1 : share < 0.75 ? 2 : share < 0.9 ? 3 : 4;
        var freeFraction = free / (double)Math.Max(1UL, layout.FastCapacityPages);
        var freeBin = freeFraction <= 0.005 ? 0 : freeFraction <= 0.05 ? 1 : 2;
        double hottestSlow = 0, coldestFast = double.MaxValue;
        foreach (var p in Tracker.Pages.Values)
        {
            if (layout.IsFast(p.Node))
            {
                coldestFast = Math.Min(coldestFast, p.Heat);
            }
            else
            {
                hottestSlow = Math.Max(hottestSlow, p.Heat);
            }
        }

        var gainBin = hottestSlow > 0 && (free > 0 || hottestSlow > coldestFast) ? 1 : 0;
        return (shareBin * 3 + freeBin) * 2 + gainBin;
    }

    private QLearningAction Choose(int state)
    {
        if (Options.Epsilon > 0 && _random.NextDouble() < Options.Epsilon)
        {
            return (QLearningAction)_random.Next(ActionCount);
        }

        var q = Table.Values[state];
        var best = 0;
        for (var a = 1; a < q.Length; a++)
        {
            if (q[a] > q[best])
            {
                best = a;
            }
        }

        return (QLearningAction)best;
    }

    private IReadOnlyList<PageMigration> Act(QLearningAction action, EpochReport report)
    {
        var layout = Layout;
        var plan = new MigrationPlan(report, layout.Topology);
        var batch = Math.Max(1, (int)Math.Round(layout.FastCapacityPages * Options.BatchFraction));
        var few = Math.Max(1, batch / 4);
        switch (action)
        {
            case QLearningAction.PromoteFew:
                Promote(plan, few);
                break;
            case QLearningAction.PromoteMany:
                Promote(plan, batch);
                break;
            case QLearningAction.DemoteCold:
                var cold = Tracker.Pages.Values
                    .Where(p => layout.IsFast(p.Node) && p.LastTouchEpoch < Tracker.Epoch)
                    .OrderBy(p => p.Heat).ThenBy(p => p.Page).Take(few);
                foreach (var page in cold)
                {
                    var target = layout.DemotionTarget(plan);
                    if (target < 0 || !plan.TryMove(page, target, Budget))
                    {
                        break;
                    }
                }

                break;
        }

        return Tracker.Commit(plan);
    }

    private void Promote(MigrationPlan plan, int count)
    {
        var layout = Layout;
        var hot = Tracker.Pages.Values
            .Where(p => !layout.IsFast(p.Node) && p.Heat > 0)
            .OrderByDescending(p => p.Heat).ThenBy(p => p.Page).Take(count);
        Queue<PageState>? coldFast = null;
        foreach (var page in hot)
        {
            if (plan.Free(layout.FastNode) <= 0)
            {
                coldFast ??= new Queue<PageState>(Tracker.Pages.Values
                    .Where(p => layout.IsFast(p.Node))
                    .OrderBy(p => p.Heat).ThenBy(p => p.Page));
                if (coldFast.Count == 0 || coldFast.Peek().Heat >= page.Heat || Budget.AvailablePages < 2)
                {
                    break;
                }

                var target = layout.DemotionTarget(plan);
                if (target < 0 || !plan.TryMove(coldFast.Dequeue(), target, Budget))
                {
                    break;
                }
            }

            if (!plan.TryMove(page, layout.FastNode, Budget))
            {
                break;
            }
        }
    }
}
