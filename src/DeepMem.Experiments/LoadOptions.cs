namespace DeepMem.Experiments;

/// <summary>What a command asks of <see cref="ExperimentLoader"/> beyond reading the file.</summary>
public sealed record LoadOptions
{
    /// <summary>Plain reading: the file's own rules only.</summary>
    public static LoadOptions Default { get; } = new();

    /// <summary>
    /// Also check that what the backend reads exists (the estimator's traces
    /// folder), as <c>run</c> would trip on it. Off for <c>trace</c>, which
    /// makes that folder.
    /// </summary>
    public bool CheckBackendFiles { get; init; }

    /// <summary>
    /// The results folder was given on the command line (<c>--output</c>),
    /// so the file's <c>output</c> may point anywhere.
    /// </summary>
    public bool OutputFromCommandLine { get; init; }

    /// <summary>Told (points expanded, points in all) while a large sweep expands.</summary>
    public IProgress<(int Done, long Total)>? SweepProgress { get; init; }
}
