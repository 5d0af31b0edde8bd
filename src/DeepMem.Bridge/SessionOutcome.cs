using DeepMem.Core;

namespace DeepMem.Bridge;

/// <summary>What one co-simulation session produced.</summary>
public sealed record SessionOutcome
{
    /// <summary>How the session ended.</summary>
    public required RunStatus Status { get; init; }

    /// <summary>Why it failed; null on success.</summary>
    public string? FailureReason { get; init; }

    /// <summary>
    /// True when the simulator sent nothing within the event deadline: it
    /// hangs (or is far slower than the deadline allows) and is to be killed.
    /// </summary>
    public bool DeadlineExpired { get; init; }

    /// <summary>The simulator's Finished message, if it came.</summary>
    public Protocol.V1.Finished? Finished { get; init; }

    /// <summary>The simulator's Failed message, if it came.</summary>
    public Protocol.V1.Failed? Failed { get; init; }

    /// <summary>The machine from the handshake.</summary>
    public Protocol.V1.MachineInfo? Machine { get; init; }

    /// <summary>Events received (FellBack and Progress included).</summary>
    public ulong Events { get; init; }

    /// <summary>Epochs received (EpochEnded events).</summary>
    public ulong Epochs { get; init; }

    /// <summary>Epochs whose decision the simulator received in time and applied.</summary>
    public ulong PolicyEpochs { get; init; }

    /// <summary>Epochs the simulator ran under its fallback, without the policy.</summary>
    public ulong FallbackEpochs { get; init; }

    /// <summary>The simulator's fallback ("default" or "stop") when it fell back; null otherwise.</summary>
    public string? Fallback { get; init; }

    /// <summary>Why the simulator fell back; null when it never did.</summary>
    public string? FallbackReason { get; init; }

    /// <summary>Regions received.</summary>
    public ulong Regions { get; init; }

    /// <summary>Decision items the simulator rejected, over the whole session.</summary>
    public ulong RejectedDecisions { get; init; }

    /// <summary>Rejected items grouped by reason (bounded, see <see cref="RejectionLedger"/>).</summary>
    public IReadOnlyList<RejectionSummary> Rejections { get; init; } = [];
}
