using System.CommandLine;
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
                var shown = value is Array a ? "[" + string.Join(", ", a.Cast<object>()) + "]" : value?.ToString()?.ToLowerInvariant() ?? "";
                stdout.WriteLine($"    {o.Key} = {shown}  ({o.TypeName}) {o.Description}");
            }
        }

        stdout.WriteLine();
        stdout.WriteLine("A custom policy: policy: { assembly: path/to/My.dll, type: My.Namespace.MyPolicy, options: {...} }");
        return ExitCodes.Ok;
    }
}
