namespace DeepMem.Estimator;

/// <summary>One window formula's prediction of a held-out run.</summary>
/// <param name="Model">The window formula, in words.</param>
/// <param name="EstimateMicros">Its estimate of the run, µs.</param>
/// <param name="MeasuredMicros">The run's measured time, µs.</param>
/// <param name="MeanWindowErrorPercent">Mean |error| per window relative to the window's measured time, %.</param>
public sealed record HoldoutPrediction(string Model, double EstimateMicros, double MeasuredMicros, double MeanWindowErrorPercent)
{
    /// <summary>Signed error of the total relative to the measured run, %.</summary>
    public double ErrorPercent => (EstimateMicros - MeasuredMicros) / MeasuredMicros * 100;
}

/// <summary>
/// Uses a trace folder's calibration run (every page interleaved 1:1 over
/// two nodes) as a held-out mixed placement: the estimator, built from the
/// single-device traces alone, predicts it with each window formula that
/// does not fit itself to that run (linear, and loaded latency),
/// and the prediction is compared with what gem5 measured. A check of the
/// window formulas that costs no gem5 run.
/// </summary>
public static class CalibrationHoldout
{
    /// <summary>Predictions of the calibration run of <paramref name="set"/> by the linear and loaded-latency formulas.</summary>
    /// <exception cref="ArgumentException">The set has no calibration run.</exception>
    public static IReadOnlyList<HoldoutPrediction> Predict(TraceSet set, EstimatorOptions? options = null)
    {
        var calibration = set.Calibration ?? throw new ArgumentException("the trace set has no calibration run (record it with deepmem trace --calibrate)");
        var baseOptions = (options ?? new EstimatorOptions()) with { UseCalibration = false };
        var measuredWindows = calibration.Windows.Select(w => w.Ticks / set.Header.TicksPerSecond * 1e6).ToArray();
        var result = new List<HoldoutPrediction>();
        foreach (var shape in new[] { LoadedLatency.Off, LoadedLatency.Proportional })
        {
            var estimator = new DifferentialEstimator(set, baseOptions with { LoadedLatency = shape });
            if (shape != LoadedLatency.Off && !estimator.Nonlinear)
            {
                continue;
            }

            result.Add(PredictRun(estimator, estimator.WindowModel, calibration, measuredWindows, set.NodeCount));
        }

        return result;
    }

    /// <summary>
    /// With two or more calibration runs (several mixes): each run predicted
    /// by the calibrated formula fitted to the others only, in the order of
    /// <see cref="TraceSet.Calibrations"/>. What a mix adds that the others
    /// do not already give; empty with fewer than two runs.
    /// </summary>
    public static IReadOnlyList<HoldoutPrediction> PredictEachMix(TraceSet set, EstimatorOptions? options = null)
    {
        var runs = set.Calibrations;
        var result = new List<HoldoutPrediction>();
        if (runs.Count < 2)
        {
            return result;
        }

        var calibrated = (options ?? new EstimatorOptions()) with { UseCalibration = true };
        for (var i = 0; i < runs.Count; i++)
        {
            var others = TraceSet.Create(set.Traces);
            foreach (var other in runs.Where((_, k) => k != i))
            {
                others = others.WithCalibration(other);
            }

            var run = runs[i];
            var measuredWindows = run.Windows.Select(w => w.Ticks / set.Header.TicksPerSecond * 1e6).ToArray();
            var names = string.Join(", ", runs.Where((_, k) => k != i).Select(RunName));
            result.Add(PredictRun(new DifferentialEstimator(others, calibrated), $"{RunName(run)} from {names}", run, measuredWindows, set.NodeCount));
        }

        return result;
    }

    /// <summary>A calibration run's name: its file name without the suffix (calibration, calibration-3-1).</summary>
    public static string RunName(WindowTrace run) =>
        string.IsNullOrEmpty(run.Source) ? "calibration" : Path.GetFileName(run.Source).Replace(TraceFormat.FileSuffix, "", StringComparison.Ordinal);

    private static HoldoutPrediction PredictRun(DifferentialEstimator estimator, string model, WindowTrace run, double[] measuredWindows, int nodes)
    {
        var windows = estimator.EstimateWindows((w, page) => NodeIn(run.Windows[w], page, nodes));
        var n = Math.Min(windows.Length, measuredWindows.Length);
        double err = 0;
        for (var w = 0; w < n; w++)
        {
            err += measuredWindows[w] > 0 ? Math.Abs(windows[w] - measuredWindows[w]) / measuredWindows[w] : 0;
        }

        return new HoldoutPrediction(model, windows.Sum(), measuredWindows.Sum(), n > 0 ? err / n * 100 : 0);
    }

    /// <summary>The node the calibration run had <paramref name="page"/> on in the window; pages it does not list are interleaved by page number, as gem5 does.</summary>
    private static int NodeIn(TraceWindow window, ulong page, int nodes)
    {
        var i = Array.BinarySearch(window.Pages, page);
        if (i < 0)
        {
            i = Array.IndexOf(window.Pages, page);
        }

        return i >= 0 ? window.Nodes[i] : (int)(page % (ulong)nodes);
    }
}
