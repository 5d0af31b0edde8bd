using DeepMem.Policies.BuiltIn;

namespace DeepMem.Policies;

/// <summary>The catalogue of built-in policies, by YAML name.</summary>
public static class DefaultPolicies
{
    /// <summary>Linux first touch on a preferred node, spilling when full.</summary>
    public static readonly PolicyDescriptor FirstTouch = new("first-touch",
        "allocate on the preferred (fastest) node until full, then the next node; no migration", typeof(FirstTouchPolicy));

    /// <summary>Bind matched regions to a node.</summary>
    public static readonly PolicyDescriptor Bind = new("bind",
        "bind regions matched by size, creation order or address to a fixed node (mbind MPOL_BIND)", typeof(BindPolicy));

    /// <summary>Page interleave, optionally weighted.</summary>
    public static readonly PolicyDescriptor Interleave = new("interleave",
        "round-robin pages over nodes; weighted by explicit weights or node bandwidth", typeof(InterleavePolicy));

    /// <summary>All built-ins, in listing order.</summary>
    public static IReadOnlyList<PolicyDescriptor> All { get; } = [FirstTouch, Bind, Interleave];

    /// <summary>Finds a built-in by name (case-insensitive); null when unknown.</summary>
    public static PolicyDescriptor? Find(string name) =>
        All.FirstOrDefault(d => string.Equals(d.Name, name, StringComparison.OrdinalIgnoreCase));
}
