using DeepMem.Cli;
using DeepMem.Cli.Commands;
using DeepMem.Core;
using DeepMem.Experiments;
using DeepMem.Experiments.Execution;
using DeepMem.Experiments.Training;
using DeepMem.Tests.Policies;

namespace DeepMem.Tests.Experiments;

public class BackendRegistryTests
{
    /// <summary>
    /// A whole backend in one class: it "simulates" one millisecond per
    /// memory node, checks that the machine has two nodes, and counts its
    /// speed setting in the result key.
    /// </summary>
    private sealed class TinyBackend : IBackend, IMemorySimulator
    {
        public const string BackendName = "tiny-test";

        public string Name => BackendName;

        public IReadOnlyList<BackendProblem> Check(Experiment experiment, BackendCheck depth) =>
            depth == BackendCheck.Full && experiment.Spec.Nodes.Count != 2
                ? [BackendProblem.Error("memory.nodes", null, $"the tiny backend models two nodes, not {experiment.Spec.Nodes.Count}")]
                : [];

        public object KeyInputs(Experiment experiment, IDictionary<string, string> inputs) => new { Speed = 1 };

        public IMemorySimulator Create(Experiment experiment, Action<string>? log = null) => this;

        public string Describe(Experiment experiment) => "tiny: { speed: 1 }";

        public Task<RunResult> RunAsync(SimulationSpec spec, IPlacementPolicy policy, IProgress<RunProgress>? progress, CancellationToken cancellationToken)
        {
            policy.Initialize(spec.ToTopology());
            return Task.FromResult(new RunResult { Backend = Name, Status = RunStatus.Succeeded, SimulatedSeconds = spec.Nodes.Count * 1e-3 });
        }
    }

    private static EstimatorExperiment TinyExperiment(string name)
    {
        Backends.Register(new TinyBackend());
        var exp = EstimatorExperiment.Create(name: name);
        File.WriteAllText(exp.File, File.ReadAllText(exp.File).Replace("backend: estimator", $"backend: {TinyBackend.BackendName}"));
        return exp;
    }

    [Fact]
    public async Task A_backend_registered_in_one_class_loads_validates_and_runs_through_the_point_loop()
    {
        using var exp = TinyExperiment("tiny-run");
        var e = exp.Load();
        Assert.Equal(TinyBackend.BackendName, e.Backend);
        Assert.Contains(TinyBackend.BackendName, Backends.Names);
        Assert.Empty(DeepMemCommand.Build().Parse(["run", exp.File, "--backend", TinyBackend.BackendName]).Errors);

        // The point loop of run and compare, called directly.
        var seen = new List<string>();
        var job = PointLoop.RunJob([e], _ => [], "first-touch");
        var result = await PointLoop.RunAsync(job, new LocalExecutor(new ExperimentRunner(Backends.Create)), force: true,
            o => seen.Add(PointLine.Format(job.Label(o.Experiment), o)), null, CancellationToken.None).WaitAsync(PolicyTestKit.Timeout);
        Assert.False(result.AnyFailed);
        Assert.Equal(2e-3, Assert.Single(result.Finished).Record.Result.SimulatedSeconds, 9);
        Assert.StartsWith("tiny-run/default: succeeded, simulated 2000.0 us", Assert.Single(seen));
        Assert.Contains("| tiny-test |", File.ReadAllText(result.Markdown!));

        // validate prints its settings and runs its checks.
        var stdout = new StringWriter();
        Assert.Equal(ExitCodes.Ok, ValidateCommand.Execute([new FileInfo(exp.File)], false, stdout, new StringWriter()));
        Assert.Contains("tiny: { speed: 1 }", stdout.ToString());
    }

    [Fact]
    public void Validate_runs_the_backends_own_checks()
    {
        using var exp = TinyExperiment("tiny-three");
        File.WriteAllText(exp.File, File.ReadAllText(exp.File).Replace(
            "    - { name: slow1, preset: nvm, capacity: 64MiB }", "    - { name: slow1, preset: nvm, capacity: 64MiB }\n    - { name: slow2, preset: nvm, capacity: 64MiB }"));
        var stderr = new StringWriter();
        Assert.Equal(ExitCodes.BadInput, ValidateCommand.Execute([new FileInfo(exp.File)], true, new StringWriter(), stderr));
        Assert.Contains("error: memory.nodes: backend: the tiny backend models two nodes, not 3", stderr.ToString());
    }

