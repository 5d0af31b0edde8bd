using DeepMem.Experiments.Exporters;

namespace DeepMem.Tests.Exporters;

public class MarkdownTableTests
{
    [Fact]
    public void A_table_has_its_header_an_alignment_line_and_one_line_a_row()
    {
        var table = new MarkdownTable(MarkdownTable.Text("policy"), MarkdownTable.Number("runtime (us)"))
            .Add("tpp", "7480.9")
            .Add("hemem", null);
        var lines = table.ToString().Split(Environment.NewLine);
        Assert.Equal(["| policy | runtime (us) |", "|---|---:|", "| tpp | 7480.9 |", "| hemem |  |", ""], lines);
        Assert.Equal(2, table.Count);
    }

    [Fact]
    public void Pipes_and_line_breaks_in_a_cell_or_header_do_not_break_the_table()
    {
        var md = new MarkdownTable(MarkdownTable.Text("mean |part|")).Add("a|b\nc").ToString();
        Assert.Equal($"| mean \\|part\\| |{Environment.NewLine}|---|{Environment.NewLine}| a\\|b c |{Environment.NewLine}", md);
    }

    [Fact]
    public void A_row_with_the_wrong_number_of_cells_is_a_clear_error()
    {
        var table = new MarkdownTable(MarkdownTable.Text("a"), MarkdownTable.Text("b"));
        var e = Assert.Throws<ArgumentException>(() => table.Add("only one"));
        Assert.Contains("2 cells (a, b), this one has 1", e.Message, StringComparison.Ordinal);
    }
}
