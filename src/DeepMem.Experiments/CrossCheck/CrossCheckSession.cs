using System.Text;
using System.Text.Json;
using DeepMem.Experiments.Execution;

namespace DeepMem.Experiments.CrossCheck;

/// <summary>Where a cross-check's report went, and its table.</summary>
/// <param name="Table">The Markdown of crosscheck.md.</param>
/// <param name="TablePath">crosscheck.md.</param>
/// <param name="PlotPath">crosscheck.png.</param>
/// <param name="WindowsPath">windows.md, when a case had a window trace to diagnose.</param>
public sealed record CrossCheckReport(string Table, string TablePath, string PlotPath, string? WindowsPath);

/// <summary>
/// The validation protocol over several workloads (docs/estimator.md): each
/// experiment's cases run in gem5 (here, the executor's jobs at a time, or as
/// a Slurm array) and on the estimator through <see cref="CrossCheckRunner"/>,
/// then one report for all of them (<see cref="WriteReportAsync"/>). A workload
/// that cannot be checked ends it with <see cref="ExperimentFailureException"/>.
/// </summary>
/// <param name="random">Random region placements per workload.</param>
/// <param name="only">Run only these cases' gem5 runs and write no report (what a cluster task runs); null or empty: all.</param>
/// <param name="info">Told the one line per workload that says what runs.</param>
/// <param name="log">Told each case's progress and failures.</param>
public sealed class CrossCheckSession(int random, IReadOnlyList<string>? only, Action<string> info, Action<string> log)
{
    private readonly List<CrossCheckSummary> _summaries = [];
    private readonly List<(string, IReadOnlyList<CrossCheckRow>)> _all = [];
    private readonly StringBuilder _windows = new();
    private readonly List<string> _layoutLines = [];
    private readonly List<CrossCheckTargets.Workload> _targets = [];

    /// <summary>The deepmem arguments of the cluster task that runs one case of a file alone (file, case id, random count).</summary>
    public Func<string, string, int, IReadOnlyList<string>>? SlurmTaskArguments { get; init; }

    /// <summary>Told how a Slurm array goes.</summary>
    public IProgress<ExecutorProgress>? SlurmProgress { get; init; }

    /// <summary>True when only the named cases run (no report).</summary>
    public bool OnlyCases => only is { Count: > 0 };

    /// <summary>True when a case of any workload so far failed in gem5.</summary>
    public bool AnyFailed => _all.Any(a => a.Item2.Any(r => r.Failure is not null));

    /// <summary>
    /// Cross-checks <paramref name="experiment"/> (loaded from <paramref name="file"/>)
    /// with its gem5 runs where <paramref name="executor"/> says; returns its rows.
    /// </summary>
    public async Task<IReadOnlyList<CrossCheckRow>> AddAsync(string file, Experiment experiment, ExecutorSpec executor, CancellationToken ct)
    {
        var e = experiment;
        if (e.Estimator.TraceDir is null || !Directory.Exists(e.Estimator.TraceDir))
        {
            throw new ExperimentFailureException(FailureKind.BadInput, $"error: {file}: estimator.traces is missing; record them first: deepmem trace {file}");
        }

        Estimator.DifferentialEstimator estimator;
        try
        {
            estimator = EstimatorBackend.Load(e);
        }
        catch (BackendUnavailableException ex)
        {
            throw new ExperimentFailureException(FailureKind.Failed, $"error: {file}: cannot load traces: {ex.Message}");
        }

        var runner = new CrossCheckRunner(e, estimator);
        var cases = runner.Cases(random);
        if (only is { Count: > 0 })
        {
            if (only.Except(cases.Select(c => c.Id)).ToList() is { Count: > 0 } unknown)
            {
                throw new ExperimentFailureException(FailureKind.BadInput,
                    $"error: --case: {file} has no case {string.Join(", ", unknown.Select(u => $"'{u}'"))}; cases: {string.Join(", ", cases.Select(c => c.Id))}");
            }

            cases = cases.Where(c => only.Contains(c.Id)).ToList();
        }

        if (Gem5Backend.BinaryProblem(e.Gem5) is { } missing)
        {
            throw new ExperimentFailureException(FailureKind.Failed, $"error: {file}: crosscheck runs every case in gem5, which is unavailable: {missing}");
        }

        info($"{e.Name}: {cases.Count} cases, gem5 results in {runner.Folder}");
        IReadOnlyList<CrossCheckRow> rows;
        try
        {
            if (executor.Kind == "slurm")
            {
                runner = new CrossCheckRunner(e, estimator)
                {
                    FailedElsewhere = await OnSlurmAsync(new SlurmExecutor(executor.Slurm), file, e, runner, cases, ct).ConfigureAwait(false),
                };
            }

            rows = await runner.RunAsync(cases, executor.Jobs, line => log($"{e.Name}/{line}"), ct).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            throw new ExperimentFailureException(FailureKind.Cancelled, "cancelled; finished cases are kept and a rerun resumes");
        }
        catch (ExecutorUnavailableException ex)
        {
            throw new ExperimentFailureException(FailureKind.Failed, $"{e.Name}: executor 'slurm' unavailable: {ex.Message}");
        }

        if (only is { Count: > 0 })
        {
            foreach (var r in rows.Where(r => r.Failure is not null))
            {
                log($"{e.Name}/{r.Case}: gem5 failed: {r.Failure}");
            }

            return rows;
        }

        await File.WriteAllTextAsync(Path.Combine(runner.Folder, "rows.json"), JsonSerializer.Serialize(rows, ResultStore.Json), ct).ConfigureAwait(false);
        var singles = cases.Where(c => c.Id.StartsWith("all-", StringComparison.Ordinal)).Select(c => c.Id).ToList();
        _summaries.AddRange(CrossCheckSummary.From(e.Name, rows, singles));
        var allSlow = $"all-{e.Spec.Nodes[runner.SlowNode].Name}";
        if (CrossCheckSummary.LayoutLine(e.Name, rows, allSlow) is { } layoutLine)
        {
            _layoutLines.Add(layoutLine);
        }

        _all.Add((e.Name, rows));
        var diagnosis = runner.Diagnose(rows, line => log($"{e.Name}/{line}"), cases);
        if (diagnosis.Cases.Count > 0)
        {
            _windows.AppendLine(WindowDiagnosis.Markdown(e.Name, diagnosis.Cases, repeatability: diagnosis.Repeatability));
        }

        _targets.Add(new(e.Name, rows, diagnosis.Cases, CrossCheckSummary.LayoutShift(rows, allSlow)));
        foreach (var failed in rows.Where(r => r.Failure is not null))
        {
            log($"{e.Name}/{failed.Case}: gem5 failed: {failed.Failure}");
        }

        return rows;
    }

