namespace DeepMem.Experiments.CrossCheck;

/// <summary>One case: the estimate, the gem5 measurement and what each cost.</summary>
public sealed record CrossCheckRow
{
    /// <summary>Case id.</summary>
    public required string Case { get; init; }

    /// <summary>"static" or "dynamic".</summary>
    public required string Kind { get; init; }

    /// <summary>Estimated simulated seconds.</summary>
    public double EstimatedSeconds { get; init; }

    /// <summary>gem5's simulated seconds; 0 when gem5 failed.</summary>
    public double MeasuredSeconds { get; init; }

    /// <summary>Host seconds the estimator took for this case.</summary>
    public double EstimatorHostSeconds { get; init; }

    /// <summary>Host seconds gem5 took for this case.</summary>
    public double Gem5HostSeconds { get; init; }

    /// <summary>Pages migrated in gem5 (dynamic cases).</summary>
    public ulong Gem5Migrations { get; init; }

    /// <summary>Pages migrated on the estimator backend (dynamic cases).</summary>
    public ulong EstimatorMigrations { get; init; }

    /// <summary>True when the placement's pages on the fast node fit its capacity in the experiment (always true for policies, which the simulator holds to it).</summary>
    public bool FitsCapacity { get; init; } = true;

    /// <summary>Why gem5 failed, if it did.</summary>
    public string? Failure { get; init; }

    /// <summary>|estimate - measured| / measured.</summary>
    public double ErrorOfRuntime => MeasuredSeconds > 0 ? Math.Abs(EstimatedSeconds - MeasuredSeconds) / MeasuredSeconds : double.NaN;
}
