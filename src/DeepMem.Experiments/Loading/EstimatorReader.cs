using DeepMem.Estimator;

namespace DeepMem.Experiments.Loading;

/// <summary>The <c>estimator:</c> section: the traces folder (relative to the file's folder), calibration, refill and the loaded-latency model.</summary>
internal static class EstimatorReader
{
    /// <summary>The estimator settings: the defaults where the file says nothing.</summary>
    public static EstimatorOptions Read(YamlMap root, string baseDir)
    {
        var map = root.Map("estimator");
        if (map is null)
        {
            return new EstimatorOptions();
        }

        var traces = map.Scalar("traces", expected: "a folder of window traces");
        var calibration = map.Flag("calibration");
        var refill = map.Flag("refill");
        var loaded = map.Flag("loaded_latency");
        map.RejectUnknown();
        return new EstimatorOptions
        {
            TraceDir = traces is null ? null : Path.GetFullPath(traces, baseDir),
            UseCalibration = calibration != false,
            Refill = refill == true,
            LoadedLatency = loaded == true ? LoadedLatency.Proportional : LoadedLatency.Off,
        };
    }
}
