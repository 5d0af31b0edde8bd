using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace DeepMem.Experiments;

/// <summary>
/// Turns a failed YAML parse into one message at the place the user must
/// fix. YamlDotNet reports some errors at 1:1 (a tab in the indentation, an
/// undefined alias) and fails on an unclosed '{' or '[' with an
/// InvalidOperationException and no position at all, so the text is looked
/// at again here.
/// </summary>
internal static partial class YamlErrorLocator
{
    [GeneratedRegex(@"anchor '([^']*)'")]
    private static partial Regex AnchorName();

    /// <summary>Line, column (1-based) and message for a parse failure of <paramref name="text"/>.</summary>
    public static (int Line, int Column, string Message) Locate(string text, Exception error)
    {
        var lines = text.Replace("\r\n", "\n").Split('\n');
        if (error is AnchorNotFoundException && AnchorName().Match(error.Message) is { Success: true } m)
        {
            var (line, col) = FindAlias(lines, m.Groups[1].Value);
            return (line, col, $"undefined alias '*{m.Groups[1].Value}': define it with '&{m.Groups[1].Value}' before it is used");
        }

        if (error.Message.Contains("tab", StringComparison.OrdinalIgnoreCase) && FindIndentTab(lines) is { } tab)
        {
            return (tab.Line, tab.Column, "a tab in the indentation: YAML indents with spaces only");
        }

        if (FindUnbalanced(lines) is { } bad)
        {
            return bad;
        }

        if (error is YamlException y && y.Start.Index > 0)
        {
            return ((int)y.Start.Line, (int)y.Start.Column, error.Message);
        }

        var (l, c) = LastGoodMark(text);
        return (l, c, error.Message);
    }

    private static (int Line, int Column) FindAlias(string[] lines, string anchor)
    {
        var alias = new Regex(@"(^|[\s\[{,:])\*" + Regex.Escape(anchor) + @"(?![^\s\]},])");
        for (var i = 0; i < lines.Length; i++)
        {
            if (alias.Match(StripComment(lines[i])) is { Success: true } m)
            {
                return (i + 1, m.Index + m.Groups[1].Length + 1);
            }
        }

        return (1, 1);
    }

    private static (int Line, int Column)? FindIndentTab(string[] lines)
    {
        for (var i = 0; i < lines.Length; i++)
        {
            for (var j = 0; j < lines[i].Length && (lines[i][j] == ' ' || lines[i][j] == '\t'); j++)
            {
                if (lines[i][j] == '\t')
                {
                    return (i + 1, j + 1);
                }
            }
        }

        return null;
    }

    /// <summary>
    /// The first flow bracket that is closed by the wrong bracket, or never
    /// closed. Quoted strings, comments and block scalars are skipped; in
    /// block context a bracket only opens a collection where a value starts.
    /// </summary>
    private static (int Line, int Column, string Message)? FindUnbalanced(string[] lines)
    {
        var open = new Stack<(char Bracket, int Line, int Column)>();
        var blockScalarIndent = -1;
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i];
            var indent = line.Length - line.TrimStart(' ').Length;
            if (blockScalarIndent >= 0)
            {
                if (line.Trim().Length == 0 || indent > blockScalarIndent)
                {
                    continue;
                }

                blockScalarIndent = -1;
            }

            var valueStarts = true;
            for (var j = 0; j < line.Length; j++)
            {
                var ch = line[j];
                if (ch == '#' && (j == 0 || char.IsWhiteSpace(line[j - 1])))
                {
                    break;
                }

                if (ch is '"' or '\'' && (open.Count > 0 || valueStarts))
                {
                    j = SkipQuoted(line, j);
                    valueStarts = false;
                    continue;
                }

                if (ch is '{' or '[' && (open.Count > 0 || valueStarts))
                {
                    open.Push((ch, i + 1, j + 1));
                    continue;
                }

                if (ch is '}' or ']' && open.Count > 0)
                {
                    var (bracket, l, c) = open.Pop();
                    var expected = bracket == '{' ? '}' : ']';
                    if (ch != expected)
                    {
                        return (i + 1, j + 1, $"'{ch}' here closes the '{bracket}' opened at {l}:{c}; expected '{expected}'");
                    }

                    continue;
                }

                if (open.Count == 0)
                {
                    if (ch is '|' or '>' && valueStarts && line[(j + 1)..].TrimStart('+', '-', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9').Trim().Length == 0)
                    {
                        blockScalarIndent = indent;
                        break;
                    }

                    valueStarts = char.IsWhiteSpace(ch) ? valueStarts
                        : ch is '-' or ':' or '?' && (j + 1 == line.Length || line[j + 1] == ' ');
                }
            }
        }

        if (open.Count > 0)
        {
            var (bracket, line, col) = open.ToArray()[^1];
            return (line, col, $"'{bracket}' opened here is never closed: add '{(bracket == '{' ? '}' : ']')}' at the end of the {(bracket == '{' ? "mapping" : "list")}");
        }

        return null;
    }

    private static int SkipQuoted(string line, int start)
    {
        var quote = line[start];
        for (var j = start + 1; j < line.Length; j++)
        {
            if (quote == '"' && line[j] == '\\')
            {
                j++;
            }
            else if (line[j] == quote)
            {
                if (quote == '\'' && j + 1 < line.Length && line[j + 1] == '\'')
                {
                    j++;
                    continue;
                }

                return j;
            }
        }

        return line.Length;
    }

    private static string StripComment(string line)
    {
        for (var j = 0; j < line.Length; j++)
        {
            if (line[j] == '#' && (j == 0 || char.IsWhiteSpace(line[j - 1])))
            {
                return line[..j];
            }
        }

        return line;
    }

    /// <summary>Where the parser got to before it failed: the end of the last event it read.</summary>
    private static (int Line, int Column) LastGoodMark(string text)
    {
        var parser = new Parser(new StringReader(text));
        var last = Mark.Empty;
        try
        {
            while (parser.MoveNext())
            {
                if (parser.Current is ParsingEvent e)
                {
                    last = e.End;
                }
            }
        }
        catch (Exception e) when (e is YamlException or InvalidOperationException or ArgumentException)
        {
            // Expected: this is the text that failed to parse.
        }

        return ((int)last.Line, (int)last.Column);
    }
}
