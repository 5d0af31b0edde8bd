namespace DeepMem.Experiments;

/// <summary>How a step of a command ended short: the experiment or flags were wrong, a run failed, or the user cancelled.</summary>
public enum FailureKind
{
    /// <summary>The input (file, flags) is wrong; nothing ran.</summary>
    BadInput,

    /// <summary>Something that ran failed, or a backend or executor is unavailable.</summary>
    Failed,

    /// <summary>The user cancelled.</summary>
    Cancelled,
}

/// <summary>
/// A step of a command (training, a cross-check, a batch of points) ended
/// short; <see cref="Exception.Message"/> is the line to print as it is.
/// </summary>
public sealed class ExperimentFailureException(FailureKind kind, string line) : Exception(line)
{
    /// <summary>How it ended.</summary>
    public FailureKind Kind { get; } = kind;
}
