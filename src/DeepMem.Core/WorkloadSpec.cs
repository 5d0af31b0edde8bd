namespace DeepMem.Core;

/// <summary>The program to run.</summary>
/// <param name="Binary">Path of the static x86-64 binary.</param>
/// <param name="Args">Arguments after the binary.</param>
/// <param name="WorkingDir">Working directory of the program.</param>
public sealed record WorkloadSpec(string Binary, IReadOnlyList<string> Args, string WorkingDir);
