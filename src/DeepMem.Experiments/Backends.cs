using DeepMem.Core;

namespace DeepMem.Experiments;

/// <summary>Creates the simulator an experiment asks for.</summary>
public static class Backends
{
    /// <summary>
    /// The simulator for <paramref name="experiment"/>, or
    /// <see cref="BackendUnavailableException"/> saying what is missing.
    /// </summary>
    public static IMemorySimulator Create(Experiment experiment) => experiment.Backend switch
    {
        "gem5" => new Bridge.Gem5Simulator(experiment.Gem5, line => Console.Error.WriteLine($"{experiment.Name}/{experiment.PointId}: {line}")),
        "estimator" => experiment.Estimator.TraceDir is null
            ? throw new BackendUnavailableException(
                "the estimator backend needs traces: set estimator.traces to a folder of window traces (record them with gem5 first)")
            : Directory.Exists(experiment.Estimator.TraceDir)
                ? new Estimator.EstimatorSimulator(experiment.Estimator)
                : throw new BackendUnavailableException($"estimator.traces folder '{experiment.Estimator.TraceDir}' does not exist"),
        _ => throw new BackendUnavailableException($"unknown backend '{experiment.Backend}'; allowed: {string.Join(", ", ExperimentLoader.Backends)}"),
    };
}
