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
        // Every committed set has a calibration run: the one without is
        // mt-stream's single-device traces copied alone.
        var bare = Directory.CreateTempSubdirectory("deepmem-traces-").FullName;
        var noCalibration = Directory.CreateDirectory(Path.Combine(bare, "mt-stream-alone"));
        try
        {
            foreach (var f in new[] { "dram.trace.jsonl.gz", "nvm.trace.jsonl.gz" })
            {
                File.Copy(Path.Combine(Traces("mt-stream-ddr-nvm").FullName, f), Path.Combine(noCalibration.FullName, f));
            }

            var (stdout, stderr) = (new StringWriter(), new StringWriter());
            var code = TracesCommand.Execute([Traces("phases-ddr-nvm"), noCalibration], stdout, stderr);
            Assert.Equal(ExitCodes.Ok, code);
            Assert.Equal("", stderr.ToString());
            var text = stdout.ToString();
            Assert.Contains("phases-ddr-nvm: 21 windows of 100000 instructions, O3 x1", text);
            Assert.Contains("calibration runs: calibration\n", text);
            Assert.Contains("mt-stream-alone: 28 windows of 100000 instructions, O3 x4", text);
            Assert.Contains("calibration runs: none", text);
            var rows = text.Split('\n').Where(l => l.StartsWith("| phases-ddr-nvm |", StringComparison.Ordinal)).ToList();
            Assert.Equal(2, rows.Count);
            Assert.Contains("| linear |", rows[0]);
            Assert.Contains("| loaded latency (proportional", rows[1]);
            Assert.DoesNotContain(text.Split('\n'), l => l.StartsWith("| mt-stream-alone |", StringComparison.Ordinal));
        }
        finally
        {
            Directory.Delete(bare, recursive: true);
        }
    }

    [Fact]
    public void A_threaded_set_with_a_calibration_run_is_predicted_too()
    {
        var (stdout, stderr) = (new StringWriter(), new StringWriter());
        var code = TracesCommand.Execute([Traces("mt-gups-ddr-nvm")], stdout, stderr);
        Assert.Equal(ExitCodes.Ok, code);
        var rows = stdout.ToString().Split('\n').Where(l => l.StartsWith("| mt-gups-ddr-nvm |", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, rows.Count);
        // docs/accuracy.md: the linear formula misses this one by -26.49%.
        Assert.Contains("| 31970.7 | -26.49 |", rows[0]);

        // docs/accuracy.md: in 19 of its 40 windows the 1:1 run is slower than all-NVM.
        Assert.Contains("x^γ in 21 windows, the parabola below both nodes in 0, linear in 19 (19 of them slower than both nodes)", stdout.ToString());
    }

    [Fact]
    public void The_calibrated_formulas_shapes_are_counted_per_set()
    {
        // docs/accuracy.md: in 19 of mt_stream's 28 windows on HBM + DDR4 the 1:1 run beats both nodes.
        var (stdout, stderr) = (new StringWriter(), new StringWriter());
        Assert.Equal(ExitCodes.Ok, TracesCommand.Execute([Traces("mt-stream-hbm-ddr")], stdout, stderr));
        Assert.Contains("calibrated formula (the default with this run): x^γ in 9 windows, the parabola below both nodes in 19, linear in 0 (0 of them slower than both nodes)",
            stdout.ToString());
    }

    [Fact]
    public void On_a_cxl_set_the_loaded_latency_formula_adds_the_link_the_traces_do_not_time()
    {
        // docs/accuracy.md: without the 70 ns link the CXL node's controller latency looks like
        // DDR4's and the formula stays linear in every window; with it, it applies in all 28.
        var (stdout, stderr) = (new StringWriter(), new StringWriter());
        Assert.Equal(ExitCodes.Ok, TracesCommand.Execute([Traces("mt-stream-ddr-cxl")], stdout, stderr));
        var text = stdout.ToString();
        Assert.Contains("from the device preset of the node's kind): cxl 70 ns", text);
        var loaded = Assert.Single(text.Split('\n'), l => l.StartsWith("| mt-stream-ddr-cxl | loaded latency", StringComparison.Ordinal));
        Assert.Contains("(proportional, 28 of 28 windows) | 10701.7 | 11127.3 | -3.83 |", loaded);
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
