namespace DeepMem.Bridge;

/// <summary>Deadlines and credentials of one co-simulation session.</summary>
public sealed record SessionOptions
{
    /// <summary>Deadline of the Hello call.</summary>
    public TimeSpan HelloDeadline { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Longest wait for the next event. gem5 simulates a whole epoch
    /// between two events, so this must exceed the host time of an epoch.
    /// </summary>
    public TimeSpan EventDeadline { get; init; } = TimeSpan.FromSeconds(600);

    /// <summary>Longest host time one policy call may take (see <see cref="Core.PolicyCallGuard"/>).</summary>
    public TimeSpan PolicyDeadline { get; init; } = Core.PolicyCallGuard.DefaultDeadline;

    /// <summary>Longest wait for one reply to be written (and for the request stream to close).</summary>
    public TimeSpan WriteDeadline { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Shared token sent in Hello (needed off loopback).</summary>
    public string? Token { get; init; }

    /// <summary>Controller name sent in Hello.</summary>
    public string Controller { get; init; } = "deepmem " + typeof(SessionOptions).Assembly.GetName().Version?.ToString(3);
}
