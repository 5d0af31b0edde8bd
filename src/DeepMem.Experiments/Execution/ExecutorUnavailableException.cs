namespace DeepMem.Experiments.Execution;

/// <summary>The executor cannot run anything (no sbatch, a rejected submission); raised before any work.</summary>
public sealed class ExecutorUnavailableException(string message) : Exception(message);
