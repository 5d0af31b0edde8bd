namespace DeepMem.Core;

/// <summary>
/// A run's request for a window trace of itself: the backend writes, besides
/// its result, the trace file at <paramref name="Path"/> with one window per
/// <paramref name="WindowInstructions"/> committed instructions (0: the
/// epoch length), in the format of the single-device traces. A backend that
/// cannot record one fails the run saying so.
/// </summary>
/// <param name="Path">Where the trace goes (<c>*.trace.jsonl.gz</c>).</param>
/// <param name="WindowInstructions">Window length in instructions; 0 = the epoch length.</param>
/// <param name="Touches">Also record the cache lines the CPU touches per page (what a migration makes the caches refetch; the single-device traces have them).</param>
public sealed record WindowTraceRequest(string Path, ulong WindowInstructions = 0, bool Touches = false);
