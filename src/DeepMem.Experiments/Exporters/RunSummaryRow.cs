namespace DeepMem.Experiments.Exporters;

/// <summary>One point of a <see cref="RunSummary"/>.</summary>
/// <param name="Point">Sweep point id.</param>
/// <param name="Policy">Policy display name.</param>
/// <param name="Backend">Backend that ran it.</param>
/// <param name="Status">Status word (<see cref="OutcomeText.Status"/>).</param>
/// <param name="Succeeded">Whether the point succeeded (with or without fallback epochs).</param>
/// <param name="RuntimeUs">Simulated runtime in microseconds.</param>
/// <param name="Speedup">The baseline's runtime over this one; null where there is no ratio (see <paramref name="NoSpeedup"/>).</param>
/// <param name="NoSpeedup">Why a succeeded point has no ratio ("no first-touch point", "first-touch failed"); null otherwise.</param>
/// <param name="Migrations">Pages migrated.</param>
/// <param name="MigrationUs">Simulated time charged for migrations, in microseconds.</param>
/// <param name="HostSeconds">Host wall-clock seconds.</param>
/// <param name="Notes">Rejected decisions, fallback epochs or the failure's cause (<see cref="OutcomeText"/>).</param>
public sealed record RunSummaryRow(string Point, string Policy, string Backend, string Status, bool Succeeded, double RuntimeUs,
    double? Speedup, string? NoSpeedup, ulong Migrations, double MigrationUs, double HostSeconds, string Notes)
{
    /// <summary>The point's short name for a plot: the swept policy, or the policy without a sweep.</summary>
    public string Label
    {
        get
        {
            var label = Point == "default" ? Policy : Point.Replace("policy.name=", "", StringComparison.Ordinal).Replace("policy=", "", StringComparison.Ordinal);
            return label.Length <= 32 ? label : label[..31] + "…";
        }
    }
}
