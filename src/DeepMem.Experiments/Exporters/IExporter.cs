namespace DeepMem.Experiments.Exporters;

/// <summary>Writes a <see cref="RunSummary"/> in one format.</summary>
public interface IExporter
{
    /// <summary>The file ending, without the dot (md, csv, json, png).</summary>
    string Extension { get; }

    /// <summary>Writes <paramref name="summary"/> to <paramref name="path"/>; false when there is nothing to write (no file).</summary>
    bool Export(RunSummary summary, string path);
}
