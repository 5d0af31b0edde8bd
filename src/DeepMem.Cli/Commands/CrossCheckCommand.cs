using System.CommandLine;
using DeepMem.Experiments;
using DeepMem.Experiments.CrossCheck;
using DeepMem.Experiments.Execution;

namespace DeepMem.Cli.Commands;

/// <summary>
/// <c>deepmem crosscheck</c>: the estimator's validation against gem5
/// (docs/estimator.md protocol). One experiment file = one workload on one memory
/// system; give several for a whole table.
/// </summary>
public static class CrossCheckCommand
{
    /// <summary>Builds the verb.</summary>
    public static Command Create()
    {
        var files = SharedOptions.ExperimentFiles();
        var random = new Option<int>("--random") { Description = "random region placements per workload", DefaultValueFactory = _ => 10 };
        var output = new Option<DirectoryInfo?>("--out", "-o") { Description = "where the table and plot go (default: results/crosscheck)" };
        var only = new Option<string[]>("--case") { Description = "run only these cases' gem5 runs and write no table (repeatable; what a cluster task runs)" };
        var executor = new ExecutorFlags(Environment.ProcessorCount);
        var command = new Command("crosscheck", "run the validation protocol: placements and policies in gem5 and on the estimator; write the error table and a scatter plot (resumable)")
        {
            files, random, output, only,
        };
        executor.AddTo(command);
        command.SetAction((parse, ct) => ExecuteAsync(parse.GetValue(files)!, parse.GetValue(random), parse.GetValue(output), parse.GetValue(only),
            spec => executor.Apply(parse, spec, Console.Error), ct));
        return command;
    }

    /// <summary>Runs the protocol on this machine, <paramref name="parallel"/> gem5 runs at once; returns the exit code.</summary>
    public static Task<int> ExecuteAsync(FileInfo[] files, int parallel, int random, DirectoryInfo? output, CancellationToken ct) =>
        ExecuteAsync(files, random, output, null, _ => new ExecutorSpec { Jobs = parallel }, ct);

    /// <summary>
    /// Runs the protocol with its gem5 runs where <paramref name="executorFor"/>
    /// says (null: exit 2); with <paramref name="only"/>, just those cases'
    /// gem5 runs and no table. Returns the exit code.
    /// </summary>
    public static async Task<int> ExecuteAsync(FileInfo[] files, int random, DirectoryInfo? output, IReadOnlyList<string>? only,
        Func<ExecutorSpec, ExecutorSpec?> executorFor, CancellationToken ct)
    {
        var session = new CrossCheckSession(random, only, Console.WriteLine, Console.Error.WriteLine)
        {
            SlurmTaskArguments = (file, id, n) => ["crosscheck", Path.GetFullPath(file), "--case", id, "--random",
                n.ToString(System.Globalization.CultureInfo.InvariantCulture), "--executor", "local"],
            SlurmProgress = ExecutorFlags.Printer(Console.Error),
        };
        foreach (var file in files)
        {
            var loaded = CommandSupport.Load(file.ToString(), Console.Error, ct: ct);
            if (loaded is null || executorFor(loaded.Experiments[0].Executor) is not { } spec)
            {
                return ExitCodes.BadInput;
            }

            try
            {
                var rows = await session.AddAsync(file.ToString(), loaded.Experiments[0], spec, ct);
                if (session.OnlyCases)
                {
                    return rows.Any(r => r.Failure is not null) ? ExitCodes.Failed : ExitCodes.Ok;
                }
            }
            catch (ExperimentFailureException f)
            {
                return CommandSupport.Fail(f, Console.Error);
            }
        }

        var report = await session.WriteReportAsync(output?.FullName ?? Path.GetFullPath(Path.Combine("results", "crosscheck")));
        Console.WriteLine();
        Console.Write(report.Table);
        Console.WriteLine($"table: {report.TablePath}");
        Console.WriteLine($"plot:  {report.PlotPath}");
        if (report.WindowsPath is { } windows)
        {
            Console.WriteLine($"where the error comes from, window by window: {windows}");
        }

        return session.AnyFailed ? ExitCodes.Failed : ExitCodes.Ok;
    }
}
