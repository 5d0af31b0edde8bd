namespace DeepMem.Experiments;

/// <summary>The experiment names a backend that cannot run here; the message says why and what to do.</summary>
public sealed class BackendUnavailableException(string message) : Exception(message);
