namespace DeepMem.Estimator;

/// <summary>How well estimates match measurements over a set of placements (one row of the validation table).</summary>
/// <param name="Count">Number of placements.</param>
/// <param name="MeanErrorOfRuntime">Mean of |estimate − measured| / measured.</param>
/// <param name="MaxErrorOfRuntime">Largest |estimate − measured| / measured.</param>
/// <param name="MeanErrorOfGap">Mean of |estimate − measured| / |slow − fast| (the metric of the paper's code).</param>
/// <param name="MaxErrorOfGap">Largest |estimate − measured| / |slow − fast|.</param>
/// <param name="Spearman">Spearman rank correlation of estimates and measurements (ties get average ranks; NaN when undefined).</param>
public sealed record AccuracySummary(
    int Count,
    double MeanErrorOfRuntime,
    double MaxErrorOfRuntime,
    double MeanErrorOfGap,
    double MaxErrorOfGap,
    double Spearman);
