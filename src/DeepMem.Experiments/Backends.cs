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
        "gem5" => throw new BackendUnavailableException(
            "the gem5 backend is not available in this build yet (the live bridge is not implemented); no result was produced"),
        "estimator" => throw new BackendUnavailableException(
            "the estimator backend is not available in this build yet; no result was produced"),
        _ => throw new BackendUnavailableException($"unknown backend '{experiment.Backend}'; allowed: {string.Join(", ", ExperimentLoader.Backends)}"),
    };
}
