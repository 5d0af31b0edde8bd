namespace DeepMem.Bridge;

/// <summary>The simulator process did not come up.</summary>
public sealed class BridgeStartException(string message, int? exitCode, string outputTail) : Exception(message)
{
    /// <summary>The process's exit code, if it exited.</summary>
    public int? ExitCode { get; } = exitCode;

    /// <summary>The last lines of its output.</summary>
    public string OutputTail { get; } = outputTail;
}
