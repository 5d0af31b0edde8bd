using DeepMem.Core;
using DeepMem.Policies;

namespace DeepMem.Experiments;

/// <summary>
/// Runs experiment points on their backend, skipping points whose result is
/// already stored with the same config hash, and saving each result as soon
/// as it exists (failed runs too, so nothing finished is lost).
/// </summary>
/// <param name="backends">Creates a simulator for an experiment; throws <see cref="BackendUnavailableException"/> when it cannot.</param>
/// <param name="warn">Told about a stored result that cannot be read (it is run again).</param>
public sealed class ExperimentRunner(Func<Experiment, IMemorySimulator> backends, Action<string>? warn = null)
{
    /// <summary>Outcome of one point.</summary>
    /// <param name="Experiment">The point.</param>
    /// <param name="Record">Its record.</param>
    /// <param name="Skipped">True when an earlier result was reused.</param>
    /// <param name="WhyRerun">Why a stored result of the point was not reused; null when there was none.</param>
    public sealed record PointOutcome(Experiment Experiment, ResultRecord Record, bool Skipped, string? WhyRerun = null);

    /// <summary>Runs one point (or reuses its stored result unless <paramref name="force"/>).</summary>
    public async Task<PointOutcome> RunAsync(Experiment experiment, IProgress<RunProgress>? progress, bool force, CancellationToken ct)
    {
        var key = ResultKey.Of(experiment);
        var stored = ResultStore.Find(experiment, key, warn);
        if (!force && stored.Reusable is { } done)
        {
            return new PointOutcome(experiment, done, Skipped: true);
        }

        var simulator = backends(experiment);
        var policy = PolicyFactory.Create(experiment.Policy);
        using var policyResources = policy as IDisposable; // e.g. a Python agent's process
        RunResult result;
        try
        {
            result = await simulator.RunAsync(experiment.Spec, policy, progress, ct).ConfigureAwait(false);
        }
        catch (PolicyFailedException e)
        {
            result = new RunResult { Backend = simulator.Name, Status = RunStatus.Failed, FailureReason = e.Message, ExitCode = 1 };
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            result = new RunResult { Backend = simulator.Name, Status = RunStatus.Cancelled, FailureReason = "cancelled by the user", ExitCode = 130 };
        }

        var record = ResultRecord.Of(experiment, result, key);
        ResultStore.Save(experiment, record);
        return new PointOutcome(experiment, record, Skipped: false, force ? null : stored.WhyRerun);
    }
}
