using System.Diagnostics;
using DeepMem.Cli;
using DeepMem.Cli.Commands;
using DeepMem.Core;
using DeepMem.Experiments;
using DeepMem.Experiments.Execution;

namespace DeepMem.Tests.Execution;

/// <summary>A test that needs both patched gem5 (DEEPMEM_GEM5) and the test cluster (DEEPMEM_SLURM=1).</summary>
public sealed class Gem5SlurmFactAttribute : FactAttribute
{
    public Gem5SlurmFactAttribute()
    {
        var gem5 = Environment.GetEnvironmentVariable("DEEPMEM_GEM5");
        if (string.IsNullOrEmpty(gem5) || !File.Exists(gem5))
        {
            Skip = "DEEPMEM_GEM5 does not name a gem5.opt built with gem5-patches: the gem5 sweep through Slurm is skipped";
        }
        else if (Environment.GetEnvironmentVariable("DEEPMEM_SLURM") != "1")
        {
            Skip = "DEEPMEM_SLURM is not 1: start the test cluster with 'tests/slurm/cluster.sh start' and set DEEPMEM_SLURM=1";
        }
    }
}

/// <summary>gem5 runs as Slurm tasks: a live co-simulation sweep (the controller runs in the task) and a trace.</summary>
[Collection("slurm")]
public class Gem5SlurmTests : IDisposable
{
    private static readonly string Root = RepoLocator.FindRoot(AppContext.BaseDirectory)!;
    private readonly string _dir = Directory.CreateTempSubdirectory("deepmem-gem5-slurm-").FullName;

    public void Dispose()
    {
        Directory.Delete(_dir, recursive: true);
        GC.SuppressFinalize(this);
    }

    private string Experiment()
    {
        var bin = Path.Combine(Root, "tests", "workloads", "bin", "hot_after_cold");
        if (!File.Exists(bin))
        {
            using var make = Process.Start(new ProcessStartInfo("make", ["-C", Path.Combine(Root, "tests", "workloads")]) { RedirectStandardOutput = true })!;
            make.WaitForExit(120_000);
        }

        var file = Path.Combine(_dir, "e.yaml");
        File.WriteAllText(file, $"""
            name: gem5-slurm
            memory:
              nodes:
                - {"{"} name: dram, preset: ddr4, capacity: 4MiB {"}"}
                - {"{"} name: nvm, preset: nvm, capacity: 64MiB {"}"}
            cpu:
              model: timing
            workload:
              binary: {bin}
              args: ["4", "1", "24"]
            policy:
              name: first-touch
            epoch: 200k
            backend: gem5
            output: {Path.Combine(_dir, "results")}
            sweep:
              policy.name: [first-touch, hemem]

            """);
        return file;
    }

    private static SlurmExecutor Slurm() => new(new SlurmOptions
    {
        DeepMemCommand = [Path.Combine(AppContext.BaseDirectory, "deepmem")],
        PollInterval = TimeSpan.FromSeconds(1),
    });

    [Gem5SlurmFact]
    public async Task A_gem5_sweep_with_a_live_policy_runs_through_slurm()
    {
        var file = Experiment();
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var code = await RunCommand.ExecuteAsync(new FileInfo(file), null, null, false, Slurm(), null, stdout, stderr, CancellationToken.None)
            .WaitAsync(TimeSpan.FromMinutes(10));
        Assert.True(code == ExitCodes.Ok, stdout.ToString() + stderr);
        foreach (var policy in new[] { "first-touch", "hemem" })
        {
            var r = ResultStore.Read(Path.Combine(_dir, "results", $"policy.name={policy}", ResultStore.FileName))!.Result;
            Assert.Equal((RunStatus.Succeeded, "gem5"), (r.Status, r.Backend));
            Assert.True(r.SimulatedSeconds > 0);
        }
    }

    [Gem5SlurmFact]
    public async Task A_trace_records_each_node_as_a_slurm_task()
    {
        var file = Experiment();
        var traces = Path.Combine(_dir, "traces");
        var code = await TraceCommand.ExecuteAsync(new FileInfo(file), new DirectoryInfo(traces), null, false, null,
            _ => new ExecutorSpec { Kind = "slurm", Slurm = Slurm().Options }, CancellationToken.None).WaitAsync(TimeSpan.FromMinutes(10));
        Assert.Equal(ExitCodes.Ok, code);
        Assert.True(File.Exists(Path.Combine(traces, "dram.trace.jsonl.gz")));
        Assert.True(File.Exists(Path.Combine(traces, "nvm.trace.jsonl.gz")));
    }
}
