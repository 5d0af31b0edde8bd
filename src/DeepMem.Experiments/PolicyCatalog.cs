using System.Globalization;
using DeepMem.Core;
using DeepMem.Policies;

namespace DeepMem.Experiments;

/// <summary>One option of a built-in policy as <c>deepmem policies</c> lists it.</summary>
/// <param name="Key">The YAML key.</param>
/// <param name="Default">Its default, written as YAML would take it.</param>
/// <param name="TypeName">Its type.</param>
/// <param name="Rules">Its range or other rules ("" when none).</param>
/// <param name="Description">What it does.</param>
public sealed record PolicyOptionInfo(string Key, string Default, string TypeName, string Rules, string Description)
{
    /// <summary>For a period in simulated time (divided by <c>time_scale</c>): its published default in ns; null otherwise.</summary>
    public double? PeriodNs { get; init; }

    /// <summary>The period under <paramref name="timeScale"/> as YAML would write it; "one epoch" for a scale of 0.</summary>
    public string Effective(double timeScale) =>
        PeriodNs is not { } ns ? Default : timeScale <= 0 ? "one epoch" : PolicyCatalog.FormatDuration(ns / timeScale);
}

/// <summary>A built-in policy: its name, summary and options (null: it takes none).</summary>
/// <param name="Name">The name in <c>policy.name</c>.</param>
/// <param name="Summary">One line on what it does.</param>
/// <param name="Options">Its options, or null when it has none.</param>
public sealed record PolicyInfo(string Name, string Summary, IReadOnlyList<PolicyOptionInfo>? Options);

/// <summary>The built-in placement policies with their options and defaults.</summary>
public static class PolicyCatalog
{
    /// <summary>Every built-in policy, in catalogue order.</summary>
    public static IReadOnlyList<PolicyInfo> BuiltIn() => DefaultPolicies.All.Select(d =>
    {
        if (d.OptionsType is null)
        {
            return new PolicyInfo(d.Name, d.Summary, null);
        }

        var defaults = Activator.CreateInstance(d.OptionsType);
        var options = OptionsBinder.Describe(d.OptionsType).Select(o =>
        {
            var value = o.Property.GetValue(defaults);
            var shown = value is Array a ? "[" + string.Join(", ", a.Cast<object>()) + "]"
                : o.Unit == OptionUnit.BytesPerSecond && value is double rate ? FormatRate(rate)
                : o.Unit == OptionUnit.Nanoseconds && value is double ns ? FormatDuration(ns)
                : value is IFormattable f ? f.ToString(null, CultureInfo.InvariantCulture).ToLowerInvariant()
                : value?.ToString()?.ToLowerInvariant() ?? "";
            var period = o.Property.GetCustomAttributes(typeof(PolicyOptionAttribute), false).OfType<PolicyOptionAttribute>().Any(x => x.Period);
            return new PolicyOptionInfo(o.Key, shown, o.TypeName, o.Rules, o.Description)
            {
                PeriodNs = period && value is double published ? published : null,
            };
        }).ToList();
        return new PolicyInfo(d.Name, d.Summary, options);
    }).ToList();

    /// <summary>A duration in ns as YAML would write it, in the largest of ns, us, ms, s that keeps it at least 1 ("10ms", "2.5us").</summary>
    public static string FormatDuration(double ns)
    {
        var (value, unit) = ns >= 1e9 ? (ns / 1e9, "s") : ns >= 1e6 ? (ns / 1e6, "ms") : ns >= 1e3 ? (ns / 1e3, "us") : (ns, "ns");
        return value.ToString("0.###", CultureInfo.InvariantCulture) + unit;
    }

    /// <summary>A rate in bytes per second as YAML would write it, e.g. "10GiB/s" or "200MB/s"; "0" stays 0.</summary>
    public static string FormatRate(double bytesPerSecond)
    {
        var inv = CultureInfo.InvariantCulture;
        if (bytesPerSecond <= 0)
        {
            return "0";
        }

        foreach (var (unit, factor) in new[] { ("GiB/s", 1024d * 1024 * 1024), ("MiB/s", 1024d * 1024), ("GB/s", 1e9), ("MB/s", 1e6) })
        {
            var x = bytesPerSecond / factor;
            if (x >= 1 && Math.Abs(x - Math.Round(x)) < 1e-9)
            {
                return string.Create(inv, $"{Math.Round(x)}{unit}");
            }
        }

        return string.Create(inv, $"{bytesPerSecond}B/s");
    }
}
