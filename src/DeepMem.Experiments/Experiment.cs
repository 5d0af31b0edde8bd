using DeepMem.Bridge;
using DeepMem.Core;
using DeepMem.Estimator;
using DeepMem.Policies;

namespace DeepMem.Experiments;

/// <summary>
/// One validated, immutable experiment point: what to simulate, with which
/// policy, on which backend. A file with a sweep yields several.
/// </summary>
public sealed record Experiment
{
    /// <summary>The experiment file.</summary>
    public required string SourceFile { get; init; }

    /// <summary>Optional description from the file.</summary>
    public string? Description { get; init; }

    /// <summary>The simulation: machine, workload and run settings.</summary>
    public required SimulationSpec Spec { get; init; }

    /// <summary>The policy.</summary>
    public required PolicySpec Policy { get; init; }

    /// <summary>The backend's name: one of <see cref="Backends.Names"/> ("estimator", "gem5", or one registered later).</summary>
    public required string Backend { get; init; }

    /// <summary>gem5 backend settings.</summary>
    public required Gem5Options Gem5 { get; init; }

    /// <summary>Estimator backend settings.</summary>
    public required EstimatorOptions Estimator { get; init; }

    /// <summary>Where the points run (not part of the result key: it changes no answer).</summary>
    public Execution.ExecutorSpec Executor { get; init; } = new();

    /// <summary>How the report is written (not part of the result key).</summary>
    public ReportOptions Report { get; init; } = new();

    /// <summary>Root folder of this experiment's results (a sweep's points go below it).</summary>
    public required string ResultsRoot { get; init; }

    /// <summary>The sweep values of this point (key path to value), empty without a sweep.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> SweepPoint { get; init; } = [];

    /// <summary>Folder-safe id of the point: "default" without a sweep.</summary>
    public string PointId => SweepPoint.Count == 0
        ? "default"
        : string.Join(",", SweepPoint.Select(kv => $"{kv.Key}={kv.Value}"))
            .Replace('/', '_').Replace('\\', '_').Replace(' ', '_').Replace(':', '_');

    /// <summary>The experiment's name.</summary>
    public string Name => Spec.Name;
}
