namespace DeepMem.Core;

/// <summary>Progress of a running simulation.</summary>
/// <param name="Instructions">Committed instructions so far.</param>
/// <param name="Ticks">Simulated ticks so far.</param>
/// <param name="Epochs">Epochs completed.</param>
/// <param name="MigratedPages">Pages migrated so far.</param>
/// <param name="Message">Optional one-line note (e.g. a rejected decision).</param>
public sealed record RunProgress(ulong Instructions, ulong Ticks, ulong Epochs, ulong MigratedPages, string? Message = null);
