namespace DeepMem.Core;

/// <summary>How a run ended.</summary>
public enum RunStatus
{
    /// <summary>The workload ran to completion.</summary>
    Succeeded,
    /// <summary>The simulator or the policy failed; see the reason.</summary>
    Failed,
    /// <summary>The user cancelled the run.</summary>
    Cancelled,
}
