namespace DeepMem.Core;

/// <summary>The outcome of one run: what users compare and publish.</summary>
public sealed record RunResult
{
    /// <summary>Backend that produced the result.</summary>
    public required string Backend { get; init; }

    /// <summary>How the run ended.</summary>
    public required RunStatus Status { get; init; }

    /// <summary>Why it failed or was cancelled; null on success.</summary>
    public string? FailureReason { get; init; }

    /// <summary>Exit code of the workload (or of the simulator when it died).</summary>
    public int ExitCode { get; init; }

    /// <summary>Simulated run time in seconds.</summary>
    public double SimulatedSeconds { get; init; }

    /// <summary>Simulated ticks.</summary>
    public ulong Ticks { get; init; }

    /// <summary>Committed instructions.</summary>
    public ulong Instructions { get; init; }

    /// <summary>Epochs completed.</summary>
    public ulong Epochs { get; init; }

    /// <summary>Per-node totals over the run.</summary>
    public IReadOnlyList<NodeStats> Nodes { get; init; } = [];

    /// <summary>Pages migrated.</summary>
    public ulong MigratedPages { get; init; }

    /// <summary>Simulated time charged for migrations, in seconds.</summary>
    public double MigrationSeconds { get; init; }

    /// <summary>Decision items the simulator rejected.</summary>
    public ulong RejectedDecisions { get; init; }

    /// <summary>
    /// Rejected items grouped by reason (count and the first few indices),
    /// at most a few dozen reasons whatever the policy sent.
    /// </summary>
    public IReadOnlyList<RejectionSummary> Rejections { get; init; } = [];

    /// <summary>Epochs whose decision came from the policy.</summary>
    public ulong PolicyEpochs { get; init; }

    /// <summary>
    /// Epochs the simulator ran under its fallback (the controller was late
    /// or gone), without the policy.
    /// </summary>
    public ulong FallbackEpochs { get; init; }

    /// <summary>Why the simulator fell back; null when it never did.</summary>
    public string? FallbackReason { get; init; }

    /// <summary>Host wall-clock time of the run, in seconds.</summary>
    public double HostSeconds { get; init; }

    /// <summary>The simulator's output folder (gem5: holds stats.txt), if any.</summary>
    public string? OutputDir { get; init; }

    /// <summary>The exact command line that ran the simulator, if any.</summary>
    public string? CommandLine { get; init; }

    /// <summary>The tail of the simulator's output when it failed.</summary>
    public string? OutputTail { get; init; }
}
