using System.Globalization;
using System.Text;
using System.Text.Json;
using DeepMem.Core;

namespace DeepMem.Experiments.Execution;

/// <summary>
/// Runs each point as a task of a Slurm job array. Every task runs
/// <c>deepmem</c> itself for its one point on the compute node (so a live
/// co-simulation has its controller next to its gem5), and stores the result
/// where a local run would: the results folder must be on a file system the
/// nodes share, as must the repository, the deepmem build and gem5.
/// deepmem waits for the array by asking <c>squeue</c> (and <c>sacct</c>,
/// or <c>scontrol</c> where accounting is off) every
/// <see cref="SlurmOptions.PollInterval"/>. A task that fails, hits its time
/// limit, runs out of memory or is preempted without writing a result is
/// stored as failed with the Slurm state and the tail of its output.
/// Cancelling cancels the array (<c>scancel</c>); a rerun resumes.
/// </summary>
public sealed class SlurmExecutor(SlurmOptions options, TimeProvider? time = null) : IExecutor
{
    private readonly TimeProvider _time = time ?? TimeProvider.System;

    /// <summary>Lines of a task's output kept with a failed point.</summary>
    public const int TailLines = 20;

    /// <summary>Slurm states of a task that has ended.</summary>
    public static readonly IReadOnlySet<string> EndStates = new HashSet<string>(StringComparer.Ordinal)
    {
        "COMPLETED", "FAILED", "TIMEOUT", "OUT_OF_MEMORY", "PREEMPTED", "NODE_FAIL", "CANCELLED", "BOOT_FAIL", "DEADLINE", "SPECIAL_EXIT", "REVOKED",
    };

    /// <inheritdoc/>
    public string Name => "slurm";

    /// <summary>The options.</summary>
    public SlurmOptions Options => options;

    /// <summary>Job ids submitted so far, in order (one per attempt).</summary>
    public List<string> JobIds { get; } = [];

    /// <summary>Checks that sbatch can be called; throws <see cref="ExecutorUnavailableException"/> saying what is missing.</summary>
    public static void CheckAvailable()
    {
        foreach (var tool in new[] { "sbatch", "squeue", "scancel" })
        {
            if (!CommandLine.Exists(tool))
            {
                throw new ExecutorUnavailableException(
                    $"{tool} not found on PATH: the slurm executor needs Slurm's client commands (Debian: slurm-client) on this machine");
            }
        }
    }

    /// <inheritdoc/>
    public async Task<IReadOnlyList<ExperimentRunner.PointOutcome>> RunAsync(IReadOnlyList<PointTask> tasks, bool force,
        Action<ExperimentRunner.PointOutcome> onOutcome, IProgress<ExecutorProgress>? progress, CancellationToken ct)
    {
        CheckAvailable();
        var outcomes = new ExperimentRunner.PointOutcome?[tasks.Count];
        var keys = tasks.Select(t => ResultKey.Of(t.Point)).ToArray();
        var whyRerun = new string?[tasks.Count];
        var todo = new List<int>();
        for (var i = 0; i < tasks.Count; i++)
        {
            var stored = ResultStore.Find(tasks[i].Point, keys[i]);
            if (!force && stored.Reusable is { } done)
            {
                outcomes[i] = new ExperimentRunner.PointOutcome(tasks[i].Point, done, Skipped: true);
                onOutcome(outcomes[i]!);
            }
            else
            {
                whyRerun[i] = force ? null : stored.WhyRerun;
                todo.Add(i);
            }
        }

        if (todo.Count == 0)
        {
            return outcomes.Select(o => o!).ToList();
        }

        var first = tasks[todo[0]].Point;
        try
        {
            await RunArrayAsync(first.Name, Path.Combine(first.ResultsRoot, "slurm"), todo.Select(i => tasks[i].Arguments).ToList(),
                (end, lastTry) =>
                {
                    var i = todo[end.Task];
                    var outcome = Collect(tasks[i].Point, keys[i], end, whyRerun[i]);
                    var ok = outcome.Record.Result.Status == RunStatus.Succeeded;
                    if (ok || lastTry)
                    {
                        outcomes[i] = outcome;
                        onOutcome(outcome);
                    }

                    return ok;
                },
                (running, pending) => progress?.Report(new ExecutorProgress(
                    outcomes.Count(o => o is not null && o.Record.Result.Status == RunStatus.Succeeded), running, pending,
                    outcomes.Count(o => o is not null && o.Record.Result.Status != RunStatus.Succeeded))), ct).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            return outcomes.Select((o, i) => o ?? LocalExecutor.Cancelled(tasks[i].Point)).ToList();
        }

        return outcomes.Select(o => o!).ToList();
    }

