using DeepMem.Cli;
using DeepMem.Cli.Commands;
using DeepMem.Core;
using DeepMem.Experiments;
using DeepMem.Experiments.Execution;
using DeepMem.Tests.Policies;

namespace DeepMem.Tests.Execution;

/// <summary>
/// Sweeps on the estimator backend through a real Slurm (one node, sbatch job
/// arrays, squeue/scontrol polling, scancel): each task runs this build's
/// deepmem for its one point.
/// </summary>
[Collection("slurm")]
public class SlurmExecutorTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(3);

    private static readonly string[] SweptPolicies = ["first-touch", "hemem", "tpp"];

    private static string DeepMem => Path.Combine(AppContext.BaseDirectory, "deepmem");

    /// <summary>An experiment with three sweep points on the synthetic traces.</summary>
    private static EstimatorExperiment Sweep(string name)
    {
        var exp = EstimatorExperiment.Create("  name: first-touch", name);
        File.AppendAllText(exp.File, "sweep:\n  policy.name: [first-touch, hemem, tpp]\n");
        return exp;
    }

    /// <summary>A stand-in for deepmem on the node: <paramref name="body"/> runs first, then the real deepmem.</summary>
    private static IReadOnlyList<string> Wrapper(EstimatorExperiment exp, string body)
    {
        var script = Path.Combine(exp.Dir, "node-deepmem.sh");
        File.WriteAllText(script, $"#!/bin/bash\n{body}\nexec {DeepMem} \"$@\"\n");
        return ["bash", script];
    }

    private static SlurmExecutor Slurm(IReadOnlyList<string>? command = null, int retries = 0) => new(new SlurmOptions
    {
        DeepMemCommand = command ?? [DeepMem],
        PollInterval = TimeSpan.FromMilliseconds(300),
        Retries = retries,
    });

    private static async Task<(int Code, string Out, string Err)> Run(EstimatorExperiment exp, IExecutor executor, CancellationToken ct = default)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        // The command gets ct and ends with an exit code; the wait only bounds it, so it does not take ct.
        var code = await RunCommand.ExecuteAsync(new FileInfo(exp.File), null, null, false, executor, null, stdout, stderr, ct)
            .WaitAsync(Timeout, CancellationToken.None);
        return (code, stdout.ToString(), stderr.ToString());
    }

    [SlurmFact]
    public async Task A_sweep_runs_as_a_job_array_stores_each_point_and_a_rerun_reuses_them_without_submitting()
    {
        using var exp = Sweep("slurm-sweep");
        var slurm = Slurm();
        var (code, stdout, stderr) = await Run(exp, slurm);
        Assert.True(code == ExitCodes.Ok, stdout + stderr);
        Assert.Single(slurm.JobIds);
        foreach (var policy in new[] { "first-touch", "hemem", "tpp" })
        {
            Assert.Contains($"slurm-sweep/policy.name={policy}: succeeded", stdout, StringComparison.Ordinal);
            Assert.True(File.Exists(Path.Combine(exp.Results, $"policy.name={policy}", ResultStore.FileName)));
        }

        Assert.Contains("3 done, 0 running, 0 pending, 0 failed", stderr, StringComparison.Ordinal);
        var report = File.ReadAllText(Path.Combine(exp.Results, "report.md"));
        Assert.Equal(3, report.Split('\n').Count(l => l.StartsWith("| policy.name=", StringComparison.Ordinal)));

        // The same numbers as a local run of the same points.
        var local = await RunCommand.ExecuteAsync(new FileInfo(exp.File), null, new DirectoryInfo(Path.Combine(exp.Dir, "local")), false,
            new LocalExecutor(new ExperimentRunner(Backends.Create), 2), null, new StringWriter(), new StringWriter(), CancellationToken.None).WaitAsync(Timeout);
        Assert.Equal(ExitCodes.Ok, local);
        foreach (var policy in new[] { "first-touch", "hemem", "tpp" })
        {
            var a = ResultStore.Read(Path.Combine(exp.Results, $"policy.name={policy}", ResultStore.FileName))!.Result;
            var b = ResultStore.Read(Path.Combine(exp.Dir, "local", $"policy.name={policy}", ResultStore.FileName))!.Result;
            Assert.Equal(b.SimulatedSeconds, a.SimulatedSeconds);
            Assert.Equal(b.MigratedPages, a.MigratedPages);
        }

        var again = Slurm();
        var second = await Run(exp, again);
        Assert.Equal(ExitCodes.Ok, second.Code);
        Assert.Empty(again.JobIds);
        Assert.Equal(3, second.Out.Split('\n').Count(l => l.Contains("(stored result reused)", StringComparison.Ordinal)));
    }

    [SlurmFact]
    public async Task A_failing_task_is_stored_failed_with_its_slurm_state_and_output_and_a_rerun_resubmits_only_it()
    {
        using var exp = Sweep("slurm-fail");
        var failing = Wrapper(exp, "case \"$*\" in *policy.name=hemem*) echo 'node says: boom' >&2; exit 3;; esac");
        var (code, stdout, stderr) = await Run(exp, Slurm(failing));
        Assert.Equal(ExitCodes.Failed, code);
        Assert.Contains("slurm-fail/policy.name=hemem: failed", stdout, StringComparison.Ordinal);
        Assert.Contains("ended FAILED, exit code 3:0", stderr, StringComparison.Ordinal);
        Assert.Contains("node says: boom", stderr, StringComparison.Ordinal);
        var stored = ResultStore.Read(Path.Combine(exp.Results, "policy.name=hemem", ResultStore.FileName))!;
        Assert.Equal(RunStatus.Failed, stored.Result.Status);
        Assert.Contains("FAILED", stored.Result.FailureReason, StringComparison.Ordinal);
        Assert.Contains("boom", stored.Result.OutputTail, StringComparison.Ordinal);
        Assert.Contains("| failed |", File.ReadAllText(Path.Combine(exp.Results, "report.md")), StringComparison.Ordinal);

        var rerun = Slurm();
        var second = await Run(exp, rerun);
        Assert.True(second.Code == ExitCodes.Ok, second.Out + second.Err);
        var job = Assert.Single(rerun.JobIds);
        var tasks = Directory.GetFiles(Path.Combine(exp.Results, "slurm"), "tasks-0.txt", SearchOption.AllDirectories)
            .Select(File.ReadAllLines).Single(lines => lines.Length == 1);
        Assert.Contains("policy.name=hemem", tasks[0], StringComparison.Ordinal);
        Assert.Equal(2, second.Out.Split('\n').Count(l => l.Contains("(stored result reused)", StringComparison.Ordinal)));
        Assert.Contains("policy.name=hemem: succeeded (ran again: the stored result failed)", second.Out, StringComparison.Ordinal);
        Assert.NotEmpty(job);
    }

    [SlurmFact]
    public async Task A_failed_task_is_retried_when_asked()
    {
        using var exp = EstimatorExperiment.Create("  name: first-touch", "slurm-retry");
        var marker = Path.Combine(exp.Dir, "tried");
        var flaky = Wrapper(exp, $"if [ ! -e {marker} ]; then touch {marker}; exit 9; fi");
        var slurm = Slurm(flaky, retries: 1);
        var (code, stdout, stderr) = await Run(exp, slurm);
        Assert.True(code == ExitCodes.Ok, stdout + stderr);
        Assert.Equal(2, slurm.JobIds.Count);
    }

    [SlurmFact]
    public async Task Cancelling_cancels_the_array_keeps_what_finished_and_a_rerun_resumes()
    {
        using var exp = Sweep("slurm-cancel");
        var started = Path.Combine(exp.Dir, "started");
        var slow = Wrapper(exp, $"touch {started}; sleep 120");
        using var cts = new CancellationTokenSource();
        var slurm = Slurm(slow);
        var run = Run(exp, slurm, cts.Token);
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(1);
        while (!File.Exists(started) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(200);
        }

        Assert.True(File.Exists(started), "no task started within a minute");
        await cts.CancelAsync();
        var (code, _, stderr) = await run;
        Assert.Equal(ExitCodes.Cancelled, code);
        Assert.Contains("run the same command again to resume", stderr, StringComparison.Ordinal);

        // scancel took the array off the queue.
        var job = Assert.Single(slurm.JobIds);
        var gone = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        string queue;
        do
        {
            queue = (await CommandLine.RunAsync("squeue", ["-h", "-j", job, "-o", "%T"], TimeSpan.FromSeconds(30), CancellationToken.None)).Stdout.Trim();
            if (queue.Length == 0 || queue.Split('\n').All(s => s is "CANCELLED" or "COMPLETING"))
            {
                break;
            }

            await Task.Delay(300);
        }
        while (DateTime.UtcNow < gone);
        Assert.True(queue.Length == 0 || queue.Split('\n').All(s => s is "CANCELLED" or "COMPLETING"), $"still queued: {queue}");

        var resumed = await Run(exp, Slurm());
        Assert.True(resumed.Code == ExitCodes.Ok, resumed.Out + resumed.Err);
        Assert.Equal(3, resumed.Out.Split('\n').Count(l => l.Contains(": succeeded", StringComparison.Ordinal)));
    }

    [SlurmFact]
    public async Task Compare_runs_each_policy_as_a_task_and_writes_one_table()
    {
        using var exp = EstimatorExperiment.Create("  name: first-touch", "slurm-compare");
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var slurm = Slurm();
        var code = await CompareCommand.ExecuteAsync(new FileInfo(exp.File), ["first-touch,hemem,tpp"], null, null, false, slurm, true, stdout, stderr,
            CancellationToken.None).WaitAsync(Timeout);
        Assert.True(code == ExitCodes.Ok, stdout.ToString() + stderr);
        Assert.Single(slurm.JobIds);
        var table = File.ReadAllText(Path.Combine(exp.Results, "compare-estimator", "compare.md"));
        Assert.Equal(3, table.Split('\n').Count(l => l.StartsWith("| policy.name=", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Points_run_in_parallel_locally_give_the_same_results_as_one_at_a_time()
    {
        using var exp = Sweep("local-parallel");
        async Task<Dictionary<string, double>> RunWith(int jobs, string folder)
        {
            var code = await RunCommand.ExecuteAsync(new FileInfo(exp.File), null, new DirectoryInfo(Path.Combine(exp.Dir, folder)), false,
                new LocalExecutor(new ExperimentRunner(Backends.Create), jobs), null, new StringWriter(), new StringWriter(), CancellationToken.None).WaitAsync(Timeout);
            Assert.Equal(ExitCodes.Ok, code);
            return SweptPolicies.ToDictionary(p => p,
                p => ResultStore.Read(Path.Combine(exp.Dir, folder, $"policy.name={p}", ResultStore.FileName))!.Result.SimulatedSeconds);
        }

        Assert.Equal(await RunWith(1, "one"), await RunWith(3, "three"));
    }

    [Fact]
    public async Task A_missing_sbatch_is_a_clear_error_before_any_work()
    {
        using var exp = Sweep("slurm-missing");
        var path = Environment.GetEnvironmentVariable("PATH");
        try
        {
            Environment.SetEnvironmentVariable("PATH", exp.Dir);
            var (code, _, stderr) = await Run(exp, Slurm());
            Assert.Equal(ExitCodes.Failed, code);
            Assert.Contains("executor 'slurm' unavailable: sbatch not found on PATH", stderr, StringComparison.Ordinal);
            Assert.False(Directory.Exists(exp.Results) && Directory.EnumerateFiles(exp.Results, ResultStore.FileName, SearchOption.AllDirectories).Any());
        }
        finally
        {
            Environment.SetEnvironmentVariable("PATH", path);
        }
    }

    [SlurmFact]
    public async Task A_rejected_submission_is_a_clear_error_before_any_work()
    {
        using var exp = Sweep("slurm-bad-partition");
        var slurm = new SlurmExecutor(new SlurmOptions { DeepMemCommand = [DeepMem], Partition = "no-such-partition" });
        var (code, _, stderr) = await Run(exp, slurm);
        Assert.Equal(ExitCodes.Failed, code);
        Assert.Contains("sbatch refused the job", stderr, StringComparison.Ordinal);
        Assert.Contains("partition", stderr, StringComparison.OrdinalIgnoreCase);
        Assert.Empty(Directory.EnumerateFiles(exp.Results, ResultStore.FileName, SearchOption.AllDirectories));
    }
}
