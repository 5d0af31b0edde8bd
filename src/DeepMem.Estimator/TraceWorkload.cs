namespace DeepMem.Estimator;

/// <summary>The traced program as recorded in a window trace header.</summary>
/// <param name="Binary">Path of the binary.</param>
/// <param name="Args">Its arguments.</param>
public sealed record TraceWorkload(string Binary, IReadOnlyList<string> Args);
