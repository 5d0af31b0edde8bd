using DeepMem.Core;

namespace DeepMem.Policies;

/// <summary>
/// Wraps a policy so that it carries its display name and its exceptions
/// (an <see cref="OperationCanceledException"/> of its own included: a
/// policy is never given the user's token) reach the host as a
/// <see cref="PolicyFailedException"/> naming the policy and the call,
/// instead of crashing it or passing for a cancelled run. Deadlines are the
/// backends' job (<see cref="PolicyCallGuard"/>), which use the name.
/// </summary>
/// <param name="name">The policy's display name.</param>
/// <param name="inner">The policy.</param>
public sealed class GuardedPolicy(string name, IPlacementPolicy inner) : IPlacementPolicy, INamedPolicy, IDisposable
{
    /// <summary>Disposes the wrapped policy when it holds resources (e.g. an agent process).</summary>
    public void Dispose() => (Inner as IDisposable)?.Dispose();

    /// <summary>The policy's display name.</summary>
    public string Name { get; } = name;

    /// <summary>The wrapped policy.</summary>
    public IPlacementPolicy Inner { get; } = inner;

    /// <inheritdoc />
    public void Initialize(Topology topology) => Guard(nameof(Initialize), () =>
    {
        Inner.Initialize(topology);
        return 0;
    });

    /// <inheritdoc />
    public RegionPlacement PlaceRegion(Region region) =>
        Guard(nameof(PlaceRegion), () => Inner.PlaceRegion(region) ?? RegionPlacement.Default);

    /// <inheritdoc />
    public IReadOnlyList<PageMigration> OnEpoch(EpochReport report) =>
        Guard(nameof(OnEpoch), () => Inner.OnEpoch(report) ?? []);

    private T Guard<T>(string call, Func<T> body)
    {
        try
        {
            return body();
        }
        catch (Exception e) when (e is not PolicyFailedException)
        {
            throw new PolicyFailedException(Name, call, e);
        }
    }
}
