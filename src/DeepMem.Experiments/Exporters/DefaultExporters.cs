namespace DeepMem.Experiments.Exporters;

/// <summary>The exporters every report is written with.</summary>
public static class DefaultExporters
{
    /// <summary>Markdown, CSV, JSON and the PNG plot, in that order.</summary>
    public static IReadOnlyList<IExporter> All { get; } =
        [MarkdownExporter.Default, CsvExporter.Default, JsonExporter.Default, PlotExporter.Default];
}
