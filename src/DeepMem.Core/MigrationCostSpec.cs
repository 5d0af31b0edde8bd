namespace DeepMem.Core;

/// <summary>
/// Cost of migrating one page, in simulated time: a fixed per-page cost
/// (fault, TLB shootdown, bookkeeping) plus the page's bytes over the slower
/// of the two nodes' bandwidths. gem5 and the estimator charge the same.
/// </summary>
/// <param name="PerPageNs">Fixed cost per page in nanoseconds.</param>
public sealed record MigrationCostSpec(double PerPageNs)
{
    /// <summary>Cost in seconds of moving one page of <paramref name="pageSize"/> bytes between two nodes.</summary>
    public double PageSeconds(ulong pageSize, NodeInfo from, NodeInfo to)
    {
        var bandwidth = Math.Min(from.BandwidthGBps, to.BandwidthGBps) * 1e9;
        var copy = bandwidth > 0 ? pageSize / bandwidth : 0;
        return PerPageNs * 1e-9 + copy;
    }
}
