namespace DeepMem.Experiments.Execution;

/// <summary>Where a batch of points stands.</summary>
/// <param name="Done">Finished (succeeded, or reused).</param>
/// <param name="Running">Running now.</param>
/// <param name="Pending">Waiting to start (queued on the cluster).</param>
/// <param name="Failed">Finished without success.</param>
public sealed record ExecutorProgress(int Done, int Running, int Pending, int Failed)
{
    /// <summary>"3 done, 2 running, 7 pending, 0 failed".</summary>
    public override string ToString() => $"{Done} done, {Running} running, {Pending} pending, {Failed} failed";
}