    /// <summary>
    /// Runs one deepmem command per entry of <paramref name="arguments"/> as
    /// a job array (its files under <paramref name="folder"/>/&lt;time&gt;),
    /// waits for it, and calls <paramref name="ended"/> once per task as it
    /// ends (with whether this was its last try); a task for which it returns
    /// false is submitted again while <see cref="SlurmOptions.Retries"/>
    /// allows. On cancellation the array is cancelled (<c>scancel</c>) and
    /// <see cref="OperationCanceledException"/> is thrown. A refused
    /// submission throws <see cref="ExecutorUnavailableException"/>.
    /// </summary>
    public async Task RunArrayAsync(string name, string folder, IReadOnlyList<IReadOnlyList<string>> arguments,
        Func<SlurmTaskEnd, bool, bool> ended, Action<int, int>? counts, CancellationToken ct)
    {
        CheckAvailable();
        folder = Path.Combine(folder, _time.GetUtcNow().ToString("yyyyMMdd-HHmmss-fff", CultureInfo.InvariantCulture));
        Directory.CreateDirectory(folder);
        var todo = Enumerable.Range(0, arguments.Count).ToList();
        for (var attempt = 0; todo.Count > 0; attempt++)
        {
            var submitted = _time.GetUtcNow();
            var jobId = await SubmitAsync(name, todo.Select(i => arguments[i]).ToList(), folder, attempt, ct).ConfigureAwait(false);
            JobIds.Add(jobId);
            var retry = new List<int>();
            var lastTry = attempt >= options.Retries;
            try
            {
                await WaitAsync(jobId, todo.Count, (k, state, exitCode) =>
                {
                    var end = new SlurmTaskEnd(todo[k], jobId, k, state, exitCode, Path.Combine(folder, OutputName(attempt, k)), submitted);
                    if (!ended(end, lastTry) && !lastTry)
                    {
                        retry.Add(todo[k]);
                    }
                }, (running, pending) => counts?.Invoke(running, pending + retry.Count), ct).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                await CancelAsync(jobId).ConfigureAwait(false);
                throw;
            }

            todo = retry;
        }
    }

    /// <summary>The job script for <paramref name="count"/> tasks whose command lines are in <paramref name="taskFile"/>.</summary>
    public string JobScript(string name, int count, string taskFile, string outputPattern)
    {
        var inv = CultureInfo.InvariantCulture;
        var sb = new StringBuilder("#!/bin/bash\n");
        void Line(string s) => sb.Append("#SBATCH ").Append(s).Append('\n');
        Line($"--job-name=deepmem-{name}");
        Line(string.Create(inv, $"--array=0-{count - 1}{(options.MaxRunning > 0 ? $"%{options.MaxRunning}" : "")}"));
        Line($"--output={outputPattern}");
        Line(string.Create(inv, $"--cpus-per-task={options.CpusPerTask}"));
        Line("--ntasks=1");
        if (options.Partition is { } p)
        {
            Line($"--partition={p}");
        }

        if (options.Account is { } a)
        {
            Line($"--account={a}");
        }

        if (options.TimeLimit is { } t)
        {
            Line(string.Create(inv, $"--time={(int)t.TotalDays}-{t.Hours:00}:{t.Minutes:00}:{t.Seconds:00}"));
        }

        if (options.MemoryMiB is { } m)
        {
            Line(string.Create(inv, $"--mem={m}M"));
        }

        Line(options.Requeue ? "--requeue" : "--no-requeue");
        foreach (var extra in options.ExtraLines)
        {
            Line(extra);
        }

        sb.Append("# One deepmem command per line of the task file; task N runs line N+1.\n");
        sb.Append(inv, $"line=$(sed -n \"$((SLURM_ARRAY_TASK_ID + 1))p\" {CommandLine.ShellQuote(taskFile)})\n");
        sb.Append("eval \"exec $line\"\n");
        return sb.ToString();
    }

    private static string OutputName(int attempt, int k) => string.Create(CultureInfo.InvariantCulture, $"task-{attempt}-{k}.out");

