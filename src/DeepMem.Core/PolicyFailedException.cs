namespace DeepMem.Core;

/// <summary>A policy threw; the run fails cleanly with this cause.</summary>
public sealed class PolicyFailedException(string policy, string call, Exception inner)
    : Exception($"policy '{policy}' failed in {call}: {inner.GetType().Name}: {inner.Message}", inner)
{
    /// <summary>The policy's display name.</summary>
    public string Policy { get; } = policy;

    /// <summary>The call that threw.</summary>
    public string Call { get; } = call;
}
