namespace DeepMem.Estimator;

/// <summary>What <see cref="TraceReader.Read"/> found next.</summary>
public enum TraceRecordKind
{
    /// <summary>A region line; see <see cref="TraceReader.Region"/>.</summary>
    Region,
    /// <summary>A window line; see <see cref="TraceReader.Window"/>.</summary>
    Window,
    /// <summary>The end line; see <see cref="TraceReader.End"/>.</summary>
    End,
    /// <summary>Nothing more: the end line was read before.</summary>
    EndOfFile,
}
