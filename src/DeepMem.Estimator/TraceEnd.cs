namespace DeepMem.Estimator;

/// <summary>The last line of a window trace: run totals and the exit code.</summary>
/// <param name="Ticks">Total simulated ticks (equals the sum of the windows' ticks).</param>
/// <param name="Instructions">Total committed instructions (equals the sum of the windows' instructions).</param>
/// <param name="ExitCode">Exit code of the workload.</param>
public sealed record TraceEnd(ulong Ticks, ulong Instructions, int ExitCode);
