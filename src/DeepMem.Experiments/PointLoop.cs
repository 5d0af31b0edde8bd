using DeepMem.Core;
using DeepMem.Experiments.Execution;

namespace DeepMem.Experiments;

/// <summary>
/// A batch of points to run, as <c>run</c> (every sweep point) and
/// <c>compare</c> (one point per policy) make it: the points, how each is
/// named on its line, what they are called together, the deepmem arguments
/// that run one alone (a cluster task), and the report written at the end.
/// </summary>
/// <param name="Points">The points, in order.</param>
/// <param name="Label">A point's name on its line.</param>
/// <param name="What">The points together ("points", "policies").</param>
/// <param name="TaskArguments">The deepmem arguments that run one point alone.</param>
/// <param name="Report">Writes the report of the finished records under the results folder: (markdown, plot); null: no report.</param>
public sealed record PointJob(
    IReadOnlyList<Experiment> Points,
    Func<Experiment, string> Label,
    string What,
    Func<Experiment, IReadOnlyList<string>> TaskArguments,
    Func<IReadOnlyList<ResultRecord>, (string Markdown, string? Plot)>? Report)
{
    /// <summary>Where the batch's results go (the first point's results root).</summary>
    public string ResultsRoot => Points[0].ResultsRoot;
}

/// <summary>What became of a batch: the finished outcomes and the report written.</summary>
/// <param name="Finished">Every point that finished (succeeded or failed), in order.</param>
/// <param name="Markdown">The report's table file, when written.</param>
/// <param name="Plot">The report's plot, when written.</param>
public sealed record PointLoopResult(IReadOnlyList<ExperimentRunner.PointOutcome> Finished, string? Markdown, string? Plot)
{
    /// <summary>True when a point failed.</summary>
    public bool AnyFailed => Finished.Any(o => o.Record.Result.Status == RunStatus.Failed);
}

/// <summary>
/// The one point loop of <c>run</c> and <c>compare</c>: runs a
/// <see cref="PointJob"/> on an executor, tells each point as it finishes,
/// says what a cancel kept, and writes the report. A batch that ends short
/// (unavailable backend or executor, unwritable results, cancelled) throws
/// <see cref="ExperimentFailureException"/>.
/// </summary>
public static class PointLoop
{
    /// <summary>Runs <paramref name="job"/> on <paramref name="executor"/>; <paramref name="onPoint"/> hears each finished or failed point.</summary>
    public static async Task<PointLoopResult> RunAsync(PointJob job, IExecutor executor, bool force, Action<ExperimentRunner.PointOutcome> onPoint,
        IProgress<ExecutorProgress>? progress, CancellationToken ct)
    {
        var first = job.Points[0];
        var tasks = job.Points.Select(e => new PointTask(e, job.TaskArguments(e))).ToList();
        IReadOnlyList<ExperimentRunner.PointOutcome> outcomes;
        try
        {
            outcomes = await executor.RunAsync(tasks, force, outcome =>
            {
                if (outcome.Record.Result.Status != RunStatus.Cancelled)
                {
                    onPoint(outcome);
                }
            }, progress, ct).ConfigureAwait(false);
        }
        catch (BackendUnavailableException ex)
        {
            throw new ExperimentFailureException(FailureKind.Failed, $"{first.Name}: backend '{first.Backend}' unavailable: {ex.Message}");
        }
        catch (ExecutorUnavailableException ex)
        {
            throw new ExperimentFailureException(FailureKind.Failed, $"{first.Name}: executor '{executor.Name}' unavailable: {ex.Message}");
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new ExperimentFailureException(FailureKind.Failed, $"error: {first.Name}: cannot store the result under '{first.ResultsRoot}': {ex.Message}");
        }

        var finished = outcomes.Where(o => o.Record.Result.Status != RunStatus.Cancelled).ToList();
        if (finished.Count < outcomes.Count)
        {
            var at = outcomes.First(o => o.Record.Result.Status == RunStatus.Cancelled).Experiment.PointId;
            throw new ExperimentFailureException(FailureKind.Cancelled,
                $"cancelled at {at}: {finished.Count} of {outcomes.Count} {job.What} finished and kept under {first.ResultsRoot}; "
                + $"run the same command again to resume (stored successful {job.What} are reused, failed and cancelled ones run again)");
        }

        if (job.Report is null)
        {
            return new PointLoopResult(finished, null, null);
        }

        var (md, png) = job.Report(finished.Select(o => o.Record).ToList());
        return new PointLoopResult(finished, md, png);
    }

    /// <summary>
    /// The points of <c>run</c>: every loaded point with the command line's
    /// backend and results folder laid over it, and only those named in
    /// <paramref name="only"/> when given (an unknown one is bad input).
    /// </summary>
    public static List<Experiment> RunPoints(IReadOnlyList<Experiment> loaded, string file, string? backend, string? output, IReadOnlyList<string>? only)
    {
        var experiments = loaded.Select(e => Override(e, backend, output)).ToList();
        if (only is { Count: > 0 })
        {
            var unknown = only.Where(id => experiments.All(e => e.PointId != id)).ToList();
            if (unknown.Count > 0)
            {
                throw new ExperimentFailureException(FailureKind.BadInput,
                    $"error: --point: {file} has no point {string.Join(", ", unknown.Select(u => $"'{u}'"))}; its points: "
                    + string.Join(", ", experiments.Select(e => e.PointId).Take(20)) + (experiments.Count > 20 ? ", ..." : ""));
            }

            experiments = experiments.Where(e => only.Contains(e.PointId)).ToList();
        }

        return experiments;
    }

    /// <summary>
    /// The batch of <c>run</c>: its <paramref name="points"/>, "name/point"
    /// lines, the deepmem arguments of each point's task
    /// (<paramref name="taskArguments"/>), and the report of the whole
    /// experiment, whose speed-up column compares with <paramref name="baseline"/>.
    /// </summary>
    public static PointJob RunJob(IReadOnlyList<Experiment> points, Func<Experiment, IReadOnlyList<string>> taskArguments, string baseline) =>
        new(points, e => $"{e.Name}/{e.PointId}", "points", taskArguments,
            records => ReportWriter.Write(points[0].ResultsRoot, points[0].Name, records, baseline));

    private static Experiment Override(Experiment e, string? backend, string? output)
    {
        if (backend is not null)
        {
            e = e with { Backend = backend };
        }

        if (output is not null)
        {
            var root = Path.GetFullPath(output);
            e = e with
            {
                ResultsRoot = root,
                Spec = e.Spec with { OutputDir = e.SweepPoint.Count == 0 ? root : Path.Combine(root, e.PointId) },
            };
        }

        return e;
    }
}
