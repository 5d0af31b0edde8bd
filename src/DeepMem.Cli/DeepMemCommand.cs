using System.CommandLine;
using System.Runtime.InteropServices;
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
        root.Subcommands.Add(TracesCommand.Create());
        root.Subcommands.Add(OptimizeCommand.Create());
        root.Subcommands.Add(BenchCommand.Create());
        root.Subcommands.Add(CrossCheckCommand.Create());
        root.Subcommands.Add(TrainCommand.Create());
        root.Subcommands.Add(CompareCommand.Create());
        root.Subcommands.Add(ServeCommand.Create());
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

        // Ctrl-C and SIGTERM cancel the verb's token (System.CommandLine);
        // noted here too, so that a cancellation the verb lets through is
        // reported as one, and anything else unexpected as one line.
        var terminated = false;
        ConsoleCancelEventHandler onCancel = (_, _) => terminated = true;
        Console.CancelKeyPress += onCancel;
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, _ => terminated = true);
        try
        {
            return await parse.InvokeAsync(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
        }
        catch (OperationCanceledException) when (terminated)
        {
            await Console.Error.WriteLineAsync("cancelled");
            return ExitCodes.Cancelled;
        }
        catch (Exception e) when (Environment.GetEnvironmentVariable("DEEPMEM_DEBUG") is null or "" or "0")
        {
            await Console.Error.WriteLineAsync(
                $"error: {e.GetType().Name}: {e.Message.Split('\n')[0].Trim()} (a bug in deepmem; rerun with DEEPMEM_DEBUG=1 for the stack trace and report it)");
            return ExitCodes.Failed;
        }
        finally
        {
            Console.CancelKeyPress -= onCancel;
        }
    }
}
