using System.CommandLine;
using DeepMem.Experiments;

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

    /// <summary>Prints the catalogue (<see cref="PolicyCatalog"/>); returns the exit code.</summary>
    public static int Execute(TextWriter stdout)
    {
        foreach (var p in PolicyCatalog.BuiltIn())
        {
            stdout.WriteLine($"{p.Name}: {p.Summary}");
            if (p.Options is null)
            {
                stdout.WriteLine("    (no options)");
                continue;
            }

            foreach (var o in p.Options)
            {
                stdout.WriteLine($"    {o.Key} = {o.Default}  ({o.TypeName}{(o.Rules.Length == 0 ? "" : "; " + o.Rules)}) {o.Description}");
            }
        }

        stdout.WriteLine();
        stdout.WriteLine("A custom policy: policy: { assembly: path/to/My.dll, type: My.Namespace.MyPolicy, options: {...} }");
        return ExitCodes.Ok;
    }
}