    private async Task<string> SubmitAsync(string name, List<IReadOnlyList<string>> arguments, string folder, int attempt, CancellationToken ct)
    {
        var command = options.DeepMemCommand.Count > 0 ? options.DeepMemCommand : DefaultDeepMemCommand();
        var taskFile = Path.Combine(folder, string.Create(CultureInfo.InvariantCulture, $"tasks-{attempt}.txt"));
        await File.WriteAllLinesAsync(taskFile,
            arguments.Select(a => string.Join(' ', command.Concat(a).Select(CommandLine.ShellQuote))), ct).ConfigureAwait(false);
        var script = Path.Combine(folder, string.Create(CultureInfo.InvariantCulture, $"job-{attempt}.sh"));
        await File.WriteAllTextAsync(script,
            JobScript(name, arguments.Count, taskFile, Path.Combine(folder, $"task-{attempt}-%a.out")), ct).ConfigureAwait(false);
        var r = await CommandLine.RunAsync("sbatch", ["--parsable", $"--chdir={Directory.GetCurrentDirectory()}", script], options.CommandTimeout, ct)
            .ConfigureAwait(false);
        var id = r.Stdout.Trim().Split(';')[0];
        if (r.ExitCode != 0 || id.Length == 0 || !id.All(char.IsAsciiDigit))
        {
            throw new ExecutorUnavailableException($"sbatch refused the job ({script}): {FirstLines(r.Message)}");
        }

        return id;
    }

