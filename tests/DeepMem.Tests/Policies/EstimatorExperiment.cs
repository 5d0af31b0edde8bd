using DeepMem.Estimator;
using DeepMem.Experiments;

namespace DeepMem.Tests.Policies;

/// <summary>
/// A temporary folder with synthetic window traces (<see cref="PolicyTestKit.Synthetic"/>)
/// and an experiment file that runs them on the estimator backend.
/// </summary>
internal sealed class EstimatorExperiment : IDisposable
{
    private EstimatorExperiment(string dir) => Dir = dir;

    public string Dir { get; }

    public string File => Path.Combine(Dir, "experiment.yaml");

    public string Results => Path.Combine(Dir, "results");

    /// <summary>
    /// Writes traces and an experiment whose policy section is <paramref name="policyYaml"/> (indented under 'policy:'),
    /// followed by <paramref name="extraYaml"/> (top-level keys, e.g. a sweep).
    /// </summary>
    public static EstimatorExperiment Create(string policyYaml = "  name: first-touch", string name = "policy-test", string extraYaml = "")
    {
        var dir = Directory.CreateTempSubdirectory("deepmem-exp-").FullName;
        var traces = Path.Combine(dir, "traces");
        Directory.CreateDirectory(traces);
        foreach (var trace in PolicyTestKit.Synthetic().Traces)
        {
            TraceWriter.WriteFile(Path.Combine(traces, trace.Header.Nodes[trace.Header.BoundNode!.Value].Name + ".trace.jsonl.gz"), trace);
        }

        var e = new EstimatorExperiment(dir);
        System.IO.File.WriteAllText(e.File, $"""
            name: {name}
            memory:
              nodes:
                - {"{"} name: fast, preset: ddr4, capacity: 3MiB {"}"}
                - {"{"} name: slow1, preset: nvm, capacity: 64MiB {"}"}
            cpu:
              model: o3
            workload:
              binary: /bin/synthetic
            policy:
            {policyYaml}
            epoch: 500k
            backend: estimator
            output: {Path.Combine(dir, "results")}
            estimator:
              traces: traces
            {extraYaml}

            """);
        return e;
    }

    /// <summary>Loads the experiment file; fails the test on any error.</summary>
    public Experiment Load()
    {
        var loaded = ExperimentLoader.LoadFile(File);
        Assert.True(loaded.Ok, string.Join("\n", loaded.Problems));
        return Assert.Single(loaded.Experiments);
    }

    public void Dispose() => Directory.Delete(Dir, recursive: true);
}
