namespace DeepMem.Estimator;

/// <summary>
/// How the calibrated window formula fits a trace set's windows
/// (docs/estimator.md, "Beyond linear"): the calibration run between the
/// two nodes' times (x^γ), faster than both (the parabola), or neither
/// (linear; <paramref name="SlowerThanBoth"/> of those are slower than both nodes).
/// </summary>
/// <param name="Exponent">Windows with the x^γ shape.</param>
/// <param name="Parabola">Windows where the calibration run beat both nodes.</param>
/// <param name="Linear">Windows that keep the linear formula.</param>
/// <param name="SlowerThanBoth">Of <paramref name="Linear"/>, the windows where the calibration run was slower than both nodes.</param>
public sealed record CalibrationShapes(int Exponent, int Parabola, int Linear, int SlowerThanBoth)
{
    /// <summary>With two or more calibration runs: windows where the formula goes through at least one measured mix (the others are in <see cref="Linear"/>).</summary>
    public int Interpolated { get; init; }

    /// <summary>Calibration runs the formula is fitted to.</summary>
    public int Runs { get; init; } = 1;
}
