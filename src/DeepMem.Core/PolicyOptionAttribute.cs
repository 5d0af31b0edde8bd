namespace DeepMem.Core;

/// <summary>
/// Documents one option of a policy's options class: shown by
/// <c>deepmem policies</c> and used when binding YAML values.
/// The YAML key is the property name in snake_case.
/// </summary>
/// <param name="description">One line saying what the option does.</param>
[AttributeUsage(AttributeTargets.Property)]
public sealed class PolicyOptionAttribute(string description) : Attribute
{
    /// <summary>What the option does.</summary>
    public string Description { get; } = description;

    /// <summary>Unit the YAML value may carry; the property holds the value in the base unit.</summary>
    public OptionUnit Unit { get; init; } = OptionUnit.None;

    /// <summary>
    /// True for a period in simulated time (unit <see cref="OptionUnit.Nanoseconds"/>)
    /// that the policy's <c>time_scale</c> divides; <c>deepmem policies</c>
    /// shows its published default and its value under the scale.
    /// </summary>
    public bool Period { get; init; }
}
