using System.CommandLine;
using DeepMem.Cli.Commands;

namespace DeepMem.Cli;

/// <summary>The root <c>deepmem</c> command and its verbs.</summary>
public static class DeepMemCommand
{
    /// <summary>Examples shown by --help.</summary>
    public const string Examples = """
        Examples:
          deepmem validate configs/experiments/quickstart.yaml
          deepmem run configs/experiments/quickstart.yaml
          deepmem run configs/experiments/hot-after-cold.yaml --backend gem5
          deepmem policies

        Exit codes: 0 ok, 1 experiment failed, 2 bad input, 130 cancelled.
        """;

    /// <summary>Builds the command tree (no side effects; tests parse with it).</summary>
    public static RootCommand Build()
    {
        var root = new RootCommand("DeepMem.Gem5: data placement on heterogeneous memory, on gem5 or the differential estimator.\n\n" + Examples);
        root.Subcommands.Add(ValidateCommand.Create());
        root.Subcommands.Add(RunCommand.Create());
        root.Subcommands.Add(PoliciesCommand.Create());
        root.Subcommands.Add(TraceCommand.Create());
        root.Subcommands.Add(OptimizeCommand.Create());
        root.Subcommands.Add(BenchCommand.Create());
        root.Subcommands.Add(CrossCheckCommand.Create());
        root.Subcommands.Add(TrainCommand.Create());
        root.Subcommands.Add(CompareCommand.Create());
        return root;
    }

    /// <summary>Parses and runs; returns the process exit code.</summary>
    public static async Task<int> RunAsync(string[] args)
    {
        var parse = Build().Parse(args);
        if (parse.Errors.Count > 0)
        {
            foreach (var error in parse.Errors)
            {
                await Console.Error.WriteLineAsync("error: " + error.Message);
            }

            await Console.Error.WriteLineAsync("Run 'deepmem --help' for usage.");
            return ExitCodes.BadInput;
        }

        return await parse.InvokeAsync();
    }
}
