using DeepMem.Core;

namespace DeepMem.Tests.Policies;

/// <summary>Options of <see cref="MisbehavingPolicy"/>.</summary>
public sealed class MisbehavingOptions
{
    /// <summary>OnEpoch blocks for <see cref="HangMs"/> at this epoch (-1: never).</summary>
    public long HangAtEpoch { get; set; } = -1;

    /// <summary>Initialize blocks for <see cref="HangMs"/>.</summary>
    public bool HangInInitialize { get; set; }

    /// <summary>How long a hang lasts (long enough to miss any deadline a test sets; bounded so no thread is lost for good).</summary>
    public int HangMs { get; set; } = 20_000;

    /// <summary>OnEpoch throws its own OperationCanceledException at this epoch (-1: never).</summary>
    public long CancelAtEpoch { get; set; } = -1;
}

/// <summary>
/// A policy that hangs or throws its own <see cref="OperationCanceledException"/>
/// when told to; loaded from YAML as a plug-in (this test assembly) so that
/// it goes through the same path as a user's policy.
/// </summary>
public sealed class MisbehavingPolicy(MisbehavingOptions options) : IPlacementPolicy
{
    /// <inheritdoc />
    public void Initialize(Topology topology)
    {
        if (options.HangInInitialize)
        {
            Thread.Sleep(options.HangMs);
        }
    }

    /// <inheritdoc />
    public RegionPlacement PlaceRegion(Region region) => RegionPlacement.Default;

    /// <inheritdoc />
    public IReadOnlyList<PageMigration> OnEpoch(EpochReport report)
    {
        if ((long)report.Epoch == options.HangAtEpoch)
        {
            Thread.Sleep(options.HangMs);
        }

        if ((long)report.Epoch == options.CancelAtEpoch)
        {
            using var own = new CancellationTokenSource();
            own.Cancel();
            own.Token.ThrowIfCancellationRequested();
        }

        return [];
    }
}
