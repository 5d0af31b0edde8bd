using YamlDotNet.RepresentationModel;

namespace DeepMem.Experiments;

/// <summary>Collects problems for one file, with positions taken from YAML nodes.</summary>
internal sealed class ProblemSink(string file)
{
    private readonly Dictionary<YamlNode, YamlNode> _origins = new(ReferenceEqualityComparer.Instance);

    public string File { get; } = file;

    public List<ConfigProblem> Problems { get; } = [];

    public bool HasErrors => Problems.Any(p => p.Severity == Severity.Error);

    public void Error(YamlNode node, string key, string? value, string message) =>
        Add(node, key, value, message, Severity.Error);

    public void Warning(YamlNode node, string key, string? value, string message) =>
        Add(node, key, value, message, Severity.Warning);

    /// <summary>
    /// Marks a node made by the loader (a sweep override's key or the
    /// mapping it needed) as written at <paramref name="origin"/>, so that
    /// problems with it point there instead of at 1:1.
    /// </summary>
    public void MadeAt(YamlNode made, YamlNode origin) => _origins[made] = origin;

    private void Add(YamlNode node, string key, string? value, string message, Severity severity)
    {
        var at = _origins.TryGetValue(node, out var origin) ? origin.Start : node.Start;
        var p = new ConfigProblem(File, (int)at.Line, (int)at.Column, key, value, message, severity);
        if (!Problems.Contains(p))
        {
            Problems.Add(p);
        }
    }
}
