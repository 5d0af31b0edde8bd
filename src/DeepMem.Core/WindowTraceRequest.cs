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
public sealed record WindowTraceRequest(string Path, ulong WindowInstructions = 0);
