using System.Globalization;
using System.Text;
using DeepMem.Core;

namespace DeepMem.Experiments;

/// <summary>
/// Turns a folder of result records into a Markdown table (report.md) and a
/// bar plot of simulated runtime and migrations per point (runtime.png);
/// a policy comparison as compare.md and compare.png.
/// </summary>
public static class ReportWriter
{
    /// <summary>One row of the table.</summary>
    public sealed record Row(string Point, string Policy, string Backend, string Status, double RuntimeUs, double SpeedupVsSlowest, ulong Migrations, double MigrationUs, double HostSeconds);

    /// <summary>Rows sorted by runtime (failed points last).</summary>
    public static IReadOnlyList<Row> Rows(IReadOnlyList<ResultRecord> records)
    {
        var ok = records.Where(r => r.Result.Status == RunStatus.Succeeded).ToList();
        var slowest = ok.Count == 0 ? 0 : ok.Max(r => r.Result.SimulatedSeconds);
        return records
            .OrderBy(r => r.Result.Status == RunStatus.Succeeded ? 0 : 1)
            .ThenBy(r => r.Result.SimulatedSeconds)
            .Select(r => new Row(r.Point, r.Policy, r.Result.Backend, r.Result.Status.ToString().ToLowerInvariant(),
                r.Result.SimulatedSeconds * 1e6,
                r.Result.SimulatedSeconds > 0 && slowest > 0 ? slowest / r.Result.SimulatedSeconds : 0,
                r.Result.MigratedPages, r.Result.MigrationSeconds * 1e6, r.Result.HostSeconds))
            .ToList();
    }

    /// <summary>The table as Markdown.</summary>
    public static string Markdown(string title, IReadOnlyList<Row> rows)
    {
        var inv = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        sb.AppendLine($"# {title}").AppendLine();
        sb.AppendLine("| point | policy | backend | status | runtime (us) | speedup vs slowest | migrated pages | migration (us) | host (s) |");
        sb.AppendLine("|---|---|---|---|---:|---:|---:|---:|---:|");
        foreach (var r in rows)
        {
            sb.AppendLine(string.Create(inv,
                $"| {r.Point} | {r.Policy} | {r.Backend} | {r.Status} | {r.RuntimeUs:F1} | {r.SpeedupVsSlowest:F3} | {r.Migrations} | {r.MigrationUs:F1} | {r.HostSeconds:F3} |"));
        }

        return sb.ToString();
    }

    /// <summary>Writes report.md and runtime.png into <paramref name="folder"/>; returns their paths. Unreadable records are told to <paramref name="warn"/>.</summary>
    public static (string Markdown, string? Plot) Write(string folder, string title, Action<string>? warn = null)
    {
        var records = ResultStore.ReadAll(folder, warn);
        var rows = Rows(records);
        Directory.CreateDirectory(folder);
        var md = Path.Combine(folder, "report.md");
        File.WriteAllText(md, Markdown(title, rows));
        var ok = rows.Where(r => r.Status == "succeeded").ToList();
        if (ok.Count == 0)
        {
            return (md, null);
        }

        var plot = new ScottPlot.Plot();
        var bars = ok.Select((r, i) => new ScottPlot.Bar { Position = i, Value = r.RuntimeUs }).ToList();
        plot.Add.Bars(bars);
        plot.Axes.Bottom.SetTicks(Enumerable.Range(0, ok.Count).Select(i => (double)i).ToArray(), ok.Select(r => Label(r)).ToArray());
        plot.Axes.Bottom.TickLabelStyle.Rotation = 30;
        plot.Axes.Bottom.TickLabelStyle.Alignment = ScottPlot.Alignment.MiddleLeft;
        plot.Axes.Bottom.MinimumSize = 160;
        plot.Axes.Left.Label.Text = "simulated runtime (us)";
        plot.Title(title);
        plot.Axes.Margins(bottom: 0);
        var png = Path.Combine(folder, "runtime.png");
        plot.SavePng(png, 900, 600);
        return (md, png);
    }

    /// <summary>
    /// Writes a policy comparison of the records below <paramref name="folder"/>:
    /// compare.md (the table of <see cref="Markdown"/>) and compare.png, grouped
    /// bars of simulated runtime (left axis) and migrated pages (right axis)
    /// per policy, in runtime order; returns their paths.
    /// </summary>
    public static (string Markdown, string? Plot) WriteComparison(string folder, string title)
    {
        var rows = Rows(ResultStore.ReadAll(folder));
        Directory.CreateDirectory(folder);
        var md = Path.Combine(folder, "compare.md");
        File.WriteAllText(md, Markdown(title, rows));
        var ok = rows.Where(r => r.Status == "succeeded").ToList();
        if (ok.Count == 0)
        {
            return (md, null);
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
        plot.Axes.Bottom.SetTicks(Enumerable.Range(0, ok.Count).Select(i => (double)i).ToArray(), ok.Select(Label).ToArray());
        plot.Axes.Bottom.TickLabelStyle.Rotation = 30;
        plot.Axes.Bottom.TickLabelStyle.Alignment = ScottPlot.Alignment.MiddleLeft;
        plot.Axes.Bottom.MinimumSize = 160;
        plot.Axes.Left.Label.Text = "simulated runtime (us)";
        plot.Axes.Right.Label.Text = "migrated pages";
        plot.Axes.Bottom.MinimumSize = 110;
        plot.Axes.Margins(bottom: 0);
        plot.Axes.SetLimitsY(0, ok.Max(r => r.RuntimeUs) * 1.15, plot.Axes.Left);
        plot.Axes.SetLimitsY(0, Math.Max(1, ok.Max(r => (double)r.Migrations)) * 1.15, plot.Axes.Right);
        plot.ShowLegend(ScottPlot.Alignment.UpperLeft);
        plot.Title(title);
        var png = Path.Combine(folder, "compare.png");
        plot.SavePng(png, 1000, 600);
        return (md, png);
    }

    private static string Label(Row r)
    {
        var label = r.Point == "default" ? r.Policy : r.Point.Replace("policy.name=", "").Replace("policy=", "");
        return label.Length <= 32 ? label : label[..31] + "…";
    }
}
