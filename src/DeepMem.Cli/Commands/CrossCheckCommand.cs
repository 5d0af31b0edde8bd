using System.CommandLine;
using System.Text.Json;
using DeepMem.Estimator;
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
        var executor = new ExecutorFlags();
        var command = new Command("crosscheck", "run the validation protocol: placements and policies in gem5 and on the estimator; write the error table and a scatter plot (resumable)")
        {
            files, random, output, only,
        };
        executor.AddTo(command);
        command.SetAction((parse, ct) => ExecuteAsync(parse.GetValue(files)!, parse.GetValue(random), parse.GetValue(output), parse.GetValue(only),
            spec => executor.Apply(parse, executor.JobsGiven(parse) ? spec : spec with { Jobs = Environment.ProcessorCount }, Console.Error), ct));
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
        var summaries = new List<CrossCheckSummary>();
        var all = new List<(string, IReadOnlyList<CrossCheckRow>)>();
        var windows = new System.Text.StringBuilder();
        var layoutLines = new List<string>();
        var targets = new List<CrossCheckTargets.Workload>();
        foreach (var file in files)
        {
            var loaded = CommandSupport.Load(file.ToString(), Console.Error, ct: ct);
            if (loaded is null)
            {
                return ExitCodes.BadInput;
            }

            var e = loaded.Experiments[0];
            if (e.Estimator.TraceDir is null || !Directory.Exists(e.Estimator.TraceDir))
            {
                await Console.Error.WriteLineAsync($"error: {file}: estimator.traces is missing; record them first: deepmem trace {file}");
                return ExitCodes.BadInput;
            }

            DifferentialEstimator estimator;
            try
            {
                estimator = new DifferentialEstimator(TraceSet.Load(e.Estimator.TraceDir, e.Spec.Nodes.Select(n => n.Name).ToList()), e.Estimator);
            }
            catch (Exception ex) when (ex is TraceFormatException or TraceSetException or IOException)
            {
                await Console.Error.WriteLineAsync($"error: {file}: cannot load traces: {ex.Message}");
                return ExitCodes.Failed;
            }

            if (executorFor(e.Executor) is not { } spec)
            {
                return ExitCodes.BadInput;
            }

            var runner = new CrossCheckRunner(e, estimator);
            var cases = runner.Cases(random);
            if (only is { Count: > 0 })
            {
                if (only.Except(cases.Select(c => c.Id)).ToList() is { Count: > 0 } unknown)
                {
                    await Console.Error.WriteLineAsync($"error: --case: {file} has no case {string.Join(", ", unknown.Select(u => $"'{u}'"))}; cases: {string.Join(", ", cases.Select(c => c.Id))}");
                    return ExitCodes.BadInput;
                }

                cases = cases.Where(c => only.Contains(c.Id)).ToList();
            }

            if (Gem5Missing(e) is { } missing)
            {
                await Console.Error.WriteLineAsync($"error: {file}: crosscheck runs every case in gem5, which is unavailable: {missing}");
                return ExitCodes.Failed;
            }

            Console.WriteLine($"{e.Name}: {cases.Count} cases, gem5 results in {runner.Folder}");
            IReadOnlyList<CrossCheckRow> rows;
            try
            {
                if (spec.Kind == "slurm")
                {
                    runner = new CrossCheckRunner(e, estimator)
                    {
                        FailedElsewhere = await OnSlurmAsync(new SlurmExecutor(spec.Slurm), file, e, runner, cases, random, ct),
                    };
                }

                rows = await runner.RunAsync(cases, spec.Jobs, line => Console.Error.WriteLine($"{e.Name}/{line}"), ct);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                await Console.Error.WriteLineAsync("cancelled; finished cases are kept and a rerun resumes");
                return ExitCodes.Cancelled;
            }
            catch (ExecutorUnavailableException ex)
            {
                await Console.Error.WriteLineAsync($"{e.Name}: executor 'slurm' unavailable: {ex.Message}");
                return ExitCodes.Failed;
            }

            if (only is { Count: > 0 })
            {
                var bad = rows.Where(r => r.Failure is not null).ToList();
                foreach (var r in bad)
                {
                    await Console.Error.WriteLineAsync($"{e.Name}/{r.Case}: gem5 failed: {r.Failure}");
                }

                return bad.Count > 0 ? ExitCodes.Failed : ExitCodes.Ok;
            }

            await File.WriteAllTextAsync(Path.Combine(runner.Folder, "rows.json"), JsonSerializer.Serialize(rows, ResultStore.Json), ct);
            var singles = cases.Where(c => c.Id.StartsWith("all-", StringComparison.Ordinal)).Select(c => c.Id).ToList();
            summaries.AddRange(CrossCheckSummary.From(e.Name, rows, singles));
            var allSlow = $"all-{e.Spec.Nodes[runner.SlowNode].Name}";
            if (CrossCheckSummary.LayoutLine(e.Name, rows, allSlow) is { } layoutLine)
            {
                layoutLines.Add(layoutLine);
            }

            all.Add((e.Name, rows));
            var diagnosis = runner.Diagnose(rows, line => Console.Error.WriteLine($"{e.Name}/{line}"), cases);
            if (diagnosis.Cases.Count > 0)
            {
                windows.AppendLine(WindowDiagnosis.Markdown(e.Name, diagnosis.Cases, repeatability: diagnosis.Repeatability));
            }

            targets.Add(new(e.Name, rows, diagnosis.Cases, CrossCheckSummary.LayoutShift(rows, allSlow)));

            foreach (var failed in rows.Where(r => r.Failure is not null))
            {
                await Console.Error.WriteLineAsync($"{e.Name}/{failed.Case}: gem5 failed: {failed.Failure}");
            }
        }

        var dir = output?.FullName ?? Path.GetFullPath(Path.Combine("results", "crosscheck"));
        Directory.CreateDirectory(dir);
        var table = CrossCheckSummary.Markdown(summaries, all.SelectMany(a => a.Item2).ToList());
        if (layoutLines.Count > 0)
        {
            // Not in the table: how much gem5 moves when only the slow node's physical layout does.
            table += "\nLayout check (not in the table): a region the traces barely touch moved from the slow node to the fast one, "
                + "which shifts the frames of everything allocated after it on the slow node:\n\n"
                + string.Concat(layoutLines.Select(l => $"* {l}\n"));
        }
        table += "\n" + CrossCheckTargets.Markdown(targets);
        await File.WriteAllTextAsync(Path.Combine(dir, "crosscheck.md"), table, CancellationToken.None);
        CrossCheckPlot.Write(Path.Combine(dir, "crosscheck.png"), all);
        if (windows.Length > 0)
        {
            await File.WriteAllTextAsync(Path.Combine(dir, "windows.md"), windows.ToString(), CancellationToken.None);
        }

        Console.WriteLine();
        Console.Write(table);
        Console.WriteLine($"table: {Path.Combine(dir, "crosscheck.md")}");
        Console.WriteLine($"plot:  {Path.Combine(dir, "crosscheck.png")}");
        if (windows.Length > 0)
        {
            Console.WriteLine($"where the error comes from, window by window: {Path.Combine(dir, "windows.md")}");
        }

        return all.Any(a => a.Item2.Any(r => r.Failure is not null)) ? ExitCodes.Failed : ExitCodes.Ok;
    }

    /// <summary>
    /// The cases whose gem5 result is not stored yet, one Slurm task each
    /// (<c>deepmem crosscheck --case</c>); returns the failure of each that
    /// did not store a result, which its row then carries.
    /// </summary>
    private static async Task<IReadOnlyDictionary<string, string>> OnSlurmAsync(SlurmExecutor slurm, FileInfo file, Experiment e,
        CrossCheckRunner runner, IReadOnlyList<CrossCheckCase> cases, int random, CancellationToken ct)
    {
        var todo = cases.Where(c => !runner.IsStored(c)).ToList();
        var failed = new Dictionary<string, string>();
        if (todo.Count == 0)
        {
            return failed;
        }

        var args = todo.Select(c => (IReadOnlyList<string>)["crosscheck", file.FullName, "--case", c.Id, "--random",
            random.ToString(System.Globalization.CultureInfo.InvariantCulture), "--executor", "local"]).ToList();
        var done = 0;
        var progress = ExecutorFlags.Printer(Console.Error);
        await slurm.RunArrayAsync($"crosscheck-{e.Name}", Path.Combine(e.ResultsRoot, "slurm"), args, (end, lastTry) =>
        {
            var c = todo[end.Task];
            var ok = runner.IsStored(c);
            if (ok)
            {
                done++;
                failed.Remove(c.Id);
            }
            else if (lastTry)
            {
                failed[c.Id] = $"{end.Describe()}: {end.Tail(SlurmExecutor.TailLines)?.ReplaceLineEndings(" ")}";
            }

            return ok;
        }, (running, pending) => progress.Report(new ExecutorProgress(done, running, pending, failed.Count)), ct);
        return failed;
    }

    /// <summary>Why gem5 cannot run for <paramref name="e"/>, or null when its binary is there.</summary>
    public static string? Gem5Missing(Experiment e) => e.Gem5.ResolveBinary() switch
    {
        null or "" => "no gem5 binary: set gem5.binary in the experiment or DEEPMEM_GEM5 to a gem5.opt built with gem5-patches (see README)",
        var b when !File.Exists(b) => $"gem5 binary '{b}' does not exist",
        _ => null,
    };
}
