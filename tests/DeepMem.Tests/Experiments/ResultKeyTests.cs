using DeepMem.Cli;
using DeepMem.Cli.Commands;
using DeepMem.Estimator;
using DeepMem.Experiments;
using DeepMem.Policies;
using DeepMem.Tests.Policies;

namespace DeepMem.Tests.Experiments;

public class ResultKeyTests
{
    private static async Task<ExperimentRunner.PointOutcome> Run(Experiment e) =>
        await new ExperimentRunner(Backends.Create).RunAsync(e, null, force: false, CancellationToken.None).WaitAsync(PolicyTestKit.Timeout);

    private static void WriteTraces(string folder, int seed)
    {
        foreach (var trace in PolicyTestKit.Synthetic(seed).Traces)
        {
            TraceWriter.WriteFile(Path.Combine(folder, trace.Header.Nodes[trace.Header.BoundNode!.Value].Name + ".trace.jsonl.gz"), trace);
        }
    }

    [Fact]
    public async Task Re_recorded_traces_rerun_the_point_and_the_line_says_why_while_rewriting_the_same_traces_reuses_it()
    {
        using var exp = EstimatorExperiment.Create();
        var e = exp.Load();
        Assert.False((await Run(e)).Skipped);
        Assert.True((await Run(e)).Skipped);

        // The same content written again (a new date) is the same input.
        WriteTraces(Path.Combine(exp.Dir, "traces"), 7);
        Assert.True((await Run(e)).Skipped);

        WriteTraces(Path.Combine(exp.Dir, "traces"), 8);
        var rerun = await Run(e);
        Assert.False(rerun.Skipped);
        Assert.Equal("changed since the stored result: traces", rerun.WhyRerun);
        Assert.Contains("(ran again: changed since the stored result: traces)", PointLine.Format("p", rerun));
        Assert.True((await Run(e)).Skipped);
    }

    [Fact]
    public void An_estimate_stored_by_other_estimator_or_policy_code_reruns()
    {
        using var exp = EstimatorExperiment.Create();
        var key = ResultKey.Of(exp.Load());
        var code = string.Join(",", new[] { typeof(DifferentialEstimator), typeof(Core.IPlacementPolicy), typeof(PolicySpec), typeof(EstimatorBackend) }
            .Select(t => t.Assembly.ManifestModule.ModuleVersionId));
        Assert.Equal(ContentDigest.OfText(code), key.Inputs["estimator code"]);
        var older = new Dictionary<string, string>(key.Inputs) { ["estimator code"] = ContentDigest.OfText("another build") };
        Assert.Equal(["estimator code"], key.ChangedSince(older));
    }

    [Fact]
    public async Task A_rewritten_plan_or_retrained_table_reruns_the_points_that_use_it()
    {
        foreach (var (policy, option, file) in new[] { ("static-plan", "plan", "plan.json"), ("q-learning", "table", "qtable.json") })
        {
            using var exp = EstimatorExperiment.Create($"  name: {policy}\n  options: {{ {option}: {file} }}");
            var source = Path.Combine(RepoLocator.FindRoot()!, "configs", "traces", "cg-ddr-nvm", file);
            var path = Path.Combine(exp.Dir, file);
            File.Copy(source, path);
            var e = exp.Load();
            var first = ResultKey.Of(e);
            Assert.Equal(first, ResultKey.Of(exp.Load()) with { Inputs = first.Inputs });

            File.WriteAllText(path, File.ReadAllText(source).Replace("\n", "\n ", StringComparison.Ordinal));
            var second = ResultKey.Of(exp.Load());
            Assert.NotEqual(first.Value, second.Value);
            Assert.Equal([$"policy file {option}"], second.ChangedSince(first.Inputs));
        }
    }

    [Fact]
    public void Every_gem5_input_counts_by_content_and_paths_names_and_folders_do_not()
    {
        var dir = Directory.CreateTempSubdirectory("deepmem-key-").FullName;
        try
        {
            string Write(string name, string text)
            {
                var p = Path.Combine(dir, name);
                Directory.CreateDirectory(Path.GetDirectoryName(p)!);
                File.WriteAllText(p, text);
                return p;
            }

            var binary = Write("bin/kernel", "elf v1");
            var gem5 = Write("gem5/gem5.opt", "gem5 v1");
            var script = Write("configs/deepmem_se.py", "script v1");
            var python = Write("python/deepmem/gem5run.py", "run v1");
            var plugin = Write("plugin/My.Policy.dll", "dll v1");
            var dependency = Write("plugin/My.Dependency.dll", "dep v1");
            var options = new DeepMem.Bridge.Gem5Options { Binary = gem5, ConfigScript = script, PythonPath = Path.Combine(dir, "python") };
            var spec = PolicyTestKit.Spec() with { Workload = new DeepMem.Core.WorkloadSpec(binary, ["10"], dir) };
            var policy = new PolicySpec { Assembly = plugin, Type = "My.Policy" };
            ResultKey Key(DeepMem.Core.SimulationSpec? s = null, DeepMem.Bridge.Gem5Options? o = null) =>
                ResultKey.For(CrossCheckStoreTests.Gem5Point(s ?? spec, o ?? options), "My.Policy", policy);
            var baseline = Key();

            // Cosmetic: the experiment's name, its output and working folders, where the binary lies.
            var moved = Write("elsewhere/kernel", "elf v1");
            Assert.Equal(baseline.Value, Key(spec with { Name = "renamed", OutputDir = "/elsewhere", Workload = spec.Workload with { Binary = moved, WorkingDir = "/" } }).Value);

            foreach (var (file, input) in new[]
            {
                (binary, "workload binary"), (gem5, "gem5 binary"), (script, "gem5 config script"), (python, "gem5-side python"),
                (plugin, "policy assembly"), (dependency, "policy assembly folder"),
            })
            {
                var before = Key();
                File.AppendAllText(file, " changed");
                var after = Key();
                Assert.NotEqual(before.Value, after.Value);
                Assert.Equal([input], after.ChangedSince(before.Inputs));
            }

            Assert.Equal([ResultKey.Settings], Key(spec with { Workload = spec.Workload with { Args = ["11"] } }).ChangedSince(Key().Inputs));
            Assert.Equal([ResultKey.Settings], Key(o: options with { DefaultPolicy = "bind:1" }).ChangedSince(Key().Inputs));
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    [Fact]
    public async Task Runs_report_reads_only_its_own_points_not_compares_results_below_it()
    {
        using var exp = EstimatorExperiment.Create();
        Assert.Equal(ExitCodes.Ok, await CompareCommand.ExecuteAsync(new FileInfo(exp.File), ["first-touch,hemem,tpp"], null, null, false,
            Backends.Create, new StringWriter(), new StringWriter(), CancellationToken.None).WaitAsync(PolicyTestKit.Timeout));
        Assert.Equal(ExitCodes.Ok, await RunCommand.ExecuteAsync(new FileInfo(exp.File), null, null, false, Backends.Create, CancellationToken.None)
            .WaitAsync(PolicyTestKit.Timeout));

        var report = await File.ReadAllTextAsync(Path.Combine(exp.Results, "report.md"));
        Assert.Single(report.Split('\n'), l => l.StartsWith("| default ", StringComparison.Ordinal));
        Assert.DoesNotContain("policy.name=", report, StringComparison.Ordinal);
    }
}
