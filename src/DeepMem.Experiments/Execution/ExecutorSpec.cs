namespace DeepMem.Experiments.Execution;

/// <summary>Where an experiment's points run, as the file's <c>executor:</c> section says (command-line flags override it).</summary>
public sealed record ExecutorSpec
{
    /// <summary>Executors by name.</summary>
    public static readonly string[] Kinds = ["local", "slurm"];

    /// <summary>"local" or "slurm".</summary>
    public string Kind { get; init; } = "local";

    /// <summary>Points run at once by the local executor.</summary>
    public int Jobs { get; init; } = 1;

    /// <summary>True when the file's <c>executor.jobs</c> set <see cref="Jobs"/> (a verb's own default then yields to it).</summary>
    public bool JobsFromFile { get; init; }

    /// <summary>The slurm executor's settings.</summary>
    public SlurmOptions Slurm { get; init; } = new();

    /// <summary>The executor this spec describes.</summary>
    public IExecutor Create(ExperimentRunner runner) => Kind == "slurm" ? new SlurmExecutor(Slurm) : new LocalExecutor(runner, Jobs);
}
