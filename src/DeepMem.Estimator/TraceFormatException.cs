namespace DeepMem.Estimator;

/// <summary>A window trace file is malformed; the message names the file and line.</summary>
public sealed class TraceFormatException : Exception
{
    /// <summary>Creates the exception for <paramref name="source"/> at 1-based <paramref name="lineNumber"/>.</summary>
    public TraceFormatException(string source, long lineNumber, string problem, Exception? inner = null)
        : base($"{source}:{lineNumber}: {problem}", inner)
    {
        TraceName = source;
        LineNumber = lineNumber;
        Problem = problem;
    }

    /// <summary>The file (or stream name) that is malformed.</summary>
    public string TraceName { get; }

    /// <summary>1-based line number of the problem (0: the file as a whole).</summary>
    public long LineNumber { get; }

    /// <summary>The problem without the location.</summary>
    public string Problem { get; }
}
