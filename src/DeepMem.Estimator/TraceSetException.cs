namespace DeepMem.Estimator;

/// <summary>The traces of a <see cref="TraceSet"/> do not fit together; every problem is listed.</summary>
public sealed class TraceSetException : Exception
{
    /// <summary>Creates the exception from all problems found.</summary>
    public TraceSetException(IReadOnlyList<string> problems)
        : base("the traces do not form one trace set:" + Environment.NewLine + "  " + string.Join(Environment.NewLine + "  ", problems))
    {
        Problems = problems;
    }

    /// <summary>Each problem, one line each.</summary>
    public IReadOnlyList<string> Problems { get; }
}
