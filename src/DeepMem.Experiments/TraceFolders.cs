using System.Globalization;
using DeepMem.Estimator;
using DeepMem.Experiments.Exporters;

namespace DeepMem.Experiments;

/// <summary>
/// What folders of window traces hold, and, where one has a calibration run,
/// how well the window formulas that do not fit themselves to that run
/// predict it (<c>deepmem traces</c>).
/// </summary>
public static class TraceFolders
{
    /// <summary>Describes each folder to <paramref name="stdout"/>, problems to <paramref name="stderr"/>; false when a folder could not be read.</summary>
    public static bool Describe(IReadOnlyList<DirectoryInfo> folders, TextWriter stdout, TextWriter stderr)
    {
        var inv = CultureInfo.InvariantCulture;
        var failed = false;
        var holdout = new MarkdownTable(MarkdownTable.Text("traces"), MarkdownTable.Text("window formula"), MarkdownTable.Number("estimate µs"),
            MarkdownTable.Number("measured µs"), MarkdownTable.Number("error %"), MarkdownTable.Number("mean window |error| %"));
        var rows = 0;
        var mixes = new MarkdownTable(MarkdownTable.Text("traces"), MarkdownTable.Text("run, from"), MarkdownTable.Number("estimate µs"),
            MarkdownTable.Number("measured µs"), MarkdownTable.Number("error %"), MarkdownTable.Number("mean window |error| %"));
        foreach (var folder in folders)
        {
            TraceSet set;
            try
            {
                set = TraceSet.Load(folder.FullName, NodeNames(folder));
            }
            catch (Exception e) when (e is TraceFormatException or TraceSetException or IOException or ArgumentException)
            {
                stderr.WriteLine($"{folder}: {e.Message}");
                failed = true;
                continue;
            }

            var h = set.Header;
            var nodes = string.Join(", ", Enumerable.Range(0, set.NodeCount).Select(d =>
                string.Create(inv, $"{h.Nodes[d].Name} {set.Traces[d].End.Ticks / h.TicksPerSecond * 1e6:F1} µs")));
            stdout.WriteLine(string.Create(inv,
                $"{folder}: {set.WindowCount} windows of {h.WindowInstructions} instructions, {h.Cpu} x{h.Cores}, {set.Regions.Count} regions; all data on {nodes}; calibration runs: {(set.Calibrations.Count == 0 ? "none" : string.Join(", ", set.Calibrations.Select(CalibrationHoldout.RunName)))}"));
            foreach (var warning in set.Warnings)
            {
                stdout.WriteLine($"  warning: {warning}");
            }

            if (set.Calibration is null)
            {
                continue;
            }

            var options = new EstimatorOptions { LinkLatencyNs = LinkLatencies(h) };
            if (options.LinkLatencyNs.Count > 0)
            {
                stdout.WriteLine(string.Create(inv,
                    $"  link latency the loaded-latency formula adds (the traces time reads at the controller; from the device preset of the node's kind): {string.Join(", ", options.LinkLatencyNs.Select(kv => $"{kv.Key} {kv.Value:0.#} ns"))}"));
            }

            if (new DifferentialEstimator(set).CalibrationShapes is { } shapes)
            {
                stdout.WriteLine(shapes.Runs > 1
                    ? string.Create(inv, $"  calibrated formula (the default with these runs): the monotone cubic through the {shapes.Runs} measured mixes in {shapes.Interpolated} windows (a corner at a mix faster or slower than its neighbours), linear in {shapes.Linear}")
                    : string.Create(inv, $"  calibrated formula (the default with this run): x^γ in {shapes.Exponent} windows, the parabola below both nodes in {shapes.Parabola}, linear in {shapes.Linear} ({shapes.SlowerThanBoth} of them slower than both nodes)"));
            }

            foreach (var p in CalibrationHoldout.Predict(set, options))
            {
                holdout.Add(folder.Name, p.Model, p.EstimateMicros.ToString("F1", inv), p.MeasuredMicros.ToString("F1", inv),
                    p.ErrorPercent.ToString("+0.00;-0.00", inv), p.MeanWindowErrorPercent.ToString("F2", inv));
                rows++;
            }

            foreach (var p in CalibrationHoldout.PredictEachMix(set, options))
            {
                mixes.Add(folder.Name, p.Model, p.EstimateMicros.ToString("F1", inv), p.MeasuredMicros.ToString("F1", inv),
                    p.ErrorPercent.ToString("+0.00;-0.00", inv), p.MeanWindowErrorPercent.ToString("F2", inv));
            }
        }

        if (rows > 0)
        {
            stdout.WriteLine();
            stdout.WriteLine("The calibration run (the first listed: every page interleaved 1:1 where there is one) predicted from the single-device traces alone:");
            stdout.Write(holdout.ToString());
        }

        if (mixes.Count > 0)
        {
            stdout.WriteLine();
            stdout.WriteLine("Each calibration run predicted by the calibrated formula fitted to the other runs alone (what that mix adds):");
            stdout.Write(mixes.ToString());
        }

        return !failed;
    }

    /// <summary>
    /// Link latency per node name: the trace header does not carry it, so a
    /// node whose kind has exactly one device preset gets that preset's added
    /// latency (a cxl node: the cxl preset's 70 ns).
    /// </summary>
    private static Dictionary<string, double> LinkLatencies(TraceHeader h)
    {
        var links = new Dictionary<string, double>();
        foreach (var node in h.Nodes)
        {
            var presets = DevicePresets.All.Where(p => string.Equals(p.Kind.ToString(), node.Kind, StringComparison.OrdinalIgnoreCase)).ToList();
            if (presets is [{ ExtraLatencyNs: > 0 } preset])
            {
                links[node.Name] = preset.ExtraLatencyNs;
            }
        }

        return links;
    }

    /// <summary>The node names in id order, from the header of the first single-device trace in the folder.</summary>
    private static List<string> NodeNames(DirectoryInfo folder)
    {
        if (!folder.Exists)
        {
            throw new ArgumentException("no such folder");
        }

        var first = folder.GetFiles(TraceFormat.FilePattern).Where(f => !TraceFormat.IsCalibrationFile(f.Name)).OrderBy(f => f.Name, StringComparer.Ordinal).FirstOrDefault()
            ?? throw new ArgumentException($"no window traces ({TraceFormat.FilePattern}) in the folder");
        using var reader = TraceReader.Open(first.FullName);
        return reader.Header.Nodes.Select(n => n.Name).ToList();
    }
}
