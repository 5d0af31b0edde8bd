using DeepMem.Cli;
using DeepMem.Cli.Commands;
using DeepMem.Experiments;

namespace DeepMem.Tests.Policies;

public class CompareCommandTests
{
    [Fact]
    public void Compare_parses_policies_and_backend()
    {
        var parse = DeepMemCommand.Build().Parse(["compare", "a.yaml", "--policies", "hemem,tpp", "--backend", "estimator", "--force"]);
        Assert.Empty(parse.Errors);
        Assert.Equal("compare", parse.CommandResult.Command.Name);
    }

    [Fact]
    public async Task Compare_runs_each_policy_once_and_writes_a_table_and_a_plot()
    {
        using var exp = EstimatorExperiment.Create("""
              name: hemem
              options: { sample_period: 8 }
            """, "compare");
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var code = await CompareCommand.ExecuteAsync(new FileInfo(exp.File), ["first-touch,hemem", "tpp"], null, null, false, Backends.Create,
            stdout, stderr, CancellationToken.None).WaitAsync(PolicyTestKit.Timeout);
        Assert.True(code == ExitCodes.Ok, stderr.ToString());

        var root = Path.Combine(exp.Results, "compare-estimator");
        var records = ResultStore.ReadAll(root);
        Assert.Equal(["first-touch", "hemem", "tpp"], records.Select(r => r.Policy).Order());
        Assert.All(records, r => Assert.Equal("estimator", r.Result.Backend));
        Assert.Contains(records, r => r.Policy == "hemem" && r.Result.MigratedPages > 0);
        Assert.True(File.Exists(Path.Combine(root, "policy.name=hemem", ResultStore.FileName)));

        var table = await File.ReadAllTextAsync(Path.Combine(root, "compare.md"));
        Assert.Equal(3, table.Split('\n').Count(l => l.StartsWith("| policy.name=", StringComparison.Ordinal)));
        var png = await File.ReadAllBytesAsync(Path.Combine(root, "compare.png"));
        Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], png.Take(4));
        Assert.Contains("compare.png", stdout.ToString());

        // The experiment's own policy keeps its options; a second run reuses the stored results.
        var again = new StringWriter();
        Assert.Equal(ExitCodes.Ok, await CompareCommand.ExecuteAsync(new FileInfo(exp.File), ["hemem"], null, null, false, Backends.Create,
            again, new StringWriter(), CancellationToken.None).WaitAsync(PolicyTestKit.Timeout));
        Assert.Contains("(stored result reused)", again.ToString());
    }

    [Fact]
    public void The_default_set_starts_with_the_experiments_own_policy()
    {
        using var exp = EstimatorExperiment.Create("""
              name: memtis
              options: { watermark: 0.1 }
            """, "compare-defaults");
        var problems = new List<string>();
        var specs = Comparison.Resolve(exp.Load(), null, problems);
        Assert.Empty(problems);
        Assert.Equal(["memtis", .. Comparison.DefaultSet.Where(n => n != "memtis")], specs.Select(s => s.DisplayName));
        Assert.Equal("0.1", specs[0].Options["watermark"].Scalar);
    }

    [Fact]
    public async Task An_unknown_policy_is_bad_input_with_a_hint()
    {
        using var exp = EstimatorExperiment.Create();
        var stderr = new StringWriter();
        Assert.Equal(ExitCodes.BadInput, await CompareCommand.ExecuteAsync(new FileInfo(exp.File), ["hemmem"], null, null, false, Backends.Create,
            new StringWriter(), stderr, CancellationToken.None));
        Assert.Contains("did you mean 'hemem'", stderr.ToString());
    }
}