    /// <summary>
    /// Polls until every task of <paramref name="jobId"/> has ended, calling
    /// <paramref name="ended"/> once per task with its state and exit code.
    /// </summary>
    private async Task WaitAsync(string jobId, int count, Action<int, string, string> ended, Action<int, int> onCounts, CancellationToken ct)
    {
        var open = new HashSet<int>(Enumerable.Range(0, count));
        while (open.Count > 0)
        {
            var queued = await QueueAsync(jobId, ct).ConfigureAwait(false);
            var gone = open.Where(k => !queued.TryGetValue(k, out var s) || EndStates.Contains(s)).ToList();
            if (gone.Count > 0)
            {
                var final = await FinalStatesAsync(jobId, ct).ConfigureAwait(false);
                foreach (var k in gone)
                {
                    if (final.TryGetValue(k, out var f) && EndStates.Contains(f.State))
                    {
                        ended(k, f.State, f.ExitCode);
                        open.Remove(k);
                    }
                    else if (!queued.ContainsKey(k) && !final.ContainsKey(k))
                    {
                        ended(k, "UNKNOWN", "");
                        open.Remove(k);
                    }
                }
            }

            var running = open.Count(k => queued.TryGetValue(k, out var s) && s is "RUNNING" or "COMPLETING" or "CONFIGURING");
            onCounts(running, open.Count - running);
            if (open.Count > 0)
            {
                await Task.Delay(options.PollInterval, _time, ct).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Array task id → state of the tasks squeue still lists.</summary>
    private async Task<Dictionary<int, string>> QueueAsync(string jobId, CancellationToken ct)
    {
        var r = await CommandLine.RunAsync("squeue", ["-h", "-r", "-j", jobId, "-o", "%K|%T"], options.CommandTimeout, ct).ConfigureAwait(false);
        var states = new Dictionary<int, string>();
        if (r.ExitCode != 0)
        {
            // A job that has left the queue entirely is "invalid" to squeue: nothing queued.
            if (r.Message.Contains("Invalid job id", StringComparison.OrdinalIgnoreCase))
            {
                return states;
            }

            throw new ExecutorUnavailableException($"squeue failed while waiting for job {jobId}: {FirstLines(r.Message)}");
        }

        foreach (var line in r.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var parts = line.Split('|');
            if (parts.Length == 2 && int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var k))
            {
                states[k] = parts[1];
            }
        }

        return states;
    }

    /// <summary>Array task id → (state, exit code) of ended tasks: sacct, else scontrol where accounting is off.</summary>
    private async Task<Dictionary<int, (string State, string ExitCode)>> FinalStatesAsync(string jobId, CancellationToken ct)
    {
        var result = new Dictionary<int, (string, string)>();
        if (CommandLine.Exists("sacct"))
        {
            var r = await CommandLine.RunAsync("sacct", ["-n", "-P", "-X", "-j", jobId, "-o", "JobID,State,ExitCode"], options.CommandTimeout, ct)
                .ConfigureAwait(false);
            if (r.ExitCode == 0)
            {
                foreach (var line in r.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                {
                    var p = line.Split('|');
                    var id = p[0].Split('_');
                    if (p.Length >= 3 && id.Length == 2 && int.TryParse(id[1], NumberStyles.None, CultureInfo.InvariantCulture, out var k))
                    {
                        result[k] = (p[1].Split(' ')[0], p[2]);
                    }
                }
            }
        }

        var s = await CommandLine.RunAsync("scontrol", ["-o", "show", "job", jobId], options.CommandTimeout, ct).ConfigureAwait(false);
        if (s.ExitCode == 0)
        {
            foreach (var line in s.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries))
            {
                var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries)
                    .Select(f => f.Split('=', 2)).Where(f => f.Length == 2)
                    .GroupBy(f => f[0]).ToDictionary(g => g.Key, g => g.First()[1]);
                if (fields.TryGetValue("ArrayTaskId", out var t) && int.TryParse(t, NumberStyles.None, CultureInfo.InvariantCulture, out var k)
                    && fields.TryGetValue("JobState", out var state) && !result.ContainsKey(k))
                {
                    result[k] = (state, fields.GetValueOrDefault("ExitCode", ""));
                }
            }
        }

        return result;
    }

    private async Task CancelAsync(string jobId)
    {
        // The user's token is cancelled already: scancel gets its own deadline.
        await CommandLine.RunAsync("scancel", [jobId], options.CommandTimeout, CancellationToken.None).ConfigureAwait(false);
    }

    /// <summary>
    /// The outcome of a task that ended: the result it stored, when it stored
    /// one for this key after it was submitted; else a failed record with the
    /// Slurm state and the tail of its output, stored in its place.
    /// </summary>
    private static ExperimentRunner.PointOutcome Collect(Experiment point, ResultKey key, SlurmTaskEnd end, string? whyRerun)
    {
        var (state, exitCode, submitted) = (end.State, end.ExitCode, end.Submitted);
        var path = ResultStore.PathOf(point);
        ResultRecord? record = null;
        try
        {
            if (File.Exists(path) && new FileInfo(path).LastWriteTimeUtc >= submitted.UtcDateTime.AddSeconds(-2))
            {
                record = JsonSerializer.Deserialize<ResultRecord>(File.ReadAllText(path), ResultStore.Json);
            }
        }
        catch (Exception e) when (e is JsonException or IOException or UnauthorizedAccessException)
        {
            record = null;
        }

        var task = end.Name;
        if (record is not null && record.ConfigHash == key.Value && (state == "COMPLETED" || record.Result.Status != RunStatus.Succeeded))
        {
            if (state != "COMPLETED" && record.Result.FailureReason is { } why && !why.Contains(task, StringComparison.Ordinal))
            {
                record = record with { Result = record.Result with { FailureReason = $"{why} ({task}: {state})" } };
            }

            return new ExperimentRunner.PointOutcome(point, record, Skipped: false, whyRerun);
        }

        var reason = state == "COMPLETED" ? $"{task} completed without storing a result" : end.Describe();
        var failed = ResultRecord.Of(point, new RunResult
        {
            Backend = point.Backend,
            Status = RunStatus.Failed,
            FailureReason = reason,
            ExitCode = 1,
            OutputTail = end.Tail(TailLines),
        }, key);
        ResultStore.Save(point, failed);
        return new ExperimentRunner.PointOutcome(point, failed, Skipped: false, whyRerun);
    }

    private static string FirstLines(string text) => string.Join(" ", text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Take(3));

    /// <summary>The running deepmem: its apphost, or <c>dotnet deepmem.dll</c>.</summary>
    public static IReadOnlyList<string> DefaultDeepMemCommand()
    {
        var process = Environment.ProcessPath;
        if (process is not null && Path.GetFileNameWithoutExtension(process) == "deepmem")
        {
            return [process];
        }

        var dll = Path.Combine(AppContext.BaseDirectory, "deepmem.dll");
        if (File.Exists(dll))
        {
            return [process is not null && Path.GetFileNameWithoutExtension(process) == "dotnet" ? process : "dotnet", dll];
        }

        throw new ExecutorUnavailableException("cannot tell how to start deepmem on a node; set executor.command");
    }
}
