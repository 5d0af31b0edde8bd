namespace DeepMem.Policies;

/// <summary>A built-in policy in the catalogue.</summary>
/// <param name="Name">Name used in YAML.</param>
/// <param name="Summary">One-line rule.</param>
/// <param name="PolicyType">The class implementing the policy.</param>
public sealed record PolicyDescriptor(string Name, string Summary, Type PolicyType)
{
    /// <summary>The options class, or null when the policy has no options.</summary>
    public Type? OptionsType => PolicyFactory.FindOptionsType(PolicyType);
}
