namespace DeepMem.Policies;

/// <summary>
/// Which policy an experiment uses: a built-in by <see cref="Name"/>, or a
/// user's class by <see cref="Assembly"/> path and <see cref="Type"/> name,
/// plus its options as written in YAML.
/// </summary>
public sealed record PolicySpec
{
    /// <summary>Built-in policy name, e.g. "first-touch"; null for a plug-in.</summary>
    public string? Name { get; init; }

    /// <summary>Plug-in assembly path (absolute, resolved by the loader); null for a built-in.</summary>
    public string? Assembly { get; init; }

    /// <summary>Plug-in type's full name; null for a built-in.</summary>
    public string? Type { get; init; }

    /// <summary>Options by YAML key (snake_case).</summary>
    public IReadOnlyDictionary<string, OptionValue> Options { get; init; } = new Dictionary<string, OptionValue>();

    /// <summary>Short display name: the built-in name or the plug-in type name.</summary>
    public string DisplayName => Name ?? Type ?? "(none)";
}
