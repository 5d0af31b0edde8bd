using System.CommandLine;
using System.Globalization;
using DeepMem.Core;
using DeepMem.Experiments;
using DeepMem.Experiments.Execution;

namespace DeepMem.Cli;

/// <summary>
/// The flags that choose where points run (<c>--executor local|slurm</c>,
/// <c>-j N</c>, and the sbatch settings), shared by the verbs that run points.
/// </summary>
public sealed class ExecutorFlags
{
    private readonly Option<string?> _executor = new("--executor")
    {
        Description = "where points run: local (this machine, -j at a time) or slurm (one task of a job array per point); overrides the file's executor.kind",
    };

    private readonly Option<int?> _jobs;
    private readonly Option<string?> _partition = new("--partition") { Description = "slurm: partition (default: the cluster's default)" };
    private readonly Option<string?> _account = new("--account") { Description = "slurm: account" };
    private readonly Option<string?> _time = new("--time") { Description = "slurm: time limit per task, e.g. 30min, 2h (default: the partition's)" };
    private readonly Option<string?> _mem = new("--mem") { Description = "slurm: memory per task, e.g. 4GiB (default: the partition's)" };
    private readonly Option<int?> _cpus = new("--cpus-per-task") { Description = "slurm: CPUs per task (default 1)" };
    private readonly Option<int?> _retries = new("--retries") { Description = "slurm: times a failed task is submitted again (default 0)" };
    private readonly Option<bool> _requeue = new("--requeue") { Description = "slurm: let Slurm requeue tasks on node failure or preemption" };
    private readonly Option<string[]> _sbatch = new("--sbatch") { Description = "slurm: an extra sbatch option, verbatim (repeatable), e.g. --sbatch=--qos=short" };
    private readonly Option<string?> _poll = new("--poll") { Description = "slurm: how often the queue is asked (default 10s)" };

    /// <summary>
    /// The flags of a verb whose local executor runs <paramref name="defaultJobs"/>
    /// at once when neither -j nor the file's <c>executor.jobs</c> says (null: 1,
    /// the file's default).
    /// </summary>
    public ExecutorFlags(int? defaultJobs = null)
    {
        DefaultJobs = defaultJobs;
        var said = defaultJobs is { } n ? $"the file's executor.jobs, else {n}, this machine's cores" : "the file's executor.jobs, else 1";
        _jobs = new Option<int?>("--jobs", "-j", "--parallel") { Description = $"runs at once on this machine (local executor; default: {said})" };
    }

    /// <summary>Runs at once when neither -j nor the file says (null: the file's default, 1).</summary>
    public int? DefaultJobs { get; }

    /// <summary>Adds the flags to <paramref name="command"/>.</summary>
    public void AddTo(Command command)
    {
        _executor.AcceptOnlyFromAmong(ExecutorSpec.Kinds);
        foreach (var o in new Option[] { _executor, _jobs, _partition, _account, _time, _mem, _cpus, _retries, _requeue, _sbatch, _poll })
        {
            command.Options.Add(o);
        }
    }

    /// <summary>
    /// The file's executor with the flags given on the command line laid
    /// over it, or null with the problems written to <paramref name="stderr"/>
    /// (exit code 2).
    /// </summary>
    public ExecutorSpec? Apply(ParseResult parse, ExecutorSpec fromFile, TextWriter stderr)
    {
        var problems = new List<string>();
        var spec = fromFile with { Kind = parse.GetValue(_executor) ?? fromFile.Kind };
        if (DefaultJobs is { } fallback && !fromFile.JobsFromFile)
        {
            spec = spec with { Jobs = fallback };
        }

        var slurm = spec.Slurm;
        if (parse.GetValue(_jobs) is { } jobs)
        {
            spec = jobs >= 1 ? spec with { Jobs = jobs } : Problem(spec, $"--jobs must be at least 1 (was {jobs})");
        }

        slurm = slurm with
        {
            Partition = parse.GetValue(_partition) ?? slurm.Partition,
            Account = parse.GetValue(_account) ?? slurm.Account,
            Requeue = parse.GetValue(_requeue) || slurm.Requeue,
            ExtraLines = [.. slurm.ExtraLines, .. parse.GetValue(_sbatch) ?? []],
        };
        if (parse.GetValue(_cpus) is { } cpus)
        {
            slurm = cpus >= 1 ? slurm with { CpusPerTask = cpus } : Problem(slurm, $"--cpus-per-task must be at least 1 (was {cpus})");
        }

        if (parse.GetValue(_retries) is { } retries)
        {
            slurm = retries >= 0 ? slurm with { Retries = retries } : Problem(slurm, $"--retries must not be negative (was {retries})");
        }

        if (parse.GetValue(_time) is { } t)
        {
            slurm = Units.TryParseDurationNs(t, out var ns) && ns >= 1e9
                ? slurm with { TimeLimit = TimeSpan.FromSeconds(Math.Ceiling(ns / 1e9)) }
                : Problem(slurm, $"--time: expected a duration of at least 1s such as 30min or 2h (was '{t}')");
        }

        if (parse.GetValue(_poll) is { } p)
        {
            slurm = Units.TryParseDurationNs(p, out var ns) && ns >= 1e8
                ? slurm with { PollInterval = TimeSpan.FromMilliseconds(ns / 1e6) }
                : Problem(slurm, $"--poll: expected a duration of at least 100ms such as 10s (was '{p}')");
        }

        if (parse.GetValue(_mem) is { } m)
        {
            slurm = Units.TryParseSize(m, out var bytes) && bytes >= 1 << 20
                ? slurm with { MemoryMiB = bytes >> 20 }
                : Problem(slurm, $"--mem: expected a size of at least 1MiB such as 4GiB (was '{m}')");
        }

        if (slurm.DeepMemCommand.Count == 0 && Environment.GetEnvironmentVariable("DEEPMEM_COMMAND") is { Length: > 0 } command)
        {
            slurm = slurm with { DeepMemCommand = command.Split(' ', StringSplitOptions.RemoveEmptyEntries) };
        }

        foreach (var problem in problems)
        {
            stderr.WriteLine("error: " + problem);
        }

        return problems.Count == 0 ? spec with { Slurm = slurm } : null;

        T Problem<T>(T value, string message)
        {
            problems.Add(message);
            return value;
        }
    }

    /// <summary>
    /// The arguments that make a task on a node run its one point locally, as
    /// this run would: the verb, the file, what selects the point, and the
    /// overrides given here.
    /// </summary>
    public static List<string> TaskArguments(string verb, FileInfo file, IEnumerable<string> select, string? backend, DirectoryInfo? output, bool force)
    {
        var args = new List<string> { verb, file.FullName };
        args.AddRange(select);
        args.AddRange(["--executor", "local"]);
        if (backend is not null)
        {
            args.AddRange(["--backend", backend]);
        }

        if (output is not null)
        {
            args.AddRange(["--output", output.FullName]);
        }

        if (force)
        {
            args.Add("--force");
        }

        return args;
    }

    /// <summary>"3 done, ..." lines at most every few seconds and on change.</summary>
    public static IProgress<ExecutorProgress> Printer(TextWriter stderr)
    {
        string? last = null;
        return new SynchronousProgress<ExecutorProgress>(p =>
        {
            var text = p.ToString();
            if (text != last)
            {
                last = text;
                stderr.WriteLine(string.Create(CultureInfo.InvariantCulture, $"[{DateTime.Now:HH:mm:ss}] {text}"));
            }
        });
    }

    private sealed class SynchronousProgress<T>(Action<T> report) : IProgress<T>
    {
        public void Report(T value) => report(value);
    }
}
