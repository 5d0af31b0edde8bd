using System.CommandLine;
using System.Text.Json;
using DeepMem.Estimator;
using DeepMem.Experiments;
using DeepMem.Experiments.CrossCheck;

namespace DeepMem.Cli.Commands;

/// <summary>
/// <c>deepmem crosscheck</c>: the estimator's validation against gem5
/// (ESTIMATOR.md protocol). One experiment file = one workload on one memory
/// system; give several for a whole table.
/// </summary>
public static class CrossCheckCommand
{
    /// <summary>Builds the verb.</summary>
    public static Command Create()
    {
        var files = SharedOptions.ExperimentFiles();
        var parallel = new Option<int>("--parallel", "-j")
        {
            Description = "gem5 runs at once (default: the number of cores)",
            DefaultValueFactory = _ => Environment.ProcessorCount,
        };
        var random = new Option<int>("--random") { Description = "random region placements per workload", DefaultValueFactory = _ => 10 };
        var output = new Option<DirectoryInfo?>("--out", "-o") { Description = "where the table and plot go (default: results/crosscheck)" };
        var command = new Command("crosscheck", "run the validation protocol: placements and policies in gem5 and on the estimator; write the error table and a scatter plot (resumable)")
        {
            files, parallel, random, output,
        };
        command.SetAction((parse, ct) => ExecuteAsync(parse.GetValue(files)!, parse.GetValue(parallel), parse.GetValue(random), parse.GetValue(output), ct));
        return command;
    }

    /// <summary>Runs the protocol; returns the exit code.</summary>
    public static async Task<int> ExecuteAsync(FileInfo[] files, int parallel, int random, DirectoryInfo? output, CancellationToken ct)
    {
        var summaries = new List<CrossCheckSummary>();
        var all = new List<(string, IReadOnlyList<CrossCheckRow>)>();
        var windows = new System.Text.StringBuilder();
        var layoutLines = new List<string>();
        var targets = new List<CrossCheckTargets.Workload>();
        foreach (var file in files)
        {
            var loaded = CommandSupport.Load(file.ToString(), Console.Error);
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

            var runner = new CrossCheckRunner(e, estimator);
            var cases = runner.Cases(random);
            Console.WriteLine($"{e.Name}: {cases.Count} cases, gem5 results in {runner.Folder}");
            IReadOnlyList<CrossCheckRow> rows;
            try
            {
                rows = await runner.RunAsync(cases, parallel, line => Console.Error.WriteLine($"{e.Name}/{line}"), ct);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                await Console.Error.WriteLineAsync("cancelled; finished cases are kept and a rerun resumes");
                return ExitCodes.Cancelled;
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
}
