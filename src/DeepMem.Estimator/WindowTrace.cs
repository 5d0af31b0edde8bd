namespace DeepMem.Estimator;

/// <summary>
/// A whole single-device window trace in memory: header, region map,
/// windows and end record. Read with <see cref="TraceReader"/>, written with
/// <see cref="TraceWriter"/>.
/// </summary>
/// <param name="Header">The header line.</param>
/// <param name="Regions">Region lines in file order.</param>
/// <param name="Windows">Windows in index order.</param>
/// <param name="End">The end line.</param>
/// <param name="Source">Where the trace came from (file path or a name), for messages.</param>
public sealed record WindowTrace(
    TraceHeader Header,
    IReadOnlyList<TraceRegion> Regions,
    IReadOnlyList<TraceWindow> Windows,
    TraceEnd End,
    string Source = "")
{
    /// <summary>File name of the trace recorded with all data on node <paramref name="nodeName"/>.</summary>
    public static string FileNameFor(string nodeName) => TraceFormat.NodeFile(nodeName);

    /// <summary>Total simulated seconds of the run.</summary>
    public double Seconds => End.Ticks / Header.TicksPerSecond;
}
