namespace DeepMem.Bridge;

/// <summary>
/// The process contract between the controller and the simulator process it
/// starts (gem5 with configs/gem5/deepmem_se.py, or the scripted simulator),
/// C# side: described in the header of protos/deepmem.proto; the gem5 side's
/// constants are gem5-patches/python/deepmem/contract.py, and
/// <c>ProcessContractTests</c> compares the two.
/// </summary>
public static class ProcessContract
{
    /// <summary>The stdout line that announces the bridge's port is this prefix and the port number.</summary>
    public const string PortLinePrefix = "DEEPMEM_BRIDGE_PORT=";

    /// <summary>Environment variable with the shared token (kept off the command line).</summary>
    public const string TokenVariable = "DEEPMEM_BRIDGE_TOKEN";

    /// <summary>Environment variable that lets gem5's Python find the deepmem package (gem5-patches/python).</summary>
    public const string PythonPathVariable = "PYTHONPATH";

    /// <summary>Metadata key of the Session call that carries HelloReply.session_ticket.</summary>
    public const string TicketKey = "deepmem-session-ticket";

    /// <summary>The result record gem5 writes in its output folder.</summary>
    public const string ResultFile = "deepmem_result.json";

    /// <summary>A program killed by a signal exits with this plus the signal number.</summary>
    public const int SignalExitBase = 128;

    /// <summary>Exit code of a run that failed (no final result).</summary>
    public const int FailedExit = 1;

    /// <summary>Exit code for a bad command line or bridge setting.</summary>
    public const int UsageExit = 2;

    /// <summary>The environment gem5 is started with: the Python path and, when given, the token.</summary>
    public static Dictionary<string, string> Environment(string pythonPath, string? token = null)
    {
        var env = new Dictionary<string, string> { [PythonPathVariable] = pythonPath };
        if (!string.IsNullOrEmpty(token))
        {
            env[TokenVariable] = token;
        }

        return env;
    }
}
