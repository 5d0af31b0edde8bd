using System.CommandLine;
using System.Globalization;
using DeepMem.Core;
using DeepMem.Policies;

namespace DeepMem.Cli.Commands;

/// <summary><c>deepmem policies</c>: list the built-in policies and their options.</summary>
public static class PoliciesCommand
{
    /// <summary>Builds the verb.</summary>
    public static Command Create()
    {
        var command = new Command("policies", "list built-in placement policies with their options and defaults");
        command.SetAction(_ => Execute(Console.Out));
        return command;
    }

    /// <summary>Prints the catalogue; returns the exit code.</summary>
    public static int Execute(TextWriter stdout)
    {
        foreach (var d in DefaultPolicies.All)
        {
            stdout.WriteLine($"{d.Name}: {d.Summary}");
            if (d.OptionsType is null)
            {
                stdout.WriteLine("    (no options)");
                continue;
            }

            var defaults = Activator.CreateInstance(d.OptionsType);
            foreach (var o in OptionsBinder.Describe(d.OptionsType))
            {
                var value = o.Property.GetValue(defaults);
                var shown = value is Array a ? "[" + string.Join(", ", a.Cast<object>()) + "]"
                    : o.Unit == OptionUnit.BytesPerSecond && value is double rate ? FormatRate(rate)
                    : value is IFormattable f ? f.ToString(null, CultureInfo.InvariantCulture).ToLowerInvariant()
                    : value?.ToString()?.ToLowerInvariant() ?? "";
                var rules = o.Rules;
                stdout.WriteLine($"    {o.Key} = {shown}  ({o.TypeName}{(rules.Length == 0 ? "" : "; " + rules)}) {o.Description}");
            }
        }

        stdout.WriteLine();
        stdout.WriteLine("A custom policy: policy: { assembly: path/to/My.dll, type: My.Namespace.MyPolicy, options: {...} }");
        return ExitCodes.Ok;
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
