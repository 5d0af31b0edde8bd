namespace DeepMem.Core;

/// <summary>
/// A policy that knows the name users gave it (the built-in name or the
/// plug-in type). The host's wrapper implements it so that failures and
/// missed deadlines name the policy as the experiment file does.
/// </summary>
public interface INamedPolicy
{
    /// <summary>The policy's display name.</summary>
    string Name { get; }
}
