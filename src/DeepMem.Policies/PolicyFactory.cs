using System.Collections.Concurrent;
using System.Reflection;
using DeepMem.Core;

namespace DeepMem.Policies;

/// <summary>
/// Creates policy instances from a <see cref="PolicySpec"/>: built-ins from
/// <see cref="DefaultPolicies"/>, user classes from their assembly (loaded in
/// a <see cref="PluginLoadContext"/>). Options are bound to the constructor's
/// options class. Every instance comes wrapped in a <see cref="GuardedPolicy"/>.
/// </summary>
public static class PolicyFactory
{
    private static readonly ConcurrentDictionary<string, Assembly> Loaded = new();

    /// <summary>
    /// Resolves the policy type and binds options without keeping an
    /// instance; returns every problem as (option key or "", message).
    /// </summary>
    public static List<(string Key, string Message)> Check(PolicySpec spec)
    {
        var problems = new List<(string, string)>();
        TryCreate(spec, problems);
        return problems;
    }

    /// <summary>Creates the policy or throws <see cref="ArgumentException"/> listing every problem.</summary>
    public static IPlacementPolicy Create(PolicySpec spec)
    {
        var problems = new List<(string Key, string Message)>();
        var policy = TryCreate(spec, problems);
        if (policy is null || problems.Count > 0)
        {
            throw new ArgumentException($"policy '{spec.DisplayName}': " + string.Join("; ", problems.Select(p => p.Message)));
        }

        return policy;
    }

    /// <summary>The options class of a policy type: the single parameter of its public constructor, if any.</summary>
    public static Type? FindOptionsType(Type policyType) =>
        policyType.GetConstructors()
            .Where(c => c.GetParameters().Length == 1)
            .Select(c => c.GetParameters()[0].ParameterType)
            .FirstOrDefault();

    /// <summary>Loads a type from a plug-in assembly; null with a message when it cannot.</summary>
    public static Type? ResolvePluginType(string assemblyPath, string typeName, out string? error)
    {
        error = null;
        if (!File.Exists(assemblyPath))
        {
            error = $"plug-in assembly '{assemblyPath}' does not exist (build the plug-in project first)";
            return null;
        }

        Assembly assembly;
        try
        {
            assembly = Loaded.GetOrAdd(Path.GetFullPath(assemblyPath),
                p => new PluginLoadContext(p).LoadFromAssemblyPath(p));
        }
        catch (Exception e) when (e is BadImageFormatException or FileLoadException or IOException)
        {
            error = $"cannot load plug-in assembly '{assemblyPath}': {e.Message}";
            return null;
        }

        var type = assembly.GetType(typeName, throwOnError: false);
        if (type is null)
        {
            var candidates = SafeTypes(assembly)
                .Where(t => typeof(IPlacementPolicy).IsAssignableFrom(t) && !t.IsAbstract)
                .Select(t => t.FullName!)
                .ToList();
            var hint = Suggest.Closest(typeName, candidates);
            error = $"type '{typeName}' is not in '{Path.GetFileName(assemblyPath)}'"
                    + (hint is null ? "" : $" (did you mean '{hint}'?)")
                    + $"; policies there: {(candidates.Count == 0 ? "none" : string.Join(", ", candidates))}";
            return null;
        }

        if (!typeof(IPlacementPolicy).IsAssignableFrom(type) || type.IsAbstract)
        {
            error = $"type '{typeName}' does not implement DeepMem.Core.IPlacementPolicy (or is abstract)";
            return null;
        }

        return type;
    }

    private static IEnumerable<Type> SafeTypes(Assembly assembly)
    {
        try
        {
            return assembly.GetTypes();
        }
        catch (ReflectionTypeLoadException e)
        {
            return e.Types.Where(t => t is not null)!;
        }
    }

    /// <summary>True when the options class has a period in simulated time (an option marked <see cref="PolicyOptionAttribute.Period"/>).</summary>
    public static bool HasPeriods(Type optionsType) =>
        OptionsBinder.Describe(optionsType).Any(o => o.Property.GetCustomAttributes(typeof(PolicyOptionAttribute), false)
            .OfType<PolicyOptionAttribute>().Any(a => a.Period));

    /// <summary>True when the options class has a <c>time_scale</c> option (every tiering policy's).</summary>
    public static bool HasTimeScale(Type optionsType) =>
        OptionsBinder.Describe(optionsType).Any(o => o.Key == PolicySpec.TimeScaleKey);

    /// <summary>The options with the experiment's time scale where the class has <c>time_scale</c> and the options leave it out.</summary>
    private static IReadOnlyDictionary<string, OptionValue> WithTimeScale(PolicySpec spec, Type optionsType)
    {
        if (spec.TimeScale is not { } scale || spec.Options.ContainsKey(PolicySpec.TimeScaleKey) || !HasTimeScale(optionsType))
        {
            return spec.Options;
        }

        return new Dictionary<string, OptionValue>(spec.Options) { [PolicySpec.TimeScaleKey] = OptionValue.Of(scale) };
    }

    private static GuardedPolicy? TryCreate(PolicySpec spec, List<(string Key, string Message)> problems)
    {
        Type? type;
        string name;
        if (spec.Name is not null)
        {
            var descriptor = DefaultPolicies.Find(spec.Name);
            if (descriptor is null)
            {
                var hint = Suggest.Closest(spec.Name, DefaultPolicies.All.Select(d => d.Name));
                problems.Add(("", $"unknown policy '{spec.Name}'{(hint is null ? "" : $" (did you mean '{hint}'?)")}; built-in policies: {string.Join(", ", DefaultPolicies.All.Select(d => d.Name))}"));
                return null;
            }

            type = descriptor.PolicyType;
            name = descriptor.Name;
        }
        else if (spec.Assembly is not null && spec.Type is not null)
        {
            type = ResolvePluginType(spec.Assembly, spec.Type, out var error);
            if (type is null)
            {
                problems.Add(("", error!));
                return null;
            }

            name = spec.Type;
        }
        else
        {
            problems.Add(("", "a policy needs either 'name' (built-in) or both 'assembly' and 'type' (plug-in)"));
            return null;
        }

        var optionsType = FindOptionsType(type);
        object? options = null;
        if (optionsType is not null)
        {
            options = OptionsBinder.Bind(optionsType, WithTimeScale(spec, optionsType), problems);
        }
        else if (spec.Options.Count > 0)
        {
            problems.Add((spec.Options.Keys.First(), $"policy '{name}' takes no options (got: {string.Join(", ", spec.Options.Keys)})"));
        }

        if (problems.Count > 0)
        {
            return null;
        }

        try
        {
            var instance = options is null ? Activator.CreateInstance(type) : Activator.CreateInstance(type, options);
            return new GuardedPolicy(name, (IPlacementPolicy)instance!);
        }
        catch (TargetInvocationException e)
        {
            problems.Add(("", $"policy '{name}' rejected its options: {e.InnerException?.Message ?? e.Message}"));
        }
        catch (MissingMethodException)
        {
            problems.Add(("", $"policy '{name}' needs a public constructor taking nothing or one options object"));
        }

        return null;
    }
}
