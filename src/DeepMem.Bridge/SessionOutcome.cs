using DeepMem.Core;

namespace DeepMem.Bridge;

/// <summary>What one co-simulation session produced.</summary>
public sealed record SessionOutcome
{
    /// <summary>How the session ended.</summary>
    public required RunStatus Status { get; init; }

    /// <summary>Why it failed; null on success.</summary>
    public string? FailureReason { get; init; }

    /// <summary>The simulator's Finished message, if it came.</summary>
    public Protocol.V1.Finished? Finished { get; init; }

    /// <summary>The simulator's Failed message, if it came.</summary>
    public Protocol.V1.Failed? Failed { get; init; }

    /// <summary>The machine from the handshake.</summary>
    public Protocol.V1.MachineInfo? Machine { get; init; }

    /// <summary>Events received.</summary>
    public ulong Events { get; init; }

    /// <summary>Epochs received.</summary>
    public ulong Epochs { get; init; }

    /// <summary>Regions received.</summary>
    public ulong Regions { get; init; }

    /// <summary>Every item the simulator rejected, with the event it answered.</summary>
    public IReadOnlyList<string> Rejections { get; init; } = [];
}
