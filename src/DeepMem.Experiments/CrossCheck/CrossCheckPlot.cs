namespace DeepMem.Experiments.CrossCheck;

/// <summary>Scatter of estimate vs gem5 measurement, one colour per experiment, with the y = x line.</summary>
public static class CrossCheckPlot
{
    /// <summary>Writes the PNG.</summary>
    public static void Write(string path, IReadOnlyList<(string Experiment, IReadOnlyList<CrossCheckRow> Rows)> data)
    {
        var plot = new ScottPlot.Plot();
        var max = 0.0;
        foreach (var (name, rows) in data)
        {
            var ok = rows.Where(r => r.MeasuredSeconds > 0 && r.Kind != CrossCheckRunner.LayoutKind).ToList();
            if (ok.Count == 0)
            {
                continue;
            }

            var s = plot.Add.ScatterPoints(ok.Select(r => r.MeasuredSeconds * 1e6).ToArray(), ok.Select(r => r.EstimatedSeconds * 1e6).ToArray());
            s.LegendText = name;
            max = Math.Max(max, ok.Max(r => Math.Max(r.MeasuredSeconds, r.EstimatedSeconds)) * 1e6);
        }

        var line = plot.Add.Line(0, 0, max * 1.05, max * 1.05);
        line.LegendText = "estimate = gem5";
        line.LinePattern = ScottPlot.LinePattern.Dashed;
        plot.Axes.Bottom.Label.Text = "gem5 simulated runtime (us)";
        plot.Axes.Left.Label.Text = "estimated runtime (us)";
        plot.Title("Differential estimator vs gem5");
        plot.ShowLegend();
        plot.SavePng(path, 800, 700);
    }
}
