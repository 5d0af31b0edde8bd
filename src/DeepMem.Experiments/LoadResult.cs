namespace DeepMem.Experiments;

/// <summary>The experiments of one file (one per sweep point) and every problem found.</summary>
/// <param name="Experiments">Validated experiments; empty when there is any error.</param>
/// <param name="Problems">Errors and warnings, in file order.</param>
public sealed record LoadResult(IReadOnlyList<Experiment> Experiments, IReadOnlyList<ConfigProblem> Problems)
{
    /// <summary>True when no problem is an error.</summary>
    public bool Ok => Problems.All(p => p.Severity != Severity.Error);
}
