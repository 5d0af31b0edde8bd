using System.Text.Json;

namespace DeepMem.Experiments.Exporters;

/// <summary>The summary as JSON, in the result records' naming (snake_case).</summary>
public sealed class JsonExporter : IExporter
{
    /// <summary>The one instance.</summary>
    public static readonly JsonExporter Default = new();

    /// <inheritdoc/>
    public string Extension => "json";

    /// <inheritdoc/>
    public bool Export(RunSummary summary, string path)
    {
        File.WriteAllText(path, JsonSerializer.Serialize(summary, ResultStore.Json));
        return true;
    }
}
