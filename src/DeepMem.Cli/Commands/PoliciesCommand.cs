using System.CommandLine;
using System.Globalization;
using DeepMem.Experiments;

namespace DeepMem.Cli.Commands;

/// <summary><c>deepmem policies</c>: list the built-in policies and their options.</summary>
public static class PoliciesCommand
{
    /// <summary>Builds the verb.</summary>
    public static Command Create()
    {
        var scale = new Option<double>("--time-scale")
        {
            Description = "show each period in simulated time as a policy_time_scale of this many would make it (default 1: the published periods; 0: one epoch)",
            DefaultValueFactory = _ => 1,
        };
        var command = new Command("policies", "list built-in placement policies with their options and defaults") { scale };
        command.SetAction(parse => Execute(Console.Out, parse.GetValue(scale), Console.Error));
        return command;
    }

    /// <summary>Prints the catalogue (<see cref="PolicyCatalog"/>); returns the exit code.</summary>
    public static int Execute(TextWriter stdout) => Execute(stdout, 1, TextWriter.Null);

    /// <summary>
    /// Prints the catalogue with each period's published default and its
    /// value under <paramref name="timeScale"/>; returns the exit code.
    /// </summary>
    public static int Execute(TextWriter stdout, double timeScale, TextWriter stderr)
    {
        if (!(timeScale >= 0) || !double.IsFinite(timeScale))
        {
            stderr.WriteLine($"error: --time-scale must be a number >= 0 (was {timeScale.ToString(CultureInfo.InvariantCulture)})");
            return ExitCodes.BadInput;
        }

        var scaleText = timeScale.ToString(CultureInfo.InvariantCulture);
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
                if (o.PeriodNs is not null)
                {
                    stdout.WriteLine($"        period: published {o.Default}, effective {o.Effective(timeScale)} at time_scale {scaleText}");
                }
            }
        }

        stdout.WriteLine();
        stdout.WriteLine("Periods are in simulated time; a policy acts on the epochs whose simulated time crosses a multiple of its period.");
        stdout.WriteLine("time_scale (a policy option) or policy_time_scale (experiment-wide) divides them for runs shorter than a period;");
        stdout.WriteLine("0 makes every period one epoch (the behaviour before periods were in time). See docs/policies.md.");
        stdout.WriteLine();
        stdout.WriteLine("A custom policy: policy: { assembly: path/to/My.dll, type: My.Namespace.MyPolicy, options: {...} }");
        return ExitCodes.Ok;
    }
}
