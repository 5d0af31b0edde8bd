using System.Text.Json;
using DeepMem.Cli;
using DeepMem.Cli.Commands;
using DeepMem.Core;
using DeepMem.Experiments;
using DeepMem.Experiments.CrossCheck;
using DeepMem.Tests.Policies;

namespace DeepMem.Tests.Experiments;

/// <summary>
/// Issue 13, item 8: bad input never crashes. Each case is a file under
/// BadInput/ (or a folder made here), run through the CLI verb in-process:
/// exit 2 (or 1 for a failed run) and one line at the right file:line:col.
/// </summary>
public class BadInputTests
{
    private static readonly string Folder = Path.Combine(
        RepoLocator.FindRoot(AppContext.BaseDirectory) ?? throw new InvalidOperationException("repo root not found"),
        "tests", "DeepMem.Tests", "Experiments", "BadInput");

    private static string Bad(string name) => Path.Combine(Folder, name);

    /// <summary>Validates the bad file and then a good one; returns stderr after checking both were reported.</summary>
    private static string ValidateThenGood(string path)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var code = ValidateCommand.Execute([new FileInfo(path), new FileInfo(Bad("good.yaml"))], quiet: true, stdout, stderr);
        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Contains("good.yaml: ok (1 point)", stdout.ToString());
        Assert.DoesNotContain("   at ", stderr.ToString());
        return stderr.ToString();
    }

    [Theory]
    [InlineData("unclosed-brace.yaml", "5:7: error: YAML syntax: '{' opened here is never closed")]
    [InlineData("unclosed-bracket.yaml", "4:10: error: YAML syntax: '[' opened here is never closed")]
    [InlineData("tab-indent.yaml", "5:1: error: YAML syntax: a tab in the indentation")]
    [InlineData("undefined-alias.yaml", "11:9: error: YAML syntax: undefined alias '*nope'")]
    [InlineData("unknown-sweep-key.yaml", "14:3: error: policy.nme: unknown key 'nme' (did you mean 'name'?)")]
    public void A_syntax_error_is_one_line_at_its_place_and_validate_goes_on_to_the_next_file(string file, string expected)
    {
        var stderr = ValidateThenGood(Bad(file));
        Assert.Contains($"{Bad(file)}:{expected}", stderr);
    }

    [Theory]
    [InlineData("unclosed-brace.yaml")]
    [InlineData("unclosed-bracket.yaml")]
    public async Task Run_reports_an_unclosed_bracket_as_bad_input(string file)
    {
        var stderr = new StringWriter();
        var code = await RunCommand.ExecuteAsync(new FileInfo(Bad(file)), null, null, false, Backends.Create,
            new StringWriter(), stderr, CancellationToken.None);
        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Contains($"{Bad(file)}:", stderr.ToString());
        Assert.Contains("is never closed", stderr.ToString());
    }

    [Fact]
    public void A_folder_given_as_the_file_says_so()
    {
        var stderr = ValidateThenGood(Folder);
        Assert.Contains($"{Folder}: error: is a folder, not an experiment file", stderr);
        Assert.DoesNotContain("0:0", stderr);
    }

    [Fact]
    public void A_file_that_cannot_be_read_is_one_line()
    {
        // Running as root, permissions cannot make a file unreadable; a file
        // held open without sharing cannot be opened again in any case.
        var path = Path.Combine(Directory.CreateTempSubdirectory("deepmem-bad-").FullName, "locked.yaml");
        File.Copy(Bad("good.yaml"), path);
        using (new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.None))
        {
            var stderr = ValidateThenGood(path);
            Assert.Contains($"{path}: error: cannot read the file:", stderr);
        }

        if (!OperatingSystem.IsWindows() && Environment.UserName != "root")
        {
            File.SetUnixFileMode(path, UnixFileMode.None);
            Assert.Contains($"{path}: error: cannot read the file:", ValidateThenGood(path));
        }
    }

    [Theory]
    [InlineData("65-nodes.yaml", "5:5: error: memory.nodes: at most 64 nodes are supported (was 65)")]
    [InlineData("missing-traces.yaml", "12:11: error: estimator.traces: traces folder")]
    [InlineData("output-outside.yaml", "13:9: error: output: '/etc' is outside the experiment's folder")]
    [InlineData("huge-sweep.yaml", "13:1: error: sweep: the sweep has 1,000,000 points (100 x 100 x 100), over the limit of 100,000")]
    public void Validate_refuses_what_run_would_trip_on(string file, string expected)
    {
        var stderr = ValidateThenGood(Bad(file));
        Assert.Contains($"{Bad(file)}:{expected}", stderr);
        Assert.Single(stderr.Split('\n'), l => l.Contains(": error: ", StringComparison.Ordinal));
    }

    [Fact]
    public void Output_outside_the_working_tree_is_allowed_when_named_explicitly()
    {
        var text = File.ReadAllText(Bad("output-outside.yaml"));
        Assert.False(ExperimentLoader.LoadText(text, Bad("output-outside.yaml")).Ok);
        Assert.True(ExperimentLoader.LoadText(text + "output_outside: true\n", Bad("output-outside.yaml")).Ok);
        Assert.True(ExperimentLoader.LoadText(text, Bad("output-outside.yaml"), new LoadOptions { OutputFromCommandLine = true }).Ok);
        Assert.True(ExperimentLoader.LoadText(text.Replace("/etc", "results/x"), Bad("output-outside.yaml")).Ok);
    }

    [Fact]
    public void The_sweep_limit_can_be_raised_in_the_file()
    {
        var text = File.ReadAllText(Bad("good.yaml")) + "sweep:\n  epoch: [1M, 2M, 3M]\n";
        var over = ExperimentLoader.LoadText(text + "sweep_limit: 2\n", Bad("good.yaml"));
        Assert.Contains(over.Problems, p => p.Message.Contains("3 points (3), over the limit of 2", StringComparison.Ordinal));
        Assert.Equal(3, ExperimentLoader.LoadText(text + "sweep_limit: 3\n", Bad("good.yaml")).Experiments.Count);
        Assert.Contains("sweep_limit", Assert.Single(ExperimentLoader.LoadText(text + "sweep_limit: lots\n", Bad("good.yaml")).Problems).Key);
    }

    [Fact]
    public void A_large_sweep_reports_progress_and_stops_when_cancelled()
    {
        var text = File.ReadAllText(Bad("good.yaml")) + "sweep:\n  epoch: [" + string.Join(", ", Enumerable.Range(1, 50).Select(i => $"{i}k")) + "]\n"
                   + "  migration.page_cost: [" + string.Join(", ", Enumerable.Range(1, 60).Select(i => $"{i}ns")) + "]\n";
        var seen = new List<(int Done, long Total)>();
        var all = ExperimentLoader.LoadText(text, Bad("good.yaml"), new LoadOptions { SweepProgress = new Recorder(seen.Add) });
        Assert.Equal(3000, all.Experiments.Count);
        Assert.Equal([(1000, 3000L), (2000, 3000L), (3000, 3000L)], seen);

        using var cts = new CancellationTokenSource();
        var cancelling = new LoadOptions { SweepProgress = new Recorder(_ => cts.Cancel()) };
        Assert.ThrowsAny<OperationCanceledException>(() => ExperimentLoader.LoadText(text, Bad("good.yaml"), cancelling, cts.Token));

        var path = Path.Combine(Directory.CreateTempSubdirectory("deepmem-bad-").FullName, "sweep.yaml");
        File.WriteAllText(path, text.Replace("../../../../configs", Path.Combine(Folder, "../../../../configs")));
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        var stderr = new StringWriter();
        Assert.Equal(ExitCodes.Cancelled, ValidateCommand.Execute([new FileInfo(path)], true, new StringWriter(), stderr, cancelled.Token));
        Assert.Contains("cancelled while loading", stderr.ToString());
    }

    [Fact]
    public async Task Run_cancelled_while_loading_exits_130_and_runs_nothing()
    {
        using var exp = EstimatorExperiment.Create(name: "cancel-load");
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        var stderr = new StringWriter();
        Assert.Equal(ExitCodes.Cancelled, await RunCommand.ExecuteAsync(new FileInfo(exp.File), null, null, false, Backends.Create,
            new StringWriter(), stderr, cts.Token));
        Assert.Contains("cancelled while loading; nothing was run", stderr.ToString());
        Assert.False(Directory.Exists(exp.Results));
    }

    [Fact]
    public async Task An_output_folder_that_cannot_be_written_is_bad_input_before_anything_runs()
    {
        using var exp = EstimatorExperiment.Create(name: "unwritable");
        foreach (var output in new[] { "/dev/null", Path.Combine(exp.File, "results") })
        {
            var stderr = new StringWriter();
            Assert.Equal(ExitCodes.BadInput, await RunCommand.ExecuteAsync(new FileInfo(exp.File), null, new DirectoryInfo(output), false, Backends.Create,
                new StringWriter(), stderr, CancellationToken.None));
            Assert.StartsWith($"error: cannot write results to '{output}': ", stderr.ToString());
            Assert.Single(stderr.ToString().Trim().Split('\n'));
        }

        if (!OperatingSystem.IsWindows() && Environment.UserName != "root")
        {
            // Read-only folders do not stop root; as anyone else they are refused the same way.
            var readOnly = Path.Combine(exp.Dir, "read-only");
            Directory.CreateDirectory(readOnly);
            File.SetUnixFileMode(readOnly, UnixFileMode.UserRead | UnixFileMode.UserExecute);
            var stderr = new StringWriter();
            Assert.Equal(ExitCodes.BadInput, await RunCommand.ExecuteAsync(new FileInfo(exp.File), null, new DirectoryInfo(readOnly), false, Backends.Create,
                new StringWriter(), stderr, CancellationToken.None));
            Assert.StartsWith($"error: cannot write results to '{readOnly}': ", stderr.ToString());
            File.SetUnixFileMode(readOnly, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
    }

    [Fact]
    public async Task A_corrupt_stored_result_is_reported_and_treated_as_not_stored()
    {
        using var exp = EstimatorExperiment.Create(name: "corrupt");
        Directory.CreateDirectory(Path.Combine(exp.Results, "stray"));
        File.WriteAllText(Path.Combine(exp.Results, ResultStore.FileName), "{\"experiment\": 3");
        File.WriteAllText(Path.Combine(exp.Results, "stray", ResultStore.FileName), "{bad");
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var code = await RunCommand.ExecuteAsync(new FileInfo(exp.File), null, null, false, Backends.Create, stdout, stderr, CancellationToken.None)
            .WaitAsync(PolicyTestKit.Timeout);
        Assert.True(code == ExitCodes.Ok, stderr.ToString());
        Assert.Contains($"corrupt/default: succeeded (ran again: the stored result {Path.Combine(exp.Results, ResultStore.FileName)} cannot be read), simulated", stdout.ToString());
        Assert.Contains($"warning: {Path.Combine(exp.Results, ResultStore.FileName)}: cannot read the stored result", stderr.ToString());
        // The report reads only this run's points: a stray record below the folder is never opened.
        Assert.DoesNotContain("stray", stderr.ToString());
        Assert.DoesNotContain("   at ", stderr.ToString());
    }

    [Fact]
    public async Task Run_cancelled_mid_sweep_says_what_was_kept_and_that_a_rerun_resumes()
    {
        using var exp = EstimatorExperiment.Create(name: "cancel-run");
        File.AppendAllText(exp.File, "sweep:\n  epoch: [500k, 1M, 2M]\n");
        using var cts = new CancellationTokenSource();
        var points = 0;
        IMemorySimulator Backend(Experiment e) => ++points == 2 ? new CancellingSimulator(cts) : Backends.Create(e);
        var stderr = new StringWriter();
        var code = await RunCommand.ExecuteAsync(new FileInfo(exp.File), null, null, false, Backend, new StringWriter(), stderr, cts.Token)
            .WaitAsync(PolicyTestKit.Timeout);
        Assert.Equal(ExitCodes.Cancelled, code);
        Assert.Contains($"cancelled at epoch=1M: 1 of 3 points finished and kept under {exp.Results}; run the same command again to resume", stderr.ToString());

        var again = new StringWriter();
        Assert.Equal(ExitCodes.Ok, await RunCommand.ExecuteAsync(new FileInfo(exp.File), null, null, false, Backends.Create, again, new StringWriter(),
            CancellationToken.None).WaitAsync(PolicyTestKit.Timeout));
        Assert.Contains("cancel-run/epoch=500k: succeeded (stored result reused)", again.ToString());
    }

    [Fact]
    public async Task Crosscheck_without_gem5_stops_before_running_any_case()
    {
        using var exp = EstimatorExperiment.Create(name: "no-gem5");
        File.AppendAllText(exp.File, "gem5:\n  binary: no-such-gem5.opt\n");
        var code = await CrossCheckCommand.ExecuteAsync([new FileInfo(exp.File)], 1, 2, new DirectoryInfo(Path.Combine(exp.Dir, "table")), CancellationToken.None)
            .WaitAsync(PolicyTestKit.Timeout);
        Assert.Equal(ExitCodes.Failed, code);
        Assert.Contains("does not exist", Gem5Backend.BinaryProblem(exp.Load().Gem5));
        Assert.False(Directory.Exists(Path.Combine(exp.Results, "crosscheck")));
    }

    [Fact]
    public void Stored_rows_never_hold_non_finite_numbers()
    {
        var failed = new CrossCheckRow { Case = "all-dram", Kind = "static", EstimatedSeconds = double.PositiveInfinity, Failure = "no gem5" };
        var json = JsonSerializer.Serialize(new[] { failed }, ResultStore.Json);
        Assert.DoesNotContain("Infinity", json);
        Assert.DoesNotContain("NaN", json);
        Assert.Contains("\"error_of_runtime\": null", json);
        var back = Assert.Single(JsonSerializer.Deserialize<CrossCheckRow[]>(json, ResultStore.Json)!);
        Assert.True(double.IsNaN(back.EstimatedSeconds));
    }

    private sealed class Recorder(Action<(int Done, long Total)> report) : IProgress<(int Done, long Total)>
    {
        public void Report((int Done, long Total) value) => report(value);
    }

    /// <summary>A backend that is Ctrl-C'd while it runs.</summary>
    private sealed class CancellingSimulator(CancellationTokenSource cts) : IMemorySimulator
    {
        public string Name => "estimator";

        public Task<RunResult> RunAsync(SimulationSpec spec, IPlacementPolicy policy, IProgress<RunProgress>? progress, CancellationToken cancellationToken)
        {
            cts.Cancel();
            cancellationToken.ThrowIfCancellationRequested();
            throw new InvalidOperationException("not cancelled");
        }
    }
}
