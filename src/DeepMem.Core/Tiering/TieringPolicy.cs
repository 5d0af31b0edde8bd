namespace DeepMem.Core.Tiering;

/// <summary>
/// The scaffolding of a policy that keeps hot pages on a fast tier: the
/// per-page <see cref="Tracker"/>, the <see cref="Layout"/> of fast and slow
/// nodes, a migration <see cref="Budget"/>, new regions preferring the fast
/// node, and each epoch's bookkeeping before <see cref="Decide"/>. Built-in
/// tiering policies and plug-ins (which reference only DeepMem.Core) derive
/// from it.
/// </summary>
/// <typeparam name="TOptions">The policy's options class.</typeparam>
/// <param name="options">Options bound from the experiment's <c>policy.options</c>.</param>
public abstract class TieringPolicy<TOptions>(TOptions options) : IPlacementPolicy
    where TOptions : TieringOptions
{
    private TierLayout? _layout;
    private MigrationBudget? _budget;

    /// <summary>The options in use.</summary>
    public TOptions Options { get; } = options;

    /// <summary>The per-page state (for inspection and tests).</summary>
    public PageTracker Tracker { get; } = new();

    /// <summary>Whether <see cref="Initialize"/> has run.</summary>
    protected bool Initialized => _layout is not null;

    /// <summary>The fast node and the slow nodes, fastest first.</summary>
    protected TierLayout Layout => _layout ?? throw NotInitialized();

    /// <summary>The migration budget, refilled every epoch by the epoch's simulated time.</summary>
    protected MigrationBudget Budget => _budget ?? throw NotInitialized();

    /// <summary>
    /// Bytes per second of simulated time <see cref="Budget"/> allows; 0 =
    /// unlimited. Default: <see cref="RateLimitedTieringOptions.MigrationRate"/>
    /// where the options have it, else unlimited.
    /// </summary>
    protected virtual double MigrationRate => Options is RateLimitedTieringOptions r ? r.MigrationRate : 0;

    /// <summary>Checks the options (<see cref="Validate"/>), then sets up the layout and the budget.</summary>
    public void Initialize(Topology topology)
    {
        ArgumentNullException.ThrowIfNull(topology);
        Validate();
        _layout = new TierLayout(topology, Options.FastNode);
        _budget = new MigrationBudget(MigrationRate, topology.PageSize);
        OnInitialized(topology);
    }

    /// <summary>New regions prefer the fast node.</summary>
    public virtual RegionPlacement PlaceRegion(Region region) => RegionPlacement.Preferred(Layout.FastNode);

    /// <summary>Updates <see cref="Tracker"/> and refills <see cref="Budget"/> from the report, then decides.</summary>
    public IReadOnlyList<PageMigration> OnEpoch(EpochReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        Tracker.Observe(report);
        Budget.Refill(report, Layout.Topology, BudgetHoldTicks);
        return Decide(report);
    }

    /// <summary>The epoch's migrations, usually <c>Tracker.Commit(plan)</c> of a <see cref="MigrationPlan"/>.</summary>
    protected abstract IReadOnlyList<PageMigration> Decide(EpochReport report);

    /// <summary>Throws <see cref="ArgumentException"/> for options the policy cannot run with; called first by <see cref="Initialize"/>.</summary>
    protected virtual void Validate()
    {
    }

    /// <summary>Further set-up once the layout and the budget exist.</summary>
    protected virtual void OnInitialized(Topology topology)
    {
    }

    /// <summary>
    /// Simulated ticks of allowance <see cref="Budget"/> may hold (0: one
    /// epoch's): a policy that migrates once per period sets its period here,
    /// so that one decision may use the period's allowance.
    /// </summary>
    protected ulong BudgetHoldTicks { get; set; }

    /// <summary>
    /// True when <see cref="TieringOptions.TimeScale"/> is 0: every period is
    /// one epoch, and windows the policy measures in time are measured in epochs.
    /// </summary>
    protected bool PeriodsInEpochs => Options.TimeScale <= 0;

    /// <summary>
    /// A timer for a period of <paramref name="periodNs"/> of simulated time
    /// under <see cref="TieringOptions.TimeScale"/> (due every epoch when it
    /// is 0); call from <see cref="OnInitialized"/> or later.
    /// </summary>
    protected PeriodTimer Period(double periodNs) => PeriodTimer.Scaled(periodNs, Options.TimeScale, Layout.Topology.TicksPerSecond);

    /// <summary><paramref name="ns"/> nanoseconds under <see cref="TieringOptions.TimeScale"/>, in simulator ticks.</summary>
    protected ulong ScaledTicks(double ns) =>
        (ulong)Math.Min(ulong.MaxValue, Math.Round(ns / Options.TimeScale * 1e-9 * Layout.Topology.TicksPerSecond));

    /// <summary>Throws <see cref="ArgumentException"/> with <paramref name="message"/> unless <paramref name="condition"/> holds.</summary>
    protected static void Require(bool condition, string message)
    {
        if (!condition)
        {
            throw new ArgumentException(message);
        }
    }

    private static InvalidOperationException NotInitialized() => new("Initialize was not called");
}
