namespace DeepMem.Estimator;

/// <summary>One placement's estimated and measured (gem5) run time.</summary>
/// <param name="EstimatedSeconds">The estimator's run time.</param>
/// <param name="MeasuredSeconds">The reference simulator's run time.</param>
public readonly record struct EstimatePair(double EstimatedSeconds, double MeasuredSeconds);
