using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Numerics;
using System.Reflection;
using DeepMem.Core;

namespace DeepMem.Policies;

/// <summary>
/// Binds YAML option values to a policy's options class: public settable
/// properties, YAML keys in snake_case. Returns every problem, not the first.
/// </summary>
/// <remarks>
/// <para>Property types an option can have (anything else is an error at
/// <c>validate</c> naming the property and its type):</para>
/// <list type="bullet">
/// <item><c>string</c>; <c>bool</c> (true or false); an enum (its value names, any case, '-' or '_' between words);</item>
/// <item>whole numbers of any width: <c>sbyte byte short ushort int uint long ulong</c>, range-checked for the type;</item>
/// <item><c>float</c> and <c>double</c> (finite);</item>
/// <item><c>TimeSpan</c>: a duration with its unit, e.g. 10ms, 2s;</item>
/// <item>a number with <see cref="PolicyOptionAttribute.Unit"/>: a size (64MiB), a duration in ns (2us), a rate (100MB/s) or a count (1M);</item>
/// <item><c>Nullable&lt;T&gt;</c> of the above (null, ~ or nothing for none);</item>
/// <item>lists of the above as <c>T[]</c>, <c>List&lt;T&gt;</c>, <c>IReadOnlyList&lt;T&gt;</c>, <c>IList&lt;T&gt;</c>,
/// <c>IReadOnlyCollection&lt;T&gt;</c>, <c>ICollection&lt;T&gt;</c> or <c>IEnumerable&lt;T&gt;</c>.</item>
/// </list>
/// <para>After binding, the options are checked against their
/// <see cref="ValidationAttribute"/>s (<see cref="RangeAttribute"/>,
/// <see cref="RequiredAttribute"/>, <see cref="PathOptionAttribute"/>, ...)
/// and <see cref="IValidatableObject.Validate"/>, so a plug-in declares its
/// rules as the built-ins do and <c>validate</c> reports them at the option.</para>
/// </remarks>
public static class OptionsBinder
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    private static readonly Dictionary<Type, (BigInteger Min, BigInteger Max)> Integers = new()
    {
        [typeof(sbyte)] = (sbyte.MinValue, sbyte.MaxValue),
        [typeof(byte)] = (byte.MinValue, byte.MaxValue),
        [typeof(short)] = (short.MinValue, short.MaxValue),
        [typeof(ushort)] = (ushort.MinValue, ushort.MaxValue),
        [typeof(int)] = (int.MinValue, int.MaxValue),
        [typeof(uint)] = (uint.MinValue, uint.MaxValue),
        [typeof(long)] = (long.MinValue, long.MaxValue),
        [typeof(ulong)] = (ulong.MinValue, ulong.MaxValue),
    };

    private static readonly Type[] ListShapes =
    [
        typeof(List<>), typeof(IReadOnlyList<>), typeof(IList<>), typeof(IReadOnlyCollection<>), typeof(ICollection<>), typeof(IEnumerable<>),
    ];

    /// <summary>The option types, for messages.</summary>
    public const string SupportedTypes =
        "string, bool, an enum, sbyte/byte/short/ushort/int/uint/long/ulong, float/double, TimeSpan, Nullable<T> of these, "
        + "or a list of these (T[], List<T>, IReadOnlyList<T>, IList<T>, IReadOnlyCollection<T>, ICollection<T>, IEnumerable<T>)";

    /// <summary>One bindable option of an options class.</summary>
    /// <param name="Key">YAML key (snake_case).</param>
    /// <param name="Property">The property.</param>
    /// <param name="Description">From <see cref="PolicyOptionAttribute"/>, or empty.</param>
    /// <param name="Unit">Unit the YAML value may carry.</param>
    public sealed record OptionInfo(string Key, PropertyInfo Property, string Description, OptionUnit Unit)
    {
        /// <summary>A short name of the value type, for listings, e.g. "a whole number (int)".</summary>
        public string TypeName => Describe(Property.PropertyType, Unit, detailed: false);

        /// <summary>What a value must look like, for messages: as <see cref="TypeName"/>, with the limits of a whole number type.</summary>
        public string Expected => Describe(Property.PropertyType, Unit, detailed: true);

        /// <summary>Whether the binder can read this option's type from YAML.</summary>
        public bool Supported => IsSupported(Property.PropertyType, Unit);

        /// <summary>The declared rules (ranges, required, existing file), in words; empty when none.</summary>
        public string Rules => string.Join(", ", Property.GetCustomAttributes<ValidationAttribute>(true).Select(RuleText).Where(t => t.Length > 0));
    }

    /// <summary>The options an options class accepts.</summary>
    public static IReadOnlyList<OptionInfo> Describe(Type optionsType) =>
        optionsType.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.CanWrite && p.SetMethod!.IsPublic && p.GetIndexParameters().Length == 0)
            .Select(p =>
            {
                var attr = p.GetCustomAttribute<PolicyOptionAttribute>();
                return new OptionInfo(ToSnakeCase(p.Name), p, attr?.Description ?? "", attr?.Unit ?? OptionUnit.None);
            })
            .ToList();

    /// <summary>
    /// Creates an options object, sets the given options and checks the
    /// declared rules. Problems come back as (key, message) pairs (key ""
    /// for the class as a whole); unknown keys carry a "did you mean" hint.
    /// Null when the class cannot be created.
    /// </summary>
    public static object? Bind(Type optionsType, IReadOnlyDictionary<string, OptionValue> values, List<(string Key, string Message)> problems)
    {
        var options = Create(optionsType, problems);
        if (options is null)
        {
            return null;
        }

        var infos = Describe(optionsType);
        var known = infos.ToDictionary(o => o.Key);
        var bad = new HashSet<string>();
        foreach (var info in infos.Where(i => !i.Supported))
        {
            bad.Add(info.Key);
            problems.Add((info.Key, $"option '{info.Key}' (property {optionsType.Name}.{info.Property.Name}) has type {NameOf(info.Property.PropertyType)}"
                                    + (info.Unit == OptionUnit.None ? "" : $" with unit {info.Unit}")
                                    + $", which an option cannot have; use {SupportedTypes}"));
        }

        foreach (var (key, value) in values)
        {
            if (!known.TryGetValue(key, out var info))
            {
                var allowed = string.Join(", ", known.Keys.Order());
                var hint = Suggest.Closest(key, known.Keys);
                problems.Add((key, $"unknown option '{key}'{(hint is null ? "" : $" (did you mean '{hint}'?)")}; allowed: {(allowed.Length == 0 ? "none" : allowed)}"));
                continue;
            }

            if (bad.Contains(key))
            {
                continue;
            }

            if (!TryConvert(value, info.Property.PropertyType, info.Unit, out var converted))
            {
                bad.Add(key);
                problems.Add((key, $"'{value}' is not valid for option '{key}': expected {info.Expected}"));
                continue;
            }

            try
            {
                info.Property.SetValue(options, converted);
            }
            catch (TargetInvocationException e)
            {
                bad.Add(key);
                problems.Add((key, $"option '{key}' refused '{value}': {e.InnerException?.Message ?? e.Message}"));
            }
        }

        Validate(options, infos, bad, problems);
        return options;
    }

    /// <summary>Converts PascalCase to snake_case.</summary>
    public static string ToSnakeCase(string name)
    {
        var sb = new System.Text.StringBuilder();
        for (var i = 0; i < name.Length; i++)
        {
            var c = name[i];
            if (char.IsUpper(c) && i > 0 && (char.IsLower(name[i - 1]) || (i + 1 < name.Length && char.IsLower(name[i + 1]))))
            {
                sb.Append('_');
            }

            sb.Append(char.ToLowerInvariant(c));
        }

        return sb.ToString();
    }

    /// <summary>PascalCase to kebab-case, for enum values.</summary>
    public static string ToKebab(string name) => ToSnakeCase(name).Replace('_', '-');

    /// <summary>A type as C# writes it, e.g. "Dictionary&lt;string, int&gt;".</summary>
    public static string NameOf(Type type)
    {
        if (type.IsArray)
        {
            return NameOf(type.GetElementType()!) + "[]";
        }

        if (Nullable.GetUnderlyingType(type) is { } inner)
        {
            return NameOf(inner) + "?";
        }

        if (type.IsGenericType)
        {
            var name = type.Name[..type.Name.IndexOf('`', StringComparison.Ordinal)];
            return $"{name}<{string.Join(", ", type.GetGenericArguments().Select(NameOf))}>";
        }

        return type == typeof(string) ? "string" : type == typeof(bool) ? "bool" : type == typeof(object) ? "object"
            : type == typeof(int) ? "int" : type == typeof(uint) ? "uint" : type == typeof(long) ? "long" : type == typeof(ulong) ? "ulong"
            : type == typeof(short) ? "short" : type == typeof(ushort) ? "ushort" : type == typeof(byte) ? "byte" : type == typeof(sbyte) ? "sbyte"
            : type == typeof(double) ? "double" : type == typeof(float) ? "float" : type == typeof(decimal) ? "decimal"
            : type.Name;
    }

    private static object? Create(Type optionsType, List<(string Key, string Message)> problems)
    {
        if (optionsType.IsAbstract || optionsType.IsInterface || optionsType.ContainsGenericParameters)
        {
            problems.Add(("", $"options class '{NameOf(optionsType)}' is abstract or an interface; the policy's constructor must take a concrete class with a public constructor without parameters"));
            return null;
        }

        if (!optionsType.IsValueType && optionsType.GetConstructor(Type.EmptyTypes) is null)
        {
            problems.Add(("", $"options class '{NameOf(optionsType)}' has no public constructor without parameters; the binder creates the options with it and then sets each option from YAML, so add one (settable properties with defaults)"));
            return null;
        }

        try
        {
            return Activator.CreateInstance(optionsType)!;
        }
        catch (TargetInvocationException e)
        {
            problems.Add(("", $"options class '{NameOf(optionsType)}' threw in its constructor: {e.InnerException?.GetType().Name}: {e.InnerException?.Message}"));
            return null;
        }
    }

    private static void Validate(object options, IReadOnlyList<OptionInfo> infos, HashSet<string> bad, List<(string Key, string Message)> problems)
    {
        var before = problems.Count;
        foreach (var info in infos.Where(i => !bad.Contains(i.Key)))
        {
            var value = info.Property.GetValue(options);
            var context = new ValidationContext(options) { MemberName = info.Property.Name, DisplayName = info.Key };
            foreach (var rule in info.Property.GetCustomAttributes<ValidationAttribute>(true))
            {
                ValidationResult? result;
                try
                {
                    result = rule.GetValidationResult(value, context);
                }
                catch (Exception e) when (e is InvalidOperationException or InvalidCastException or FormatException or ArgumentException or OverflowException)
                {
                    problems.Add((info.Key, $"option '{info.Key}': cannot check [{rule.GetType().Name.Replace("Attribute", "")}] on a value of type {NameOf(info.Property.PropertyType)}: {e.Message}"));
                    continue;
                }

                if (result != ValidationResult.Success)
                {
                    problems.Add((info.Key, Message(info, rule, value, result)));
                }
            }
        }

        if (problems.Count > before || bad.Count > 0 || options is not IValidatableObject whole)
        {
            return;
        }

        var keyOf = infos.ToDictionary(i => i.Property.Name, i => i.Key);
        foreach (var result in whole.Validate(new ValidationContext(options)))
        {
            var key = result.MemberNames.Select(m => keyOf.GetValueOrDefault(m)).FirstOrDefault(k => k is not null) ?? "";
            problems.Add((key, result.ErrorMessage ?? "the options are not valid together"));
        }
    }

    private static string Message(OptionInfo info, ValidationAttribute rule, object? value, ValidationResult? result)
    {
        if (rule.ErrorMessage is null && rule.ErrorMessageResourceType is null)
        {
            switch (rule)
            {
                case RangeAttribute:
                    return $"option '{info.Key}' must be {RuleText(rule)} (was {Show(value)})";
                case RequiredAttribute:
                    return $"option '{info.Key}' is required: {info.TypeName}";
            }
        }

        var message = result?.ErrorMessage ?? rule.FormatErrorMessage(info.Key);
        return message.Contains($"'{info.Key}'", StringComparison.Ordinal) ? message : $"option '{info.Key}': {message}";
    }

    private static string RuleText(ValidationAttribute rule) => rule switch
    {
        RangeAttribute r => RangeText(r),
        RequiredAttribute => "required",
        PathOptionAttribute { MustExist: true } => "an existing file",
        PathOptionAttribute => "a file path",
        _ => "",
    };

    private static string RangeText(RangeAttribute r)
    {
        var min = Convert.ToString(r.Minimum, Inv) ?? "";
        var max = Convert.ToString(r.Maximum, Inv) ?? "";
        var lower = IsTypeLimit(r.Minimum, low: true) ? null : r.MinimumIsExclusive ? $"greater than {min}" : $"at least {min}";
        var upper = IsTypeLimit(r.Maximum, low: false) ? null : r.MaximumIsExclusive ? $"less than {max}" : $"at most {max}";
        return lower is not null && upper is not null ? $"{lower} and {upper}" : lower ?? upper ?? "any value";
    }

    private static bool IsTypeLimit(object bound, bool low) => bound switch
    {
        int i => i == (low ? int.MinValue : int.MaxValue),
        double d => double.IsInfinity(d) || d == (low ? double.MinValue : double.MaxValue),
        _ => false,
    };

    private static string Show(object? value) => value switch
    {
        null => "nothing",
        double d => d.ToString("R", Inv),
        float f => f.ToString("R", Inv),
        IFormattable f => f.ToString(null, Inv),
        _ => value.ToString() ?? "",
    };

    private static Type? ElementType(Type type) =>
        type.IsArray && type.GetArrayRank() == 1 ? type.GetElementType()
        : type.IsGenericType && ListShapes.Contains(type.GetGenericTypeDefinition()) ? type.GetGenericArguments()[0]
        : null;

    private static bool IsSupported(Type type, OptionUnit unit)
    {
        if (ElementType(type) is { } element)
        {
            return ElementType(element) is null && IsSupported(element, unit);
        }

        var scalar = Nullable.GetUnderlyingType(type) ?? type;
        var numeric = Integers.ContainsKey(scalar) || scalar == typeof(double) || scalar == typeof(float);
        return unit == OptionUnit.None
            ? numeric || scalar == typeof(string) || scalar == typeof(bool) || scalar.IsEnum || scalar == typeof(TimeSpan)
            : numeric;
    }

    private static bool TryConvert(OptionValue value, Type type, OptionUnit unit, out object? result)
    {
        result = null;
        if (ElementType(type) is { } elementType)
        {
            if (value.List is null)
            {
                return false;
            }

            var array = Array.CreateInstance(elementType, value.List.Count);
            for (var i = 0; i < value.List.Count; i++)
            {
                if (!TryConvertScalar(value.List[i], elementType, unit, out var item))
                {
                    return false;
                }

                array.SetValue(item, i);
            }

            result = type.IsGenericType && type.GetGenericTypeDefinition() == typeof(List<>)
                ? Activator.CreateInstance(type, array)
                : array;
            return true;
        }

        return value.Scalar is not null && TryConvertScalar(value.Scalar, type, unit, out result);
    }

    private static bool TryConvertScalar(string text, Type type, OptionUnit unit, out object? result)
    {
        result = null;
        if (Nullable.GetUnderlyingType(type) is { } inner)
        {
            return text.Trim() is "" or "~" or "null" || TryConvertScalar(text, inner, unit, out result);
        }

        if (type == typeof(string))
        {
            result = text;
            return true;
        }

        if (type == typeof(bool))
        {
            var ok = bool.TryParse(text.Trim(), out var b);
            result = b;
            return ok;
        }

        if (type.IsEnum)
        {
            var normalized = text.Trim().Replace("-", "").Replace("_", "");
            var name = Enum.GetNames(type).FirstOrDefault(n => string.Equals(n, normalized, StringComparison.OrdinalIgnoreCase));
            result = name is null ? null : Enum.Parse(type, name);
            return name is not null;
        }

        if (type == typeof(TimeSpan))
        {
            if (!Units.TryParseDurationNs(text, out var ns) || ns / 100 > TimeSpan.MaxValue.Ticks)
            {
                return false;
            }

            result = TimeSpan.FromTicks((long)Math.Round(ns / 100));
            return true;
        }

        if (Integers.TryGetValue(type, out var limits))
        {
            if (!TryParseWhole(text, unit, out var whole) || whole < limits.Min || whole > limits.Max)
            {
                return false;
            }

            result = Convert.ChangeType(whole.ToString(Inv), type, Inv);
            return true;
        }

        if (type == typeof(double) || type == typeof(float))
        {
            if (!Units.TryParseOption(text, unit, out var number) || !double.IsFinite(number)
                || (type == typeof(float) && !float.IsFinite((float)number)))
            {
                return false;
            }

            result = type == typeof(float) ? (object)(float)number : number;
            return true;
        }

        return false;
    }

    /// <summary>A whole number, exactly for plain integers (no rounding through double), via the unit otherwise.</summary>
    private static bool TryParseWhole(string text, OptionUnit unit, out BigInteger whole)
    {
        if (unit == OptionUnit.None && BigInteger.TryParse(text.Trim(), NumberStyles.AllowLeadingSign, Inv, out whole))
        {
            return true;
        }

        whole = default;
        if (!Units.TryParseOption(text, unit, out var number) || !double.IsFinite(number) || number != Math.Floor(number))
        {
            return false;
        }

        whole = new BigInteger(number);
        return true;
    }

    private static string Describe(Type type, OptionUnit unit, bool detailed)
    {
        if (!IsSupported(type, unit))
        {
            return $"(unsupported type {NameOf(type)})";
        }

        if (ElementType(type) is { } element)
        {
            return "a list of " + Describe(element, unit, detailed);
        }

        if (Nullable.GetUnderlyingType(type) is { } inner)
        {
            return Describe(inner, unit, detailed) + " (or null)";
        }

        if (type.IsEnum)
        {
            return "one of " + string.Join(", ", Enum.GetNames(type).Select(ToKebab));
        }

        if (unit != OptionUnit.None)
        {
            return Units.Help(unit) + (detailed && Integers.TryGetValue(type, out var l) ? $", at most {l.Max}" : "");
        }

        return type == typeof(bool) ? "true or false"
            : type == typeof(string) ? "a string"
            : type == typeof(TimeSpan) ? Units.DurationHelp
            : type == typeof(double) || type == typeof(float) ? "a number"
            : Integers.TryGetValue(type, out var limits) ? detailed ? $"a whole number from {limits.Min} to {limits.Max}" : $"a whole number ({NameOf(type)})"
            : NameOf(type);
    }
}