    /// <summary>Writes crosscheck.md, crosscheck.png and (when there is one) windows.md to <paramref name="dir"/>.</summary>
    public async Task<CrossCheckReport> WriteReportAsync(string dir)
    {
        Directory.CreateDirectory(dir);
        var table = CrossCheckSummary.Markdown(_summaries, _all.SelectMany(a => a.Item2).ToList());
        if (_layoutLines.Count > 0)
        {
            // Not in the table: how much gem5 moves when only the slow node's physical layout does.
            table += "\nLayout check (not in the table): a region the traces barely touch moved from the slow node to the fast one, "
                + "which shifts the frames of everything allocated after it on the slow node:\n\n"
                + string.Concat(_layoutLines.Select(l => $"* {l}\n"));
        }

        table += "\n" + CrossCheckTargets.Markdown(_targets);
        var tablePath = Path.Combine(dir, "crosscheck.md");
        var plotPath = Path.Combine(dir, "crosscheck.png");
        await File.WriteAllTextAsync(tablePath, table, CancellationToken.None).ConfigureAwait(false);
        CrossCheckPlot.Write(plotPath, _all);
        string? windowsPath = null;
        if (_windows.Length > 0)
        {
            windowsPath = Path.Combine(dir, "windows.md");
            await File.WriteAllTextAsync(windowsPath, _windows.ToString(), CancellationToken.None).ConfigureAwait(false);
        }

        return new CrossCheckReport(table, tablePath, plotPath, windowsPath);
    }

    /// <summary>
    /// The cases whose gem5 result is not stored yet, one Slurm task each;
    /// returns the failure of each that did not store a result, which its row then carries.
    /// </summary>
    private async Task<IReadOnlyDictionary<string, string>> OnSlurmAsync(SlurmExecutor slurm, string file, Experiment e,
        CrossCheckRunner runner, IReadOnlyList<CrossCheckCase> cases, CancellationToken ct)
    {
        var todo = cases.Where(c => !runner.IsStored(c)).ToList();
        var failed = new Dictionary<string, string>();
        if (todo.Count == 0)
        {
            return failed;
        }

        if (SlurmTaskArguments is null)
        {
            throw new ExecutorUnavailableException("no command line to run a case as a cluster task");
        }

        var args = todo.Select(c => SlurmTaskArguments(file, c.Id, random)).ToList();
        var done = 0;
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
        }, (running, pending) => SlurmProgress?.Report(new ExecutorProgress(done, running, pending, failed.Count)), ct).ConfigureAwait(false);
        return failed;
    }
}
