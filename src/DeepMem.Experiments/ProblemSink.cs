using YamlDotNet.RepresentationModel;

namespace DeepMem.Experiments;

/// <summary>Collects problems for one file, with positions taken from YAML nodes.</summary>
internal sealed class ProblemSink(string file)
{
    public string File { get; } = file;

    public List<ConfigProblem> Problems { get; } = [];

    public bool HasErrors => Problems.Any(p => p.Severity == Severity.Error);

    public void Error(YamlNode node, string key, string? value, string message) =>
        Add(node, key, value, message, Severity.Error);

    public void Warning(YamlNode node, string key, string? value, string message) =>
        Add(node, key, value, message, Severity.Warning);

    private void Add(YamlNode node, string key, string? value, string message, Severity severity)
    {
        var p = new ConfigProblem(File, (int)node.Start.Line, (int)node.Start.Column, key, value, message, severity);
        if (!Problems.Contains(p))
        {
            Problems.Add(p);
        }
    }
}
