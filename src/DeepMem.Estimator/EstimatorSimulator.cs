using System.Diagnostics;
using DeepMem.Core;

namespace DeepMem.Estimator;

/// <summary>
/// The fast backend: replays the single-device traces of a workload window
/// by window and times each window with the differential model under the
/// placement the policy produces, including migrations.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item>Regions are offered to <see cref="IPlacementPolicy.PlaceRegion"/> before the first window recorded after their region line.</item>
/// <item>A page is placed when first touched (first window where the reference counts list it), by its region's mode:
/// Default: node 0, then 1, 2, ...; Preferred: its node, then the others fastest first;
/// Bind: its nodes in list order, then (counted as a bind spill) the others fastest first;
/// Interleave: the weighted pattern by virtual page number over the nodes in ascending id order (as Linux and gem5), then the other listed nodes, then the rest.
/// A node is full at its capacity in pages (from the <see cref="SimulationSpec"/>). Pages first touched in the same window are
/// placed in the order the program most likely touched them: pages outside any region, then region by region in creation order,
/// by address within a region.</item>
/// <item>An epoch ends after the window in which the committed instructions reach the next multiple of
/// <see cref="SimulationSpec.EpochInstructions"/>, or for an epoch in simulated time
/// (<see cref="SimulationSpec.Epoch"/>) at the first window boundary at or
/// after each multiple of it on the estimated timeline (0: no epochs); a window
/// that lasts two or more such epochs is replayed in as many parts, each a share of its
/// accesses, instructions and time, and an epoch can end after each part; none is
/// reported after the last window.
/// The migrations the policy returns are applied at once, in order; each costs
/// <see cref="MigrationCostSpec.PageSeconds"/> of simulated time, charged to the next epoch;
/// on N cores (the traces' count) page i of a batch stalls thread (k + i) mod N and the
/// timeline grows by the most stalled thread's sum, as in gem5.
/// A migration to a missing node, of an unmapped page or to a full node is rejected
/// and listed in the next report; a migration to the page's own node is a no-op.</item>
/// <item>Node statistics count the reference accesses; bytes are accesses × <see cref="EstimatorOptions.AccessBytes"/>.
/// The estimator models no latency, so <see cref="NodeStats.AvgReadLatencyNs"/> is 0.</item>
/// </list>
/// </remarks>
public sealed class EstimatorSimulator : IMemorySimulator
{
    private readonly EstimatorOptions _options;
    private readonly Lock _gate = new();
    private DifferentialEstimator? _estimator;

    /// <summary>A backend that loads the traces from <see cref="EstimatorOptions.TraceDir"/> on the first run (one file per spec node).</summary>
    public EstimatorSimulator(EstimatorOptions options)
    {
        _options = options;
    }

    /// <summary>A backend over traces already loaded.</summary>
    public EstimatorSimulator(TraceSet traces, EstimatorOptions? options = null)
        : this(new DifferentialEstimator(traces, options))
    {
    }

    /// <summary>A backend sharing an estimator's precomputation.</summary>
    public EstimatorSimulator(DifferentialEstimator estimator)
    {
        _options = estimator.Options;
        _estimator = estimator;
    }

    /// <inheritdoc />
    public string Name => "estimator";

    /// <inheritdoc />
    public async Task<RunResult> RunAsync(
        SimulationSpec spec,
        IPlacementPolicy policy,
        IProgress<RunProgress>? progress,
        CancellationToken cancellationToken) =>
        (await RunDetailedAsync(spec, policy, progress, cancellationToken).ConfigureAwait(false)).Result;

    /// <summary>Like <see cref="RunAsync"/>, with per-window times and placement counters.</summary>
    public Task<EstimatorRun> RunDetailedAsync(
        SimulationSpec spec,
        IPlacementPolicy policy,
        IProgress<RunProgress>? progress,
        CancellationToken cancellationToken) =>
        Task.Run(() => Run(spec, policy, progress, cancellationToken), CancellationToken.None);

    /// <summary>Runs synchronously on the calling thread (what <see cref="RunDetailedAsync"/> runs on the thread pool).</summary>
    public EstimatorRun Run(
        SimulationSpec spec,
        IPlacementPolicy policy,
        IProgress<RunProgress>? progress,
        CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        DifferentialEstimator estimator;
        try
        {
            estimator = GetEstimator(spec);
        }
        catch (Exception e) when (e is TraceFormatException or TraceSetException or IOException or ArgumentException)
        {
            return Failed($"cannot load the traces: {e.Message}", clock);
        }

        if (spec.WindowTrace is not null)
        {
            return Failed("the estimator records no window trace of its runs (the spec asks for one); record it with gem5", clock);
        }

        var problems = Check(spec, estimator.Traces);
        if (problems.Count > 0)
        {
            return Failed(string.Join("; ", problems), clock);
        }

        using var replay = new Replay(spec, estimator.Index, policy, progress, _options.AccessBytes);
        return replay.Run(clock, cancellationToken);
    }

    private DifferentialEstimator GetEstimator(SimulationSpec spec)
    {
        lock (_gate)
        {
            if (_estimator is null)
            {
                _estimator = DifferentialEstimator.Load(_options, spec.Nodes.Select(n => n.Name).ToList());
            }

            return _estimator;
        }
    }

    /// <summary>
    /// Why <paramref name="traces"/> cannot serve <paramref name="spec"/>: other
    /// nodes, another page size, or an epoch that is no multiple of the
    /// traces' window; empty when they fit.
    /// </summary>
    public static List<string> Check(SimulationSpec spec, TraceSet traces)
    {
        var problems = new List<string>();
        var traceNames = traces.Header.Nodes.Select(n => n.Name).ToList();
        var specNames = spec.Nodes.Select(n => n.Name).ToList();
        if (!traceNames.SequenceEqual(specNames))
        {
            problems.Add($"the experiment's nodes [{string.Join(", ", specNames)}] differ from the traces' nodes [{string.Join(", ", traceNames)}]");
        }

        if (spec.Cpu.Cores != traces.Header.Cores)
        {
            problems.Add($"the experiment has {spec.Cpu.Cores} cores (cpu.cores) but the traces were recorded with {traces.Header.Cores}"
                + (traces.Header.Cores == 1 ? " (single-core traces)" : "")
                + $"; the estimator replays traces only on the core count they were recorded with: record traces with cpu.cores: {spec.Cpu.Cores}");
        }

        if (spec.PageSize != traces.PageSize)
        {
            problems.Add($"page size {spec.PageSize} differs from the traces' page size {traces.PageSize}");
        }

        if (spec.EpochInstructions > 0 && spec.EpochInstructions % traces.Header.WindowInstructions != 0)
        {
            problems.Add($"epoch instructions {spec.EpochInstructions} is not a multiple of the traces' window_instructions {traces.Header.WindowInstructions}; use a multiple or record the traces with a window that divides it");
        }

        return problems;
    }

    private EstimatorRun Failed(string reason, Stopwatch clock) =>
        new(new RunResult { Backend = Name, Status = RunStatus.Failed, FailureReason = reason, HostSeconds = clock.Elapsed.TotalSeconds }, [], 0, 0, 0);
}
