using System.Text;

namespace DeepMem.Experiments.Exporters;

/// <summary>
/// A GitHub-flavoured Markdown table: columns with a header and an alignment,
/// then rows of already formatted cells. A cell's <c>|</c> is escaped and its
/// line breaks become spaces, so any text is safe in a cell. Every table the
/// project writes goes through this one type.
/// </summary>
/// <example>
/// <code>
/// var table = new MarkdownTable(MarkdownTable.Text("policy"), MarkdownTable.Number("runtime (us)"));
/// table.Add("tpp", Invariant($"{7480.9:F1}"));
/// var markdown = table.ToString();
/// </code>
/// </example>
public sealed class MarkdownTable
{
    private readonly Column[] columns;
    private readonly List<string[]> rows = [];

    /// <summary>A table with these columns, in order.</summary>
    public MarkdownTable(params Column[] columns)
    {
        ArgumentNullException.ThrowIfNull(columns);
        if (columns.Length == 0)
        {
            throw new ArgumentException("a table needs at least one column", nameof(columns));
        }

        this.columns = columns;
    }

    /// <summary>One column: its header and whether its cells are right-aligned (numbers).</summary>
    /// <param name="Header">The header text.</param>
    /// <param name="AlignRight">True for numbers (<c>---:</c>), false for text (<c>---</c>).</param>
    public readonly record struct Column(string Header, bool AlignRight);

    /// <summary>A left-aligned column of text.</summary>
    public static Column Text(string header) => new(header, AlignRight: false);

    /// <summary>A right-aligned column of numbers.</summary>
    public static Column Number(string header) => new(header, AlignRight: true);

    /// <summary>The number of rows added so far.</summary>
    public int Count => rows.Count;

    /// <summary>Adds a row; it must have one cell per column (null is an empty cell).</summary>
    /// <exception cref="ArgumentException">The row has more or fewer cells than the table has columns.</exception>
    public MarkdownTable Add(params string?[] cells)
    {
        ArgumentNullException.ThrowIfNull(cells);
        if (cells.Length != columns.Length)
        {
            throw new ArgumentException(
                $"a row of this table has {columns.Length} cells ({string.Join(", ", columns.Select(c => c.Header))}), this one has {cells.Length}",
                nameof(cells));
        }

        rows.Add(cells.Select(c => Escape(c ?? "")).ToArray());
        return this;
    }

    /// <summary>Appends the header, the alignment line and the rows, one line each.</summary>
    public StringBuilder AppendTo(StringBuilder sb)
    {
        ArgumentNullException.ThrowIfNull(sb);
        Line(sb, columns.Select(c => Escape(c.Header)));
        sb.Append('|');
        foreach (var c in columns)
        {
            sb.Append(c.AlignRight ? "---:|" : "---|");
        }

        sb.AppendLine();
        foreach (var row in rows)
        {
            Line(sb, row);
        }

        return sb;
    }

    /// <summary>The table as Markdown, each line ended by a line break.</summary>
    public override string ToString() => AppendTo(new StringBuilder()).ToString();

    /// <summary>Text made safe for one cell: <c>|</c> escaped, line breaks as spaces.</summary>
    public static string Escape(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return text.Replace("|", "\\|", StringComparison.Ordinal)
            .Replace("\r\n", " ", StringComparison.Ordinal)
            .Replace('\n', ' ')
            .Replace('\r', ' ');
    }

    private static void Line(StringBuilder sb, IEnumerable<string> cells)
    {
        sb.Append('|');
        foreach (var cell in cells)
        {
            sb.Append(' ').Append(cell).Append(" |");
        }

        sb.AppendLine();
    }
}
