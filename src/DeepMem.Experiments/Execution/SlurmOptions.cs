namespace DeepMem.Experiments.Execution;

/// <summary>How points are submitted to Slurm (YAML <c>executor:</c> section, CLI flags).</summary>
public sealed record SlurmOptions
{
    /// <summary>Partition (<c>--partition</c>); null = the cluster's default.</summary>
    public string? Partition { get; init; }

    /// <summary>Account (<c>--account</c>); null = the user's default.</summary>
    public string? Account { get; init; }

    /// <summary>Time limit per task (<c>--time</c>); null = the partition's.</summary>
    public TimeSpan? TimeLimit { get; init; }

    /// <summary>Memory per task in MiB (<c>--mem</c>); null = the partition's default.</summary>
    public ulong? MemoryMiB { get; init; }

    /// <summary>CPUs per task (<c>--cpus-per-task</c>): gem5 is single-threaded, and so is the controller's policy call.</summary>
    public int CpusPerTask { get; init; } = 1;

    /// <summary>Extra <c>#SBATCH</c> lines, verbatim (e.g. "--qos=short").</summary>
    public IReadOnlyList<string> ExtraLines { get; init; } = [];

    /// <summary>Tasks of the array running at once (<c>%N</c>); 0 = no limit.</summary>
    public int MaxRunning { get; init; }

    /// <summary>Times a failed task is submitted again before it counts as failed.</summary>
    public int Retries { get; init; }

    /// <summary>Let Slurm requeue a task whose node fails or that is preempted (<c>--requeue</c>).</summary>
    public bool Requeue { get; init; }

    /// <summary>How often the queue is asked (squeue/sacct), not a busy loop.</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How long one squeue/sacct/sbatch/scancel call may take.</summary>
    public TimeSpan CommandTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// The command that starts deepmem on a node (the same build, on the
    /// shared file system); empty = the running deepmem.
    /// </summary>
    public IReadOnlyList<string> DeepMemCommand { get; init; } = [];
}
