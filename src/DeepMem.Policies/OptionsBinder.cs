using System.Globalization;
using System.Reflection;
using DeepMem.Core;

namespace DeepMem.Policies;

/// <summary>
/// Binds YAML option values to a policy's options class: public settable
/// properties, YAML keys in snake_case. Returns every problem, not the first.
/// </summary>
public static class OptionsBinder
{
    /// <summary>One bindable option of an options class.</summary>
    /// <param name="Key">YAML key (snake_case).</param>
    /// <param name="Property">The property.</param>
    /// <param name="Description">From <see cref="PolicyOptionAttribute"/>, or empty.</param>
    /// <param name="Unit">Unit the YAML value may carry.</param>
    public sealed record OptionInfo(string Key, PropertyInfo Property, string Description, OptionUnit Unit)
    {
        /// <summary>A short name of the value type, for messages and listings.</summary>
        public string TypeName => Describe(Property.PropertyType, Unit);
    }

    /// <summary>The options an options class accepts.</summary>
    public static IReadOnlyList<OptionInfo> Describe(Type optionsType) =>
        optionsType.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.CanWrite && p.SetMethod!.IsPublic)
            .Select(p =>
            {
                var attr = p.GetCustomAttribute<PolicyOptionAttribute>();
                return new OptionInfo(ToSnakeCase(p.Name), p, attr?.Description ?? "", attr?.Unit ?? OptionUnit.None);
            })
            .ToList();

    /// <summary>
    /// Creates an options object and sets the given options. Problems come
    /// back as (key, message) pairs; unknown keys carry a "did you mean" hint.
    /// </summary>
    public static object Bind(Type optionsType, IReadOnlyDictionary<string, OptionValue> values, List<(string Key, string Message)> problems)
    {
        var options = Activator.CreateInstance(optionsType)
            ?? throw new InvalidOperationException($"cannot create options of type {optionsType.FullName}");
        var known = Describe(optionsType).ToDictionary(o => o.Key);
        foreach (var (key, value) in values)
        {
            if (!known.TryGetValue(key, out var info))
            {
                var allowed = string.Join(", ", known.Keys.Order());
                var hint = Suggest.Closest(key, known.Keys);
                problems.Add((key, $"unknown option '{key}'{(hint is null ? "" : $" (did you mean '{hint}'?)")}; allowed: {(allowed.Length == 0 ? "none" : allowed)}"));
                continue;
            }

            if (TryConvert(value, info.Property.PropertyType, info.Unit, out var converted, out var error))
            {
                info.Property.SetValue(options, converted);
            }
            else
            {
                problems.Add((key, $"'{value}' is not valid for option '{key}': expected {error}"));
            }
        }

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

    private static bool TryConvert(OptionValue value, Type type, OptionUnit unit, out object? result, out string expected)
    {
        result = null;
        expected = Describe(type, unit);
        var elementType = type.IsArray ? type.GetElementType()
            : type.IsGenericType && type.GetGenericTypeDefinition() == typeof(IReadOnlyList<>) ? type.GetGenericArguments()[0]
            : null;
        if (elementType is not null)
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

            result = array;
            return true;
        }

        return value.Scalar is not null && TryConvertScalar(value.Scalar, type, unit, out result);
    }

    private static bool TryConvertScalar(string text, Type type, OptionUnit unit, out object? result)
    {
        result = null;
        var inv = CultureInfo.InvariantCulture;
        if (type == typeof(string))
        {
            result = text;
            return true;
        }

        if (type == typeof(bool))
        {
            if (bool.TryParse(text, out var b))
            {
                result = b;
                return true;
            }

            return false;
        }

        if (type.IsEnum)
        {
            var normalized = text.Replace("-", "").Replace("_", "");
            foreach (var name in Enum.GetNames(type))
            {
                if (string.Equals(name, normalized, StringComparison.OrdinalIgnoreCase))
                {
                    result = Enum.Parse(type, name);
                    return true;
                }
            }

            return false;
        }

        if (!Units.TryParseOption(text, unit, out var number))
        {
            return false;
        }

        try
        {
            if (type == typeof(double))
            {
                result = number;
            }
            else if (type == typeof(int) && number == Math.Floor(number))
            {
                result = checked((int)number);
            }
            else if (type == typeof(long) && number == Math.Floor(number))
            {
                result = checked((long)number);
            }
            else if (type == typeof(ulong) && number == Math.Floor(number) && number >= 0)
            {
                result = checked((ulong)number);
            }
            else
            {
                return false;
            }
        }
        catch (OverflowException)
        {
            return false;
        }

        _ = inv;
        return true;
    }

    private static string Describe(Type type, OptionUnit unit)
    {
        if (type.IsArray)
        {
            return "a list of " + Describe(type.GetElementType()!, unit);
        }

        if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(IReadOnlyList<>))
        {
            return "a list of " + Describe(type.GetGenericArguments()[0], unit);
        }

        if (type.IsEnum)
        {
            return "one of " + string.Join(", ", Enum.GetNames(type).Select(ToKebab));
        }

        if (unit != OptionUnit.None)
        {
            return Units.Help(unit);
        }

        return type == typeof(bool) ? "true or false"
            : type == typeof(string) ? "a string"
            : type == typeof(double) ? "a number"
            : type == typeof(ulong) ? "a whole number >= 0"
            : "a whole number";
    }

    /// <summary>PascalCase to kebab-case, for enum values.</summary>
    public static string ToKebab(string name) => ToSnakeCase(name).Replace('_', '-');
}
