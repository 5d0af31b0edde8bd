using DeepMem.Bridge;
using DeepMem.Experiments.Execution;

namespace DeepMem.Experiments.Tracing;

/// <summary>One recorded (or failed) run of <see cref="TraceRecording"/>.</summary>
/// <param name="Run">A node's name, or <see cref="TraceRecording.CalibrationRun"/>.</param>
/// <param name="Path">Its trace file (exists when ok).</param>
/// <param name="Ok">True when the trace was written.</param>
/// <param name="Message">A one-line summary, or the failure's cause.</param>
public sealed record TraceRun(string Run, string Path, bool Ok, string Message);

/// <summary>
/// <c>trace</c>: the single-device window traces the estimator reads, recorded
/// in gem5, one run per node with every page bound to it (and optionally the
/// two-node calibration run), here or as a Slurm array.
/// </summary>
public static class TraceRecording
{
    /// <summary>Name of the calibration run.</summary>
    public const string CalibrationRun = TraceRecorder.CalibrationRun;

    /// <summary>The runs of <paramref name="experiment"/>: each node's, then the calibration runs asked for (1:1 when <paramref name="calibrate"/>, and the mixes a:b of <paramref name="mixes"/>, see <see cref="CheckMixes"/>).</summary>
    public static IReadOnlyList<string> Runs(Experiment experiment, bool calibrate, IReadOnlyList<string>? mixes = null) =>
        TraceRecorder.Runs(experiment.Spec, calibrate, Mixes(mixes)).Select(r => r.Run).ToList();

    /// <summary>The first of <paramref name="mixes"/> that is not a calibration mix a:b, as an error line; null when all are.</summary>
    public static string? CheckMixes(IReadOnlyList<string>? mixes) =>
        (mixes ?? []).Where(m => !CalibrationMix.TryParse(m, out _))
            .Select(m => $"--calibrate-mix '{m}' is not a mix a:b of whole numbers from 1 to {CalibrationMix.MaxWeight}, e.g. 3:1").FirstOrDefault();

    private static List<CalibrationMix> Mixes(IReadOnlyList<string>? mixes) =>
        (mixes ?? []).Select(m => CalibrationMix.TryParse(m, out var mix) ? mix : throw new ArgumentException(CheckMixes([m]))).ToList();

    /// <summary>The trace folder: <paramref name="output"/>, else the experiment's estimator.traces, else &lt;output&gt;/traces.</summary>
    public static string Folder(Experiment experiment, string? output) =>
        output ?? experiment.Estimator.TraceDir ?? System.IO.Path.Combine(experiment.ResultsRoot, "traces");

    /// <summary>
    /// Records <paramref name="runs"/> of <paramref name="experiment"/> (from
    /// <paramref name="file"/>) into <paramref name="dir"/>, windows of
    /// <paramref name="window"/> instructions, where <paramref name="executor"/> says;
    /// <paramref name="slurmTaskArguments"/> gives a cluster task's deepmem
    /// arguments for one run. Ends short with <see cref="ExperimentFailureException"/>.
    /// </summary>
    public static async Task<IReadOnlyList<TraceRun>> RecordAsync(Experiment experiment, string file, string dir, ulong window, bool calibrate,
        IReadOnlyList<string> runs, ExecutorSpec executor, Func<string, IReadOnlyList<string>> slurmTaskArguments,
        IProgress<ExecutorProgress>? slurmProgress, Action<string> log, CancellationToken ct, IReadOnlyList<string>? mixes = null)
    {
        try
        {
            if (executor.Kind != "slurm" && Gem5Backend.BinaryProblem(experiment.Gem5) is { } problem)
            {
                throw new InvalidOperationException(problem);
            }

            // The recordings are runs of the gem5 backend like any other, each
            // under a fixed placement that asks for its window trace.
            var simulator = Backends.Get(Gem5Backend.BackendName).Create(experiment, log);
            var recorder = new TraceRecorder(simulator) { RelativeRoot = RepoLocator.FindRoot(System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(file))) };
            return executor.Kind == "slurm"
                ? await OnSlurmAsync(new SlurmExecutor(executor.Slurm), experiment, dir, runs, slurmTaskArguments, slurmProgress, ct).ConfigureAwait(false)
                : (await recorder.RecordAsync(experiment.Spec, dir, window, executor.Jobs, ct, calibrate, runs.ToList(), Mixes(mixes)).ConfigureAwait(false))
                    .Select(t => new TraceRun(t.Node, t.TracePath, t.Ok, t.Message)).ToList();
        }
        catch (Exception ex) when (ex is InvalidOperationException or ExecutorUnavailableException)
        {
            throw new ExperimentFailureException(FailureKind.Failed, "error: " + ex.Message);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            throw new ExperimentFailureException(FailureKind.Cancelled, $"cancelled: finished traces are kept in {dir}; run the same command again to record them anew");
        }
    }

    /// <summary>One Slurm task per run, each recording its run into the same folder.</summary>
    private static async Task<IReadOnlyList<TraceRun>> OnSlurmAsync(SlurmExecutor slurm, Experiment e, string dir, IReadOnlyList<string> runs,
        Func<string, IReadOnlyList<string>> taskArguments, IProgress<ExecutorProgress>? progress, CancellationToken ct)
    {
        var results = new TraceRun?[runs.Count];
        var args = runs.Select(taskArguments).ToList();
        await slurm.RunArrayAsync($"trace-{e.Name}", System.IO.Path.Combine(e.ResultsRoot, "slurm"), args, (end, lastTry) =>
        {
            var run = runs[end.Task];
            // A node's trace and a calibration run's are both <run>.trace.jsonl.gz.
            var trace = System.IO.Path.Combine(dir, TraceRecorder.TraceFileName(run));
            var ok = end.State == "COMPLETED" && File.Exists(trace) && File.GetLastWriteTimeUtc(trace) >= end.Submitted.UtcDateTime.AddSeconds(-2);
            if (ok || lastTry)
            {
                results[end.Task] = new TraceRun(run, trace, ok,
                    ok ? $"{run}: trace written ({end.Name})" : $"{run}: {end.Describe()}\n{end.Tail(SlurmExecutor.TailLines)}");
            }

            return ok;
        }, (running, pending) => progress?.Report(new ExecutorProgress(results.Count(r => r?.Ok == true), running, pending, results.Count(r => r?.Ok == false))),
            ct).ConfigureAwait(false);
        return results.Select(r => r!).ToList();
    }
}
