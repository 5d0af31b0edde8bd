using System.ComponentModel.DataAnnotations;
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
    [Range(1, 60_000)]
    public int HangMs { get; set; } = 20_000;

    /// <summary>A file the plug-in reads (it does not): shows that a plug-in's path options are resolved and checked.</summary>
    [PathOption]
    public string Notes { get; set; } = "";

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

/// <summary>Options without a constructor the binder can use.</summary>
public sealed class NoDefaultConstructorOptions(int level)
{
    /// <summary>A level.</summary>
    public int Level { get; set; } = level;
}

/// <summary>A plug-in whose options class has no parameterless constructor.</summary>
public sealed class NoDefaultConstructorPolicy(NoDefaultConstructorOptions options) : IPlacementPolicy
{
    /// <summary>The options.</summary>
    public NoDefaultConstructorOptions Options { get; } = options;

    /// <inheritdoc />
    public void Initialize(Topology topology)
    {
    }

    /// <inheritdoc />
    public RegionPlacement PlaceRegion(Region region) => RegionPlacement.Default;

    /// <inheritdoc />
    public IReadOnlyList<PageMigration> OnEpoch(EpochReport report) => [];
}

/// <summary>Options with a property type the binder cannot read.</summary>
public sealed class OddOptions
{
    /// <summary>Not an option type.</summary>
    public Dictionary<string, int> Extras { get; set; } = [];
}

/// <summary>A plug-in whose options class has a property type the binder cannot read.</summary>
public sealed class OddOptionsPolicy(OddOptions options) : IPlacementPolicy
{
    /// <summary>The options.</summary>
    public OddOptions Options { get; } = options;

    /// <inheritdoc />
    public void Initialize(Topology topology)
    {
    }

    /// <inheritdoc />
    public RegionPlacement PlaceRegion(Region region) => RegionPlacement.Default;

    /// <inheritdoc />
    public IReadOnlyList<PageMigration> OnEpoch(EpochReport report) => [];
}
