namespace DeepMem.Experiments.Exporters;

/// <summary>
/// The summary as a bar plot (PNG): simulated runtime (left axis) and
/// migrated pages (right axis) per succeeded point, fastest first.
/// </summary>
public sealed class PlotExporter : IExporter
{
    /// <summary>The one instance.</summary>
    public static readonly PlotExporter Default = new();

    /// <inheritdoc/>
    public string Extension => "png";

    /// <inheritdoc/>
    public bool Export(RunSummary summary, string path)
    {
        ArgumentNullException.ThrowIfNull(summary);
        var ok = summary.Rows.Where(r => r.Succeeded && r.RuntimeUs > 0).ToList();
        if (ok.Count == 0)
        {
            return false;
        }

        var plot = new ScottPlot.Plot();
        var runtime = plot.Add.Bars(ok.Select((r, i) => new ScottPlot.Bar
        {
            Position = i - 0.2, Value = r.RuntimeUs, Size = 0.4, FillColor = ScottPlot.Colors.SteelBlue,
        }).ToList());
        runtime.LegendText = "runtime (us, left)";
        var migrations = plot.Add.Bars(ok.Select((r, i) => new ScottPlot.Bar
        {
            Position = i + 0.2, Value = r.Migrations, Size = 0.4, FillColor = ScottPlot.Colors.DarkOrange,
        }).ToList());
        migrations.LegendText = "migrated pages (right)";
        migrations.Axes.YAxis = plot.Axes.Right;
        plot.Axes.Bottom.SetTicks(Enumerable.Range(0, ok.Count).Select(i => (double)i).ToArray(), ok.Select(r => r.Label).ToArray());
        plot.Axes.Bottom.TickLabelStyle.Rotation = 30;
        plot.Axes.Bottom.TickLabelStyle.Alignment = ScottPlot.Alignment.MiddleLeft;
        plot.Axes.Bottom.MinimumSize = 160;
        plot.Axes.Left.Label.Text = "simulated runtime (us)";
        plot.Axes.Right.Label.Text = "migrated pages";
        plot.Axes.Margins(bottom: 0);
        plot.Axes.SetLimitsY(0, ok.Max(r => r.RuntimeUs) * 1.15, plot.Axes.Left);
        plot.Axes.SetLimitsY(0, Math.Max(1, ok.Max(r => (double)r.Migrations)) * 1.15, plot.Axes.Right);
        plot.ShowLegend(ScottPlot.Alignment.UpperLeft);
        plot.Title(summary.Title);
        plot.SavePng(path, 1000, 600);
        return true;
    }
}
