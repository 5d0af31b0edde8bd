namespace DeepMem.Experiments.Execution;

/// <summary>
/// Where experiment points run: on this machine (<see cref="LocalExecutor"/>)
/// or as tasks of a cluster job (<see cref="SlurmExecutor"/>). Every executor
/// stores each point's result where a local run would, reuses stored results
/// under the same <see cref="ResultKey"/>, and reports each outcome as it
/// comes. Another scheduler is one more class.
/// </summary>
public interface IExecutor
{
    /// <summary>Name as written in experiment files and on the command line ("local", "slurm").</summary>
    string Name { get; }

    /// <summary>
    /// Runs <paramref name="tasks"/> (reusing stored results unless
    /// <paramref name="force"/>), calls <paramref name="onOutcome"/> as each
    /// point finishes, and returns the outcomes in task order. On
    /// cancellation the outcomes not finished are <c>Cancelled</c> and
    /// nothing that finished is lost.
    /// </summary>
    Task<IReadOnlyList<ExperimentRunner.PointOutcome>> RunAsync(
        IReadOnlyList<PointTask> tasks,
        bool force,
        Action<ExperimentRunner.PointOutcome> onOutcome,
        IProgress<ExecutorProgress>? progress,
        CancellationToken ct);
}
