namespace DeepMem.Policies;

/// <summary>An option value from YAML: one scalar, or a list of scalars.</summary>
/// <param name="Scalar">The scalar text, when the value is a scalar.</param>
/// <param name="List">The items, when the value is a list.</param>
public sealed record OptionValue(string? Scalar, IReadOnlyList<string>? List)
{
    /// <summary>A scalar value.</summary>
    public static OptionValue Of(string scalar) => new(scalar, null);

    /// <summary>A list value.</summary>
    public static OptionValue OfList(IReadOnlyList<string> items) => new(null, items);

    /// <inheritdoc />
    public override string ToString() => Scalar ?? "[" + string.Join(", ", List ?? []) + "]";
}
