namespace DeepMem.Estimator;

/// <summary>The estimated run time of a static placement.</summary>
/// <param name="Microseconds">Estimated simulated run time in microseconds.</param>
/// <param name="PerWindowMicroseconds">Estimated time of each window, when requested; otherwise null.</param>
public sealed record StaticEstimate(double Microseconds, IReadOnlyList<double>? PerWindowMicroseconds = null)
{
    /// <summary>Estimated run time in seconds.</summary>
    public double Seconds => Microseconds * 1e-6;
}
