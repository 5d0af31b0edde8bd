using System.CommandLine;
using DeepMem.Experiments;

namespace DeepMem.Cli.Commands;

/// <summary><c>deepmem validate</c>: check experiment files and print what would run.</summary>
public static class ValidateCommand
{
    /// <summary>Builds the verb.</summary>
    public static Command Create()
    {
        var files = SharedOptions.ExperimentFiles();
        var quiet = new Option<bool>("--quiet", "-q") { Description = "print only problems, not the resolved experiments" };
        var command = new Command("validate", "check experiment files; print every problem with file:line:col, then the resolved experiments")
        {
            files,
            quiet,
        };
        command.SetAction((parse, ct) => Task.FromResult(Execute(parse.GetValue(files)!, parse.GetValue(quiet), Console.Out, Console.Error, ct)));
        return command;
    }

    /// <summary>
    /// Validates files, with every check <c>run</c> would trip on (the
    /// backend's files too); returns the exit code.
    /// </summary>
    public static int Execute(FileInfo[] files, bool quiet, TextWriter stdout, TextWriter stderr, CancellationToken ct = default)
    {
        var failed = false;
        foreach (var file in files)
        {
            var path = file.FullName == Path.GetFullPath(file.ToString()) ? file.ToString() : file.FullName;
            LoadResult result;
            try
            {
                result = ExperimentLoader.LoadFile(path, new LoadOptions { CheckBackendFiles = true, SweepProgress = new SweepProgressLine(path, stderr) }, ct);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                stderr.WriteLine($"{file}: cancelled while loading");
                return ExitCodes.Cancelled;
            }

            foreach (var problem in result.Problems)
            {
                stderr.WriteLine(problem);
            }

            // What the backend finds reading what it needs: gem5 binary, traces against the nodes, page size and epoch.
            var backend = result.Ok ? Backends.Validate(result.Experiments, path) : [];
            foreach (var problem in backend)
            {
                stderr.WriteLine(problem);
            }

            var errors = result.Problems.Concat(backend).Count(p => p.Severity == Severity.Error);
            if (errors > 0)
            {
                failed = true;
                stderr.WriteLine($"{file}: {errors} error(s)");
                continue;
            }

            if (!quiet)
            {
                ExperimentPrinter.Print(result.Experiments, stdout);
            }

            stdout.WriteLine($"{file}: ok ({result.Experiments.Count} point{(result.Experiments.Count == 1 ? "" : "s")})");
        }

        return failed ? ExitCodes.BadInput : ExitCodes.Ok;
    }
}
