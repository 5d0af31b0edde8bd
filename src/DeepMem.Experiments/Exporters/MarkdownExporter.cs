using System.Globalization;
using System.Text;
using static System.FormattableString;

namespace DeepMem.Experiments.Exporters;

/// <summary>The summary as a titled Markdown table.</summary>
public sealed class MarkdownExporter : IExporter
{
    /// <summary>The one instance.</summary>
    public static readonly MarkdownExporter Default = new();

    /// <inheritdoc/>
    public string Extension => "md";

    /// <inheritdoc/>
    public bool Export(RunSummary summary, string path)
    {
        File.WriteAllText(path, Render(summary));
        return true;
    }

    /// <summary>The Markdown text.</summary>
    public static string Render(RunSummary summary)
    {
        ArgumentNullException.ThrowIfNull(summary);
        var table = new MarkdownTable(
            MarkdownTable.Text("point"), MarkdownTable.Text("policy"), MarkdownTable.Text("backend"), MarkdownTable.Text("status"),
            MarkdownTable.Number("runtime (us)"), MarkdownTable.Number($"speedup vs {summary.Baseline}"), MarkdownTable.Number("migrated pages"),
            MarkdownTable.Number("migration (us)"), MarkdownTable.Number("host (s)"), MarkdownTable.Text("notes"));
        foreach (var r in summary.Rows)
        {
            table.Add(r.Point, r.Policy, r.Backend, r.Status, Invariant($"{r.RuntimeUs:F1}"),
                r.Speedup is { } x ? Invariant($"{x:F3}") : r.NoSpeedup ?? "–",
                Invariant($"{r.Migrations}"), Invariant($"{r.MigrationUs:F1}"), Invariant($"{r.HostSeconds:F3}"), r.Notes);
        }

        var sb = new StringBuilder();
        sb.AppendLine(CultureInfo.InvariantCulture, $"# {summary.Title}").AppendLine();
        return table.AppendTo(sb).ToString();
    }
}
