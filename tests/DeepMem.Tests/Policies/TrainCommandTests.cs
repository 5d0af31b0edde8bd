using DeepMem.Cli;
using DeepMem.Cli.Commands;
using DeepMem.Policies.BuiltIn;

namespace DeepMem.Tests.Policies;

public class TrainCommandTests
{
    [Fact]
    public void Train_parses_episodes_and_out()
    {
        var parse = DeepMemCommand.Build().Parse(["train", "a.yaml", "--episodes", "20", "--out", "t.json", "--seed", "3"]);
        Assert.Empty(parse.Errors);
        Assert.Equal("train", parse.CommandResult.Command.Name);
    }

    [Fact]
    public void Train_needs_an_output_file()
    {
        Assert.NotEmpty(DeepMemCommand.Build().Parse(["train", "a.yaml", "--episodes", "20"]).Errors);
    }

    [Fact]
    public void Train_writes_a_table_that_q_learning_loads_and_is_deterministic()
    {
        using var exp = EstimatorExperiment.Create("""
              name: q-learning
              options: { alpha: 0.3, migration_rate: 1GB/s }
            """, "train");
        var a = Path.Combine(exp.Dir, "a.json");
        var b = Path.Combine(exp.Dir, "b.json");
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        Assert.Equal(ExitCodes.Ok, TrainCommand.Execute(new FileInfo(exp.File), 6, new FileInfo(a), 11, 0.3, false, stdout, stderr, CancellationToken.None));
        Assert.Equal(ExitCodes.Ok, TrainCommand.Execute(new FileInfo(exp.File), 6, new FileInfo(b), 11, 0.3, false, new StringWriter(), new StringWriter(), CancellationToken.None));
        Assert.Equal(File.ReadAllText(a), File.ReadAllText(b));

        var table = QTable.Load(a, QLearningPolicy.Features, QLearningPolicy.StateCount, 4);
        Assert.Equal(6, table.Episodes);
        Assert.True(table.Visits.Sum(r => r.Sum()) > 6 * 10, "every episode updates the table at each epoch");
        Assert.Contains("episode 6/6", stdout.ToString());
        Assert.Contains("greedy", stdout.ToString());
        Assert.Contains("vs first-touch", stdout.ToString());

        // --resume continues from the saved table.
        Assert.Equal(ExitCodes.Ok, TrainCommand.Execute(new FileInfo(exp.File), 2, new FileInfo(a), 11, 0.3, true, new StringWriter(), new StringWriter(), CancellationToken.None));
        Assert.Equal(8, QTable.Load(a, QLearningPolicy.Features, QLearningPolicy.StateCount, 4).Episodes);
    }

    [Fact]
    public void A_table_records_what_it_was_trained_on_and_resuming_on_new_traces_says_so()
    {
        using var exp = EstimatorExperiment.Create("  name: q-learning", "train-key");
        var t = Path.Combine(exp.Dir, "t.json");
        Assert.Equal(ExitCodes.Ok, TrainCommand.Execute(new FileInfo(exp.File), 2, new FileInfo(t), 11, 0.3, false, new StringWriter(), new StringWriter(), CancellationToken.None));
        Assert.Contains("traces", QTable.Load(t, QLearningPolicy.Features, QLearningPolicy.StateCount, 4).TrainedOn.Keys);

        var same = new StringWriter();
        Assert.Equal(ExitCodes.Ok, TrainCommand.Execute(new FileInfo(exp.File), 1, new FileInfo(t), 11, 0.3, true, new StringWriter(), same, CancellationToken.None));
        Assert.DoesNotContain("trained on other inputs", same.ToString());

        foreach (var trace in PolicyTestKit.Synthetic(9).Traces)
        {
            DeepMem.Estimator.TraceWriter.WriteFile(Path.Combine(exp.Dir, "traces", trace.Header.Nodes[trace.Header.BoundNode!.Value].Name + ".trace.jsonl.gz"), trace);
        }

        var changed = new StringWriter();
        Assert.Equal(ExitCodes.Ok, TrainCommand.Execute(new FileInfo(exp.File), 1, new FileInfo(t), 11, 0.3, true, new StringWriter(), changed, CancellationToken.None));
        Assert.Contains("was trained on other inputs (changed: traces)", changed.ToString());
    }

    [Fact]
    public void Train_without_traces_says_what_is_missing()
    {
        using var exp = EstimatorExperiment.Create();
        Directory.Delete(Path.Combine(exp.Dir, "traces"), recursive: true);
        var stderr = new StringWriter();
        Assert.Equal(ExitCodes.Failed, TrainCommand.Execute(new FileInfo(exp.File), 2, new FileInfo(Path.Combine(exp.Dir, "t.json")), null, 0.3, false,
            new StringWriter(), stderr, CancellationToken.None));
        Assert.Contains("needs estimator.traces", stderr.ToString());
    }

    [Fact]
    public void Train_rejects_bad_q_learning_options_of_the_experiment()
    {
        using var exp = EstimatorExperiment.Create("""
              name: q-learning
              options: { alpha: 0 }
            """, "train-bad");
        var stderr = new StringWriter();
        // The range is declared on the options: the experiment fails to load, as validate would say.
        Assert.Equal(ExitCodes.BadInput, TrainCommand.Execute(new FileInfo(exp.File), 1, new FileInfo(Path.Combine(exp.Dir, "t.json")), null, 0.3, false,
            new StringWriter(), stderr, CancellationToken.None));
        Assert.Contains("policy.options.alpha: option 'alpha' must be greater than 0 and at most 1 (was 0)", stderr.ToString());
    }

    [Fact]
    public void Train_resume_without_a_table_to_resume_from_is_bad_input_not_a_fresh_start()
    {
        using var exp = EstimatorExperiment.Create(name: "train-resume");
        var stderr = new StringWriter();
        Assert.Equal(ExitCodes.BadInput, TrainCommand.Execute(new FileInfo(exp.File), 1, new FileInfo(Path.Combine(exp.Dir, "none.json")), null, 0.3, true,
            new StringWriter(), stderr, CancellationToken.None));
        Assert.Contains("--resume", stderr.ToString());
        Assert.Contains("does not exist", stderr.ToString());
    }
}