    [Fact]
    public void Validate_checks_the_estimators_traces_against_the_nodes_and_the_epoch()
    {
        using var exp = EstimatorExperiment.Create(name: "traces-mismatch");
        File.WriteAllText(exp.File, File.ReadAllText(exp.File).Replace("epoch: 500k", "epoch: 123457"));
        var stderr = new StringWriter();
        Assert.Equal(ExitCodes.BadInput, ValidateCommand.Execute([new FileInfo(exp.File)], true, new StringWriter(), stderr));
        Assert.Contains("estimator.traces: backend: epoch instructions 123457 is not a multiple of the traces' window_instructions", stderr.ToString());

        File.Move(Path.Combine(exp.Dir, "traces", "slow1.trace.jsonl.gz"), Path.Combine(exp.Dir, "traces", "other.trace.jsonl.gz"));
        File.WriteAllText(exp.File, File.ReadAllText(exp.File).Replace("epoch: 123457", "epoch: 500k"));
        stderr = new StringWriter();
        Assert.Equal(ExitCodes.BadInput, ValidateCommand.Execute([new FileInfo(exp.File)], true, new StringWriter(), stderr));
        Assert.Contains("missing trace", stderr.ToString());
        Assert.Contains("slow1.trace.jsonl.gz", stderr.ToString());
    }

    [Fact]
    public void Validate_checks_that_the_gem5_binary_is_there_and_executable()
    {
        using var exp = EstimatorExperiment.Create(name: "gem5-binary");
        var gem5 = Path.Combine(exp.Dir, "gem5.opt");
        File.WriteAllText(gem5, "not a program");
        File.WriteAllText(exp.File, File.ReadAllText(exp.File).Replace("backend: estimator", "backend: gem5") + $"gem5:\n  binary: {gem5}\n");
        var stderr = new StringWriter();
        Assert.Equal(ExitCodes.BadInput, ValidateCommand.Execute([new FileInfo(exp.File)], true, new StringWriter(), stderr));
        Assert.Contains($"gem5 binary '{gem5}' is not executable", stderr.ToString());

        File.Delete(gem5);
        stderr = new StringWriter();
        Assert.Equal(ExitCodes.BadInput, ValidateCommand.Execute([new FileInfo(exp.File)], true, new StringWriter(), stderr));
        Assert.Contains($"gem5 binary '{gem5}' does not exist", stderr.ToString());
    }

    [Fact]
    public async Task The_trainer_is_called_directly_and_runs_on_the_estimator_through_the_seam()
    {
        using var exp = EstimatorExperiment.Create("  name: q-learning", "trainer-direct");
        var episodes = new List<TrainingEpisode>();
        TrainingStart? start = null;
        var table = Path.Combine(exp.Dir, "t.json");
        var trained = await Trainer.TrainAsync(exp.Load(), exp.File, new TrainingRequest(3, table, 5, 0.3, false), _ => { },
            s => start = s, episodes.Add, CancellationToken.None).WaitAsync(PolicyTestKit.Timeout);
        Assert.Equal([1, 2, 3], episodes.Select(e => e.Number));
        Assert.Equal("estimator", start!.Baseline.Backend);
        Assert.Equal(Path.GetFullPath(table), trained.TablePath);
        Assert.True(File.Exists(table));
        Assert.True(trained.VisitedStates > 0 && trained.VisitedStates <= trained.States);

        var bad = await Assert.ThrowsAsync<ExperimentFailureException>(() => Trainer.TrainAsync(exp.Load(), exp.File, new TrainingRequest(0, table, null, 0.3, false),
            _ => { }, _ => { }, _ => { }, CancellationToken.None));
        Assert.Equal(FailureKind.BadInput, bad.Kind);
    }
}
