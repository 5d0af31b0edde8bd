namespace DeepMem.Bridge;

/// <summary>What the controller does when the simulator gets no reply in time.</summary>
public enum FallbackMode
{
    /// <summary>Keep simulating with the default policy; no more decisions.</summary>
    Default,
    /// <summary>Stop the simulation and finish.</summary>
    Stop,
}

/// <summary>How to launch and talk to patched gem5.</summary>
public sealed record Gem5Options
{
    /// <summary>Path of the patched gem5.opt; null means the DEEPMEM_GEM5 environment variable.</summary>
    public string? Binary { get; init; }

    /// <summary>The gem5 config script (configs/gem5/deepmem_se.py).</summary>
    public required string ConfigScript { get; init; }

    /// <summary>The gem5-side Python package folder (gem5-patches/python).</summary>
    public required string PythonPath { get; init; }

    /// <summary>How long gem5 waits for each controller reply.</summary>
    public TimeSpan ReplyDeadline { get; init; } = TimeSpan.FromSeconds(120);

    /// <summary>How long the controller waits for gem5 to come up and for each event.</summary>
    public TimeSpan EventDeadline { get; init; } = TimeSpan.FromSeconds(600);

    /// <summary>Upper bound on the whole run.</summary>
    public TimeSpan RunTimeout { get; init; } = TimeSpan.FromHours(4);

    /// <summary>What gem5 does when the controller is gone or late.</summary>
    public FallbackMode Fallback { get; init; } = FallbackMode.Default;

    /// <summary>Address the gem5-side server binds to.</summary>
    public string Bind { get; init; } = "127.0.0.1";

    /// <summary>Shared token; required when <see cref="Bind"/> is not loopback.</summary>
    public string? Token { get; init; }

    /// <summary>
    /// The simulator's default placement for pages no decision covers
    /// (config script <c>--policy</c>: local, bind:N, preferred:N, ...); null = local.
    /// </summary>
    public string? DefaultPolicy { get; init; }

    /// <summary>The gem5 binary to use: <see cref="Binary"/> or DEEPMEM_GEM5.</summary>
    public string? ResolveBinary() => Binary ?? Environment.GetEnvironmentVariable("DEEPMEM_GEM5");
}
