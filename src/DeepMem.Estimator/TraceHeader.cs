using DeepMem.Core;
namespace DeepMem.Estimator;

/// <summary>
/// First line of a window trace: what was traced and how. Unknown header
/// fields are ignored by the reader.
/// </summary>
public sealed record TraceHeader
{
    /// <summary>The only format name the reader accepts.</summary>
    public const string FormatName = TraceFormat.Name;

    /// <summary>The highest format version the reader understands.</summary>
    public const int CurrentVersion = TraceFormat.Version;

    /// <summary>Format version of the file.</summary>
    public int Version { get; init; } = CurrentVersion;

    /// <summary>Page size in bytes.</summary>
    public required ulong PageSize { get; init; }

    /// <summary>Nominal window length in committed instructions.</summary>
    public required ulong WindowInstructions { get; init; }

    /// <summary>Simulator ticks per simulated second (gem5: 1e12).</summary>
    public double TicksPerSecond { get; init; } = Gem5Defaults.TicksPerSecond;

    /// <summary>CPU model that ran the trace, e.g. "O3".</summary>
    public string Cpu { get; init; } = "";

    /// <summary>CPU cores of the traced run (header <c>cores</c>; 1 when absent, as in traces from before it).</summary>
    public int Cores { get; init; } = 1;

    /// <summary>The memory nodes of the traced system, in id order.</summary>
    public required IReadOnlyList<TraceNode> Nodes { get; init; }

    /// <summary>
    /// The node all data was bound to in this run; null when the run had no
    /// single-node default policy (such a trace cannot be part of a <see cref="TraceSet"/>).
    /// </summary>
    public required int? BoundNode { get; init; }

    /// <summary>The traced program.</summary>
    public TraceWorkload Workload { get; init; } = new("", []);
}
