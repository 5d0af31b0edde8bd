using DeepMem.Core;
using DeepMem.Estimator;

namespace DeepMem.Experiments;

/// <summary>The differential estimator: replays single-device window traces (<c>estimator.traces</c>); fast.</summary>
public sealed class EstimatorBackend : IBackend
{
    /// <summary>Its name in experiment files.</summary>
    public const string BackendName = "estimator";

    /// <inheritdoc />
    public string Name => BackendName;

    /// <inheritdoc />
    public IReadOnlyList<BackendProblem> Check(Experiment experiment, BackendCheck depth)
    {
        if (depth == BackendCheck.Load)
        {
            return [];
        }

        var dir = experiment.Estimator.TraceDir;
        if (dir is null)
        {
            return [BackendProblem.Error("estimator.traces", null,
                "the estimator backend needs 'estimator.traces', a folder of window traces (record them with: deepmem trace <file>)")];
        }

        if (!Directory.Exists(dir))
        {
            return [BackendProblem.Error("estimator.traces", dir,
                $"traces folder '{dir}' {(File.Exists(dir) ? "is a file, not a folder" : "does not exist")} (record it with: deepmem trace <file>)")];
        }

        if (depth != BackendCheck.Full)
        {
            return [];
        }

        try
        {
            var estimator = Load(experiment);
            return EstimatorSimulator.Check(experiment.Spec, estimator.Traces).Select(p => BackendProblem.Error("estimator.traces", dir, p)).ToList();
        }
        catch (BackendUnavailableException e)
        {
            return [BackendProblem.Error("estimator.traces", dir, e.Message)];
        }
    }

    /// <summary>
    /// The estimator's own code (the window formulas, the replay) and the
    /// built-in policies it runs change its answer as much as the traces do.
    /// A deterministic build's module version id is a hash of the compiled
    /// code, so a stored estimate reruns exactly when either changed.
    /// </summary>
    private static readonly string CodeDigest = ContentDigest.OfText(string.Join(",",
        new[] { typeof(DifferentialEstimator), typeof(IPlacementPolicy), typeof(DeepMem.Policies.PolicySpec), typeof(EstimatorBackend) }
            .Select(t => t.Assembly.ManifestModule.ModuleVersionId)));

    /// <inheritdoc />
    public object KeyInputs(Experiment experiment, IDictionary<string, string> inputs)
    {
        var estimator = experiment.Estimator;
        inputs["traces"] = estimator.TraceDir is { } dir ? ContentDigest.OfFolder(dir, TraceFormat.FilePattern) : ContentDigest.Missing;
        inputs["estimator code"] = CodeDigest;
        // The loaded-latency model is an input only when on, so that results
        // stored before it existed (all with the model off) keep their keys.
        if (estimator.LoadedLatency != LoadedLatency.Off)
        {
            inputs["loaded_latency"] = ContentDigest.OfText(estimator.LoadedLatency.ToString());
        }

        return new
        {
            Reference = estimator.Reference.ToString(),
            estimator.WriteWeight,
            estimator.AccessBytes,
            estimator.UseCalibration,
            estimator.Refill,
        };
    }

    /// <inheritdoc />
    public IMemorySimulator Create(Experiment experiment, Action<string>? log = null) => experiment.Estimator.TraceDir switch
    {
        null => throw new BackendUnavailableException(
            "the estimator backend needs traces: set estimator.traces to a folder of window traces (record them with gem5 first)"),
        var dir when !Directory.Exists(dir) => throw new BackendUnavailableException($"estimator.traces folder '{dir}' does not exist"),
        _ => new EstimatorSimulator(experiment.Estimator),
    };

    /// <inheritdoc />
    public string Describe(Experiment experiment) => $"estimator: {{ traces: {experiment.Estimator.TraceDir ?? "(none)"} }}";

    /// <summary>
    /// The estimator over the experiment's traces (one per node), or
    /// <see cref="BackendUnavailableException"/> saying why they cannot be loaded.
    /// </summary>
    public static DifferentialEstimator Load(Experiment experiment)
    {
        try
        {
            return DifferentialEstimator.Load(experiment.Estimator, experiment.Spec.Nodes.Select(n => n.Name).ToList());
        }
        catch (Exception e) when (e is TraceFormatException or TraceSetException or IOException or ArgumentException)
        {
            throw new BackendUnavailableException(e.Message);
        }
    }

    /// <summary>A simulator sharing <paramref name="estimator"/>'s precomputation (the cross-check's estimates).</summary>
    public static IMemorySimulator Create(DifferentialEstimator estimator) => new EstimatorSimulator(estimator);
}
