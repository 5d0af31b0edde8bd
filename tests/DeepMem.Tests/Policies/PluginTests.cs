using DeepMem.Core;
using DeepMem.Experiments;
using DeepMem.Policies;

namespace DeepMem.Tests.Policies;

/// <summary>Builds the example plug-in project and runs it as a user would: named in YAML by assembly and type.</summary>
public class PluginTests
{
    private const string TypeName = "DeepMem.Examples.Plugin.HotPagePolicy";
    private static readonly Lazy<Task<string>> Built = new(BuildAsync);

    private static string RepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !System.IO.File.Exists(Path.Combine(dir.FullName, "DeepMem.Gem5.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("repository root (DeepMem.Gem5.sln) not found above " + AppContext.BaseDirectory);
    }

    /// <summary>
    /// The example plug-in as the build left it: the test project depends on
    /// it (without referencing it), so it is built with the tests, in the same
    /// configuration, into its own folder.
    /// </summary>
    private static Task<string> BuildAsync()
    {
#if DEBUG
        const string configuration = "Debug";
#else
        const string configuration = "Release";
#endif
        var dll = Path.Combine(RepoRoot(), "src", "Examples", "DeepMem.Examples.Plugin", "bin", configuration, "net10.0", "DeepMem.Examples.Plugin.dll");
        Assert.True(System.IO.File.Exists(dll), $"{dll} is missing: build the solution (or the test project, which builds the example plug-in first)");
        return Task.FromResult(dll);
    }

    private static string PolicyYaml(string dll, string options) => $"""
          assembly: {dll}
          type: {TypeName}
          options: {options}
        """;

    [Fact]
    public async Task The_example_plugin_builds_loads_from_yaml_binds_its_options_and_runs()
    {
        var dll = await Built.Value.WaitAsync(TimeSpan.FromMinutes(6));
        using var exp = EstimatorExperiment.Create(PolicyYaml(dll, "{ threshold: 3, max_per_epoch: 5, place_node: 1 }"), "plugin");
        var experiment = exp.Load();
        Assert.Equal(TypeName, experiment.Policy.Type);

        var policy = (GuardedPolicy)PolicyFactory.Create(experiment.Policy);
        Assert.Equal(TypeName, policy.Inner.GetType().FullName);
        Assert.NotSame(typeof(PolicyFactory).Assembly, policy.Inner.GetType().Assembly);
        var options = policy.Inner.GetType().GetProperty("Options")!.GetValue(policy.Inner)!;
        Assert.Equal(3, options.GetType().GetProperty("Threshold")!.GetValue(options));
        Assert.Equal(5, options.GetType().GetProperty("MaxPerEpoch")!.GetValue(options));
        Assert.Equal(1, options.GetType().GetProperty("PlaceNode")!.GetValue(options));
        Assert.Equal(-1L, options.GetType().GetProperty("FailAtEpoch")!.GetValue(options));

        var outcome = await new ExperimentRunner(Backends.Create).RunAsync(experiment, null, force: true, CancellationToken.None)
            .WaitAsync(PolicyTestKit.Timeout);
        var result = outcome.Record.Result;
        Assert.True(result.Status == RunStatus.Succeeded, result.FailureReason);
        Assert.Equal(TypeName, outcome.Record.Policy);
        Assert.InRange(result.MigratedPages, 1UL, 5UL * result.Epochs);
        Assert.Equal(0UL, result.RejectedDecisions);
    }

    [Fact]
    public async Task An_exception_in_the_plugin_fails_the_run_cleanly_and_names_the_plugin()
    {
        var dll = await Built.Value.WaitAsync(TimeSpan.FromMinutes(6));
        using var exp = EstimatorExperiment.Create(PolicyYaml(dll, "{ fail_at_epoch: 2 }"), "plugin-fails");
        var experiment = exp.Load();
        var outcome = await new ExperimentRunner(Backends.Create).RunAsync(experiment, null, force: true, CancellationToken.None)
            .WaitAsync(PolicyTestKit.Timeout);
        var result = outcome.Record.Result;
        Assert.Equal(RunStatus.Failed, result.Status);
        Assert.Contains($"policy '{TypeName}' failed in OnEpoch", result.FailureReason);
        Assert.Contains("fail_at_epoch reached (epoch 2)", result.FailureReason);
        Assert.True(System.IO.File.Exists(ResultStore.PathOf(experiment)), "the failed run's record is stored");
    }

    [Fact]
    public async Task A_misspelt_plugin_option_is_a_load_problem_with_a_hint()
    {
        var dll = await Built.Value.WaitAsync(TimeSpan.FromMinutes(6));
        using var exp = EstimatorExperiment.Create(PolicyYaml(dll, "{ treshold: 3 }"), "plugin-typo");
        var loaded = ExperimentLoader.LoadFile(exp.File);
        Assert.False(loaded.Ok);
        Assert.Contains(loaded.Problems, p => p.ToString().Contains("did you mean 'threshold'"));
    }
}
