namespace DeepMem.Core;

/// <summary>A policy threw or missed its deadline; the run fails cleanly with this cause.</summary>
public sealed class PolicyFailedException : Exception
{
    /// <summary>The policy threw <paramref name="inner"/> in <paramref name="call"/>.</summary>
    /// <param name="policy">The policy's display name.</param>
    /// <param name="call">The call that threw, e.g. "OnEpoch".</param>
    /// <param name="inner">What it threw.</param>
    /// <param name="at">Where in the run, e.g. "epoch 3"; null when not known.</param>
    public PolicyFailedException(string policy, string call, Exception inner, string? at = null)
        : this(policy, call, at, $"{inner.GetType().Name}: {inner.Message}", inner)
    {
    }

    /// <summary>The policy failed in <paramref name="call"/> for <paramref name="reason"/>.</summary>
    /// <param name="policy">The policy's display name.</param>
    /// <param name="call">The call that failed, e.g. "OnEpoch".</param>
    /// <param name="at">Where in the run, e.g. "epoch 3"; null when not known.</param>
    /// <param name="reason">Why, in words.</param>
    /// <param name="inner">The exception behind it, if any.</param>
    public PolicyFailedException(string policy, string call, string? at, string reason, Exception? inner)
        : base($"policy '{policy}' failed in {call}{(at is null ? "" : $" ({at})")}: {reason}", inner)
    {
        Policy = policy;
        Call = call;
        At = at;
        Reason = reason;
    }

    /// <summary>The policy's display name.</summary>
    public string Policy { get; }

    /// <summary>The call that failed.</summary>
    public string Call { get; }

    /// <summary>Where in the run (e.g. "epoch 3"), or null.</summary>
    public string? At { get; }

    /// <summary>Why, in words.</summary>
    public string Reason { get; }
}
