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

    /// <summary>
    /// The experiment's <c>policy_time_scale</c> (as written): the policy's
    /// <c>time_scale</c> option where its options have one and do not set it;
    /// null = the option's own default. Not part of <see cref="DisplayName"/>.
    /// </summary>
    public string? TimeScale { get; init; }

    /// <summary>The key of the option <see cref="TimeScale"/> fills in.</summary>
    public const string TimeScaleKey = "time_scale";

    /// <summary>Short display name: the built-in name or the plug-in type name.</summary>
    public string DisplayName => Name ?? Type ?? "(none)";
}
