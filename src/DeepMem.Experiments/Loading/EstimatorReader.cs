using DeepMem.Estimator;

namespace DeepMem.Experiments.Loading;

/// <summary>The <c>estimator:</c> section: the traces folder (relative to the file's folder), calibration and refill.</summary>
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
        map.RejectUnknown();
        return new EstimatorOptions
        {
            TraceDir = traces is null ? null : Path.GetFullPath(traces, baseDir),
            UseCalibration = calibration != false,
            Refill = refill == true,
        };
    }

    /// <summary>The estimator backend reads its traces folder: it must be set and exist.</summary>
    public static void CheckTraces(YamlMap root, EstimatorOptions estimator)
    {
        var sink = root.Sink;
        var tracesNode = (root.Get("estimator") as YamlDotNet.RepresentationModel.YamlMappingNode)?.Children
            .FirstOrDefault(kv => kv.Key is YamlDotNet.RepresentationModel.YamlScalarNode { Value: "traces" }).Value;
        if (estimator.TraceDir is null)
        {
            sink.Error(root.Get("estimator") ?? root.Get("backend") ?? root.Node, "estimator.traces", null,
                "the estimator backend needs 'estimator.traces', a folder of window traces (record them with: deepmem trace <file>)");
        }
        else if (!Directory.Exists(estimator.TraceDir))
        {
            sink.Error(tracesNode ?? root.Node, "estimator.traces", estimator.TraceDir,
                $"traces folder '{estimator.TraceDir}' {(File.Exists(estimator.TraceDir) ? "is a file, not a folder" : "does not exist")} (record it with: deepmem trace <file>)");
        }
    }
}
