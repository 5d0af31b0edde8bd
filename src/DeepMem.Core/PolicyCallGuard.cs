using System.Collections.Concurrent;
using System.Globalization;

namespace DeepMem.Core;

/// <summary>
/// Makes every call into a policy safe for the host, on every backend: the
/// call runs on the guard's own policy thread and is waited for at most
/// <see cref="Deadline"/>; anything it throws, and a missed deadline, comes
/// back as a <see cref="PolicyFailedException"/> naming the policy, the call
/// and where in the run it was (epoch or region). Only the host's own
/// <see cref="CancellationToken"/> (the user's Ctrl-C) ends a wait as
/// cancelled: an <see cref="OperationCanceledException"/> thrown by the
/// policy is a policy failure like any other.
/// </summary>
/// <remarks>
/// A policy method is synchronous and cannot be aborted. At the deadline the
/// guard stops waiting and abandons the call: the thread it runs on stays
/// blocked until the method returns on its own (if ever; it is a background
/// thread, so it does not keep the process alive), whatever it returns then
/// is ignored, and a later call gets a fresh thread. Calls run one at a
/// time, in simulation order, all on one thread until a call is abandoned.
/// The policy thread is a dedicated one rather than a thread-pool thread so
/// that a busy pool cannot eat into a policy's deadline.
/// </remarks>
public sealed class PolicyCallGuard : IDisposable
{
    /// <summary>Deadline of one policy call when the experiment sets none (<c>policy.deadline</c>).</summary>
    public static readonly TimeSpan DefaultDeadline = TimeSpan.FromSeconds(60);

    /// <summary>Longest deadline a call can have.</summary>
    public static readonly TimeSpan MaxDeadline = TimeSpan.FromDays(1);

    private readonly Lock _gate = new();
    private BlockingCollection<Action>? _queue;
    private bool _disposed;

    /// <summary>Guards calls into <paramref name="policy"/>.</summary>
    /// <param name="policy">The policy (its name comes from <see cref="INamedPolicy"/>, else its type).</param>
    /// <param name="deadline">Longest wait for one call; between 1 ms and <see cref="MaxDeadline"/>.</param>
    public PolicyCallGuard(IPlacementPolicy policy, TimeSpan deadline)
    {
        ArgumentNullException.ThrowIfNull(policy);
        if (deadline < TimeSpan.FromMilliseconds(1) || deadline > MaxDeadline)
        {
            throw new ArgumentOutOfRangeException(nameof(deadline), deadline, $"a policy call deadline must be between 1 ms and {MaxDeadline.TotalHours:0} h");
        }

        Policy = policy;
        Deadline = deadline;
        Name = policy is INamedPolicy named ? named.Name : policy.GetType().Name;
    }

    /// <summary>The guarded policy.</summary>
    public IPlacementPolicy Policy { get; }

    /// <summary>Longest wait for one call.</summary>
    public TimeSpan Deadline { get; }

    /// <summary>The policy's display name, used in every failure.</summary>
    public string Name { get; }

    /// <summary>Calls <see cref="IPlacementPolicy.Initialize"/>.</summary>
    public void Initialize(Topology topology, CancellationToken ct) =>
        Call(nameof(IPlacementPolicy.Initialize), null, () =>
        {
            Policy.Initialize(topology);
            return true;
        }, ct);

    /// <summary>Calls <see cref="IPlacementPolicy.PlaceRegion"/>; the answer may be null (the backend decides what that means).</summary>
    public RegionPlacement? PlaceRegion(Region region, CancellationToken ct) =>
        Call<RegionPlacement?>(nameof(IPlacementPolicy.PlaceRegion), $"region {region.Id} at 0x{region.Start:x}",
            () => Policy.PlaceRegion(region), ct);

    /// <summary>Calls <see cref="IPlacementPolicy.OnEpoch"/>; a null answer is no migration.</summary>
    public IReadOnlyList<PageMigration> OnEpoch(EpochReport report, CancellationToken ct) =>
        Call(nameof(IPlacementPolicy.OnEpoch), $"epoch {report.Epoch}", () => Policy.OnEpoch(report) ?? [], ct);

    /// <summary>
    /// Runs <paramref name="body"/> (one call named <paramref name="call"/>,
    /// at <paramref name="at"/>) on the policy thread under the deadline.
    /// </summary>
    /// <exception cref="PolicyFailedException">The call threw or missed the deadline.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="ct"/> was cancelled while waiting.</exception>
    public T Call<T>(string call, string? at, Func<T> body, CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        var answer = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        var queue = Worker();
        queue.Add(() =>
        {
            try
            {
                answer.SetResult(body());
            }
            catch (Exception e)
            {
                answer.SetException(e);
            }
        }, CancellationToken.None);

        bool done;
        try
        {
            done = answer.Task.Wait(Deadline, ct);
        }
        catch (AggregateException e) when (e.InnerExceptions.Count == 1)
        {
            throw Failure(call, at, e.InnerExceptions[0]);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            Abandon(queue);
            throw new OperationCanceledException("cancelled while waiting for the policy", ct);
        }

        if (!done)
        {
            Abandon(queue);
            throw new PolicyFailedException(Name, call, at,
                $"no answer within {Format(Deadline)} (policy.deadline); the call was abandoned (a policy method cannot be aborted, so it may still be running)", null);
        }

        return answer.Task.Result;
    }

    /// <summary>Ends the policy thread once its current call (if any) returns.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            _queue?.CompleteAdding();
            _queue = null;
            _disposed = true;
        }
    }

    /// <summary>A deadline in the unit a user would write, e.g. "200 ms", "60 s".</summary>
    public static string Format(TimeSpan span) =>
        span.TotalSeconds >= 1 && span.TotalSeconds == Math.Floor(span.TotalSeconds)
            ? span.TotalSeconds.ToString("0", CultureInfo.InvariantCulture) + " s"
            : span.TotalMilliseconds.ToString("0.###", CultureInfo.InvariantCulture) + " ms";

    private BlockingCollection<Action> Worker()
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_queue is null)
            {
                var queue = new BlockingCollection<Action>();
                var thread = new Thread(() =>
                {
                    foreach (var work in queue.GetConsumingEnumerable())
                    {
                        work();
                    }
                })
                {
                    IsBackground = true,
                    Name = "policy " + Name,
                };
                thread.Start();
                _queue = queue;
            }

            return _queue;
        }
    }

    /// <summary>Leaves the current thread to its hung call; it ends when the call returns, and the next call gets a new one.</summary>
    private void Abandon(BlockingCollection<Action> queue)
    {
        lock (_gate)
        {
            queue.CompleteAdding();
            if (ReferenceEquals(_queue, queue))
            {
                _queue = null;
            }
        }
    }

    private PolicyFailedException Failure(string call, string? at, Exception e) => e switch
    {
        PolicyFailedException { At: null } named when at is not null => new PolicyFailedException(named.Policy, named.Call, at, named.Reason, named.InnerException),
        PolicyFailedException named => named,
        _ => new PolicyFailedException(Name, call, e, at),
    };
}
