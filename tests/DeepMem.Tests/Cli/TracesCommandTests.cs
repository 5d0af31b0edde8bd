using DeepMem.Cli;
using DeepMem.Cli.Commands;
using DeepMem.Experiments;
using Xunit;

namespace DeepMem.Tests.Cli;

/// <summary><c>deepmem traces</c> on the committed trace folders.</summary>
public class TracesCommandTests
{
    private static readonly string Root = RepoLocator.FindRoot(AppContext.BaseDirectory) ?? throw new InvalidOperationException("repo root not found");

    private static DirectoryInfo Traces(string name) => new(Path.Combine(Root, "configs", "traces", name));

    [Fact]
    public void A_folder_with_a_calibration_run_gets_the_held_out_prediction_of_each_formula()
    {
        var (stdout, stderr) = (new StringWriter(), new StringWriter());
        var code = TracesCommand.Execute([Traces("phases-ddr-nvm"), Traces("mt-stream-ddr-nvm")], stdout, stderr);
        Assert.Equal(ExitCodes.Ok, code);
        Assert.Equal("", stderr.ToString());
        var text = stdout.ToString();
        Assert.Contains("phases-ddr-nvm: 21 windows of 100000 instructions, O3 x1", text);
        Assert.Contains("calibration run: yes", text);
        Assert.Contains("mt-stream-ddr-nvm: 28 windows of 100000 instructions, O3 x4", text);
        Assert.Contains("calibration run: no", text);
        var rows = text.Split('\n').Where(l => l.StartsWith("| phases-ddr-nvm |", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, rows.Count);
        Assert.Contains("| linear |", rows[0]);
        Assert.Contains("| loaded latency (proportional", rows[1]);
        Assert.DoesNotContain(text.Split('\n'), l => l.StartsWith("| mt-stream-ddr-nvm |", StringComparison.Ordinal));
    }

    [Fact]
    public void A_folder_without_traces_is_bad_input_and_the_others_are_still_described()
    {
        var (stdout, stderr) = (new StringWriter(), new StringWriter());
        var missing = new DirectoryInfo(Path.Combine(Path.GetTempPath(), "deepmem-no-such-traces-" + Guid.NewGuid().ToString("N")));
        var code = TracesCommand.Execute([missing, Traces("gups-ddr-nvm")], stdout, stderr);
        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Contains("no such folder", stderr.ToString());
        Assert.Contains("gups-ddr-nvm: ", stdout.ToString());
    }
}
