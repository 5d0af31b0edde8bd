using DeepMem.Core;
using DeepMem.Estimator;
using DeepMem.Experiments;
using DeepMem.Policies;

namespace DeepMem.Tests.Policies;

/// <summary>
/// The <c>python</c> policy: a Python agent (python/deepmem_agents) in its
/// own process under /usr/bin/python3, from an experiment file, on the
/// estimator, with the deadline and error reporting every policy gets.
/// </summary>
public class PythonAgentPolicyTests
{
    private static readonly string Root = RepoLocator.FindRoot(AppContext.BaseDirectory) ?? throw new InvalidOperationException("repo root not found");

    private static Experiment Load(string policyYaml, string? deadline = null)
    {
        var dir = Directory.CreateTempSubdirectory("deepmem-pyagent-").FullName;
        File.WriteAllText(Path.Combine(dir, "agents_under_test.py"), """
            import sys, time
            class Boom:
                def __init__(self, features, **_): pass
                def act(self, obs): raise RuntimeError("the agent's own failure")
            class Sleepy:
                def __init__(self, features, **_): pass
                def act(self, obs): time.sleep(30)
            class Quits:
                def __init__(self, features, **_): sys.exit(3)
            """.Replace("\n            ", "\n"));
        var quickstart = File.ReadAllText(Path.Combine(Root, "configs", "experiments", "quickstart.yaml"));
        var head = quickstart[..quickstart.IndexOf("sweep:", StringComparison.Ordinal)]
            .Replace("../../tests", Path.Combine(Root, "tests"))
            .Replace("../traces", Path.Combine(Root, "configs", "traces"))
            .Replace("results/quickstart", Path.Combine(dir, "results"));
        var yaml = head + policyYaml.Replace("$DIR", dir) + (deadline is null ? "" : $"\n  deadline: {deadline}\n");
        var path = Path.Combine(dir, "exp.yaml");
        File.WriteAllText(path, yaml);
        var loaded = ExperimentLoader.LoadFile(path);
        Assert.True(loaded.Ok, string.Join("\n", loaded.Problems));
        return Assert.Single(loaded.Experiments);
    }

    private static Task<RunResult> Run(Experiment e) =>
        new EstimatorSimulator(e.Estimator).RunAsync(e.Spec, PolicyFactory.Create(e.Policy), null, CancellationToken.None)
            .WaitAsync(TimeSpan.FromSeconds(120));

    [Fact]
    public async Task A_python_agent_from_yaml_places_and_migrates_like_a_built_in()
    {
        var e = Load("policy: { name: python, options: { agent: \"deepmem_agents.agents:HotPromote\", move_pages: 16 } }");
        var result = await Run(e);
        Assert.True(result.Status == RunStatus.Succeeded, result.FailureReason);
        Assert.True(result.MigratedPages > 0);
        var noop = await Run(Load("policy: { name: python, options: { agent: \"deepmem_agents.agents:NoOp\" } }"));
        var firstTouch = await Run(Load("policy: { name: first-touch }"));
        Assert.Equal(firstTouch.Ticks, noop.Ticks);
        Assert.NotEqual(noop.Ticks, result.Ticks);
    }

    [Fact]
    public async Task An_agent_that_raises_fails_the_run_with_its_words_and_where()
    {
        var result = await Run(Load("policy: { name: python, options: { agent: \"agents_under_test:Boom\", python_path: \"$DIR\" } }"));
        Assert.Equal(RunStatus.Failed, result.Status);
        Assert.Contains("the agent failed: RuntimeError: the agent's own failure", result.FailureReason);
        Assert.Contains("epoch 0", result.FailureReason);
    }

    [Fact]
    public async Task An_agent_that_exits_is_named_with_its_exit_code_and_a_slow_one_meets_the_deadline()
    {
        var quits = await Run(Load("policy: { name: python, options: { agent: \"agents_under_test:Quits\", python_path: \"$DIR\" } }"));
        Assert.Equal(RunStatus.Failed, quits.Status);
        Assert.Contains("the agent process ended (exit code 3)", quits.FailureReason);

        var sleepy = await Run(Load("policy:\n  name: python\n  options: { agent: \"agents_under_test:Sleepy\", python_path: \"$DIR\" }", "2s"));
        Assert.Equal(RunStatus.Failed, sleepy.Status);
        Assert.Contains("no answer within 2 s (policy.deadline)", sleepy.FailureReason);
    }

    [Fact]
    public void Validate_names_a_missing_agent()
    {
        var dir = Directory.CreateTempSubdirectory("deepmem-pyagent-").FullName;
        var path = Path.Combine(dir, "exp.yaml");
        File.WriteAllText(path, File.ReadAllText(Path.Combine(Root, "configs", "experiments", "python-agent.yaml"))
            .Replace("agent: \"deepmem_agents.agents:HotPromote\", ", ""));
        var loaded = ExperimentLoader.LoadFile(path);
        Assert.Contains(loaded.Problems, p => p.ToString().Contains("option 'agent' is required"));
    }
}
