using DeepMem.Experiments.Exporters;

namespace DeepMem.Experiments;

/// <summary>
/// Writes one command's result records as a report: a <see cref="RunSummary"/>
/// through every exporter of <see cref="DefaultExporters"/>, as
/// <c>report.*</c> for <c>run</c> and <c>compare.*</c> for <c>compare</c>
/// (Markdown table, CSV, JSON and a bar plot of runtime and migrations).
/// </summary>
public static class ReportWriter
{
    /// <summary>
    /// Writes report.md, .csv, .json and .png of <paramref name="records"/>
    /// (this command's points, nothing else found in the folder) into
    /// <paramref name="folder"/>; returns the Markdown's and the plot's paths
    /// (no plot when no point succeeded).
    /// </summary>
    public static (string Markdown, string? Plot) Write(string folder, string title, IReadOnlyList<ResultRecord> records,
        string baseline = RunSummary.DefaultBaseline) =>
        Export(folder, "report", RunSummary.Of(title, records, baseline));

    /// <summary>A policy comparison: the same report as <see cref="Write"/>, named compare.*.</summary>
    public static (string Markdown, string? Plot) WriteComparison(string folder, string title, IReadOnlyList<ResultRecord> records,
        string baseline = RunSummary.DefaultBaseline) =>
        Export(folder, "compare", RunSummary.Of(title, records, baseline));

    private static (string Markdown, string? Plot) Export(string folder, string stem, RunSummary summary)
    {
        Directory.CreateDirectory(folder);
        var written = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var exporter in DefaultExporters.All)
        {
            var path = Path.Combine(folder, $"{stem}.{exporter.Extension}");
            if (exporter.Export(summary, path))
            {
                written[exporter.Extension] = path;
            }
            else if (File.Exists(path))
            {
                File.Delete(path); // a stale file from an earlier run would not match this report
            }
        }

        return (written[MarkdownExporter.Default.Extension], written.GetValueOrDefault(PlotExporter.Default.Extension));
    }
}
