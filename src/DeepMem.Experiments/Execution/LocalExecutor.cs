using DeepMem.Core;

namespace DeepMem.Experiments.Execution;

/// <summary>Runs points on this machine, <see cref="Jobs"/> at a time.</summary>
/// <param name="runner">Runs one point (and stores its result).</param>
/// <param name="jobs">Points run at once (at least 1).</param>
public sealed class LocalExecutor(ExperimentRunner runner, int jobs = 1) : IExecutor
{
    /// <summary>Points run at once.</summary>
    public int Jobs { get; } = Math.Max(1, jobs);

    /// <inheritdoc/>
    public string Name => "local";

    /// <summary>Progress of the single running point, shown when <see cref="Jobs"/> is 1.</summary>
    public Func<Experiment, IProgress<RunProgress>?>? PointProgress { get; init; }

    /// <inheritdoc/>
    public async Task<IReadOnlyList<ExperimentRunner.PointOutcome>> RunAsync(IReadOnlyList<PointTask> tasks, bool force,
        Action<ExperimentRunner.PointOutcome> onOutcome, IProgress<ExecutorProgress>? progress, CancellationToken ct)
    {
        var outcomes = new ExperimentRunner.PointOutcome?[tasks.Count];
        int done = 0, running = 0, failed = 0;
        var gate = new object();
        void Report() => progress?.Report(new ExecutorProgress(done, running, tasks.Count - done - failed - running, failed));

        using var slots = new SemaphoreSlim(Jobs);
        var work = tasks.Select(async (task, i) =>
        {
            try
            {
                await slots.WaitAsync(ct).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            try
            {
                lock (gate)
                {
                    running++;
                    Report();
                }

                var p = Jobs == 1 ? PointProgress?.Invoke(task.Point) : null;
                var outcome = await runner.RunAsync(task.Point, p, force, ct).ConfigureAwait(false);
                lock (gate)
                {
                    outcomes[i] = outcome;
                    running--;
                    if (outcome.Record.Result.Status == RunStatus.Succeeded)
                    {
                        done++;
                    }
                    else
                    {
                        failed++;
                    }

                    onOutcome(outcome);
                    Report();
                }
            }
            finally
            {
                slots.Release();
            }
        }).ToList();
        await Task.WhenAll(work).ConfigureAwait(false);
        return outcomes.Select((o, i) => o ?? Cancelled(tasks[i].Point)).ToList();
    }

    /// <summary>The outcome of a point that never ran because the user cancelled.</summary>
    public static ExperimentRunner.PointOutcome Cancelled(Experiment e) => new(e, ResultRecord.Of(e,
        new RunResult { Backend = e.Backend, Status = RunStatus.Cancelled, FailureReason = "cancelled by the user before it ran", ExitCode = 130 }, null),
        Skipped: false);
}
