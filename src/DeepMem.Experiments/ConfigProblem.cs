namespace DeepMem.Experiments;

/// <summary>One problem in an experiment file, with its exact position.</summary>
/// <param name="File">The file, as given.</param>
/// <param name="Line">1-based line.</param>
/// <param name="Column">1-based column.</param>
/// <param name="Key">Dotted key path, e.g. "memory.nodes[1].preset".</param>
/// <param name="Value">The offending value, if any.</param>
/// <param name="Message">The rule broken and what is allowed.</param>
/// <param name="Severity">Error or warning.</param>
public sealed record ConfigProblem(string File, int Line, int Column, string Key, string? Value, string Message, Severity Severity = Severity.Error)
{
    /// <summary>Compiler-style line: <c>file:line:col: error: key: message</c> (<c>file: error: ...</c> when about the whole file, line 0).</summary>
    public override string ToString() =>
        $"{File}{(Line > 0 ? $":{Line}:{Column}" : "")}: {(Severity == Severity.Error ? "error" : "warning")}: {(Key.Length == 0 ? "" : Key + ": ")}{Message}";
}
