using DeepMem.Cli;
using DeepMem.Experiments;
using DeepMem.Experiments.Execution;

namespace DeepMem.Tests.Execution;

public class ExecutorSpecTests
{
    private const string Base = """
        name: demo
        memory:
          nodes:
            - { name: dram, preset: ddr4, capacity: 64MiB }
            - { name: nvm, preset: nvm, capacity: 256MiB }
        workload:
          binary: bin/stream
        backend: estimator

        """;

    private static LoadResult Load(string yaml) => ExperimentLoader.LoadText(Base + yaml, "/tmp/exp/test.yaml");

    [Fact]
    public void The_executor_section_sets_slurm_and_local_settings_and_leaves_the_result_key_alone()
    {
        var r = Load("""
            executor:
              kind: slurm
              jobs: 3
              partition: short
              account: proj42
              time: 90min
              memory: 4GiB
              cpus_per_task: 2
              retries: 1
              requeue: true
              poll: 2s
              sbatch: ["--qos=low"]
            """);
        var e = Assert.Single(r.Experiments);
        var s = e.Executor;
        Assert.Equal(("slurm", 3), (s.Kind, s.Jobs));
        Assert.Equal(("short", "proj42", TimeSpan.FromMinutes(90), 4096UL, 2, 1, true, TimeSpan.FromSeconds(2)),
            (s.Slurm.Partition, s.Slurm.Account, s.Slurm.TimeLimit, s.Slurm.MemoryMiB, s.Slurm.CpusPerTask, s.Slurm.Retries, s.Slurm.Requeue, s.Slurm.PollInterval));
        Assert.Equal(["--qos=low"], s.Slurm.ExtraLines);
        Assert.Equal(ResultKey.Of(Assert.Single(Load("").Experiments)).Value, ResultKey.Of(e).Value);

        var script = new SlurmExecutor(s.Slurm).JobScript("demo", 12, "/shared/tasks.txt", "/shared/task-%a.out");
        foreach (var line in new[] { "--array=0-11", "--partition=short", "--account=proj42", "--time=0-01:30:00", "--mem=4096M", "--cpus-per-task=2", "--requeue", "--qos=low" })
        {
            Assert.Contains("#SBATCH " + line + "\n", script, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void A_bad_executor_setting_is_reported_at_its_line_with_the_allowed_values()
    {
        var kind = Assert.Single(Load("executor:\n  kind: pbs\n").Problems, p => p.Severity == Severity.Error);
        Assert.Contains("allowed: local, slurm", kind.ToString(), StringComparison.Ordinal);
        Assert.Equal(10, kind.Line);
        var jobs = Assert.Single(Load("executor:\n  jobs: 0\n").Problems, p => p.Severity == Severity.Error);
        Assert.Contains("at least 1", jobs.ToString(), StringComparison.Ordinal);
        var unknown = Assert.Single(Load("executor:\n  partiton: short\n").Problems, p => p.Severity == Severity.Error);
        Assert.Contains("partition", unknown.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Command_line_flags_override_the_file_and_bad_ones_are_bad_input()
    {
        var flags = new ExecutorFlags();
        var command = new System.CommandLine.Command("x");
        flags.AddTo(command);
        var file = new ExecutorSpec { Kind = "slurm", Slurm = new SlurmOptions { Partition = "long", Retries = 2 } };
        var spec = flags.Apply(command.Parse(["--executor", "local", "-j", "4", "--partition", "short", "--time", "2h"]), file, TextWriter.Null)!;
        Assert.Equal(("local", 4, "short", 2, TimeSpan.FromHours(2)), (spec.Kind, spec.Jobs, spec.Slurm.Partition, spec.Slurm.Retries, spec.Slurm.TimeLimit));

        var err = new StringWriter();
        Assert.Null(flags.Apply(command.Parse(["-j", "0", "--time", "soon"]), file, err));
        Assert.Contains("--jobs must be at least 1", err.ToString(), StringComparison.Ordinal);
        Assert.Contains("--time: expected a duration", err.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void A_verbs_own_default_jobs_yields_to_the_file_and_to_the_flag()
    {
        var flags = new ExecutorFlags(defaultJobs: 6);
        var command = new System.CommandLine.Command("trace");
        flags.AddTo(command);
        var silent = Load("").Experiments[0].Executor;
        var saysOne = Load("executor: { jobs: 1 }\n").Experiments[0].Executor;
        Assert.Equal((false, true), (silent.JobsFromFile, saysOne.JobsFromFile));

        Assert.Equal(6, flags.Apply(command.Parse([]), silent, TextWriter.Null)!.Jobs);
        Assert.Equal(1, flags.Apply(command.Parse([]), saysOne, TextWriter.Null)!.Jobs);
        Assert.Equal(3, flags.Apply(command.Parse(["-j", "3"]), saysOne, TextWriter.Null)!.Jobs);

        var plain = new ExecutorFlags();
        var run = new System.CommandLine.Command("run");
        plain.AddTo(run);
        Assert.Equal(1, plain.Apply(run.Parse([]), silent, TextWriter.Null)!.Jobs);
    }
}

public class SingleRunSelectionTests
{
    [Fact]
    public async Task Trace_only_and_crosscheck_case_name_the_runs_there_are_when_given_one_that_is_not()
    {
        using var exp = DeepMem.Tests.Policies.EstimatorExperiment.Create("  name: first-touch", "select");
        var stderr = new StringWriter();
        var saved = Console.Error;
        Console.SetError(stderr);
        try
        {
            var trace = await DeepMem.Cli.Commands.TraceCommand.ExecuteAsync(new FileInfo(exp.File), null, null, false,
                ["nvm"], s => s, CancellationToken.None);
            Assert.Equal(ExitCodes.BadInput, trace);
            Assert.Contains("--only: no run 'nvm'; runs: fast, slow1", stderr.ToString(), StringComparison.Ordinal);

            // A calibration mix is a run of its own, named by its reduced mix.
            var mixed = await DeepMem.Cli.Commands.TraceCommand.ExecuteAsync(new FileInfo(exp.File), null, null, true,
                ["calibration-2-1"], s => s, CancellationToken.None, ["6:2"]);
            Assert.Equal(ExitCodes.BadInput, mixed);
            Assert.Contains("--only: no run 'calibration-2-1'; runs: fast, slow1, calibration, calibration-3-1", stderr.ToString(), StringComparison.Ordinal);
            var bad = await DeepMem.Cli.Commands.TraceCommand.ExecuteAsync(new FileInfo(exp.File), null, null, false, null, s => s,
                CancellationToken.None, ["3-1"]);
            Assert.Equal(ExitCodes.BadInput, bad);
            Assert.Contains("--calibrate-mix '3-1' is not a mix a:b of whole numbers from 1 to 64, e.g. 3:1", stderr.ToString(), StringComparison.Ordinal);

            var cross = await DeepMem.Cli.Commands.CrossCheckCommand.ExecuteAsync([new FileInfo(exp.File)], 2, null, ["no-such-case"], s => s,
                CancellationToken.None);
            Assert.Equal(ExitCodes.BadInput, cross);
            Assert.Contains("--case: ", stderr.ToString(), StringComparison.Ordinal);
            Assert.Contains("has no case 'no-such-case'; cases: all-fast, all-slow1", stderr.ToString(), StringComparison.Ordinal);
        }
        finally
        {
            Console.SetError(saved);
        }
    }
}
