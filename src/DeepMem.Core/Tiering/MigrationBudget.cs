namespace DeepMem.Core.Tiering;

/// <summary>
/// A migration rate limit in bytes per second of simulated time, as a token
/// bucket refilled by each epoch's simulated duration. The bucket holds at
/// most one epoch's allowance (or one page when that is less), or the
/// allowance of a longer hold time a policy that acts once per period asks
/// for, so the pages taken up to any epoch never exceed the rate times the
/// simulated time so far.
/// </summary>
/// <param name="bytesPerSecond">The limit; 0 or less means unlimited.</param>
/// <param name="pageSize">Page size in bytes.</param>
public sealed class MigrationBudget(double bytesPerSecond, ulong pageSize)
{
    private double _credit;

    /// <summary>The limit in bytes per second; 0 or less means unlimited.</summary>
    public double BytesPerSecond { get; } = bytesPerSecond;

    /// <summary>True when there is no limit.</summary>
    public bool Unlimited => BytesPerSecond <= 0;

    /// <summary>Pages taken so far.</summary>
    public ulong TakenPages { get; private set; }

    /// <summary>Simulated seconds credited so far.</summary>
    public double Seconds { get; private set; }

    /// <summary>Whole pages that may still move in this epoch (<see cref="long.MaxValue"/> when unlimited).</summary>
    public long AvailablePages => Unlimited ? long.MaxValue : (long)Math.Floor(_credit / pageSize);

    /// <summary>
    /// Adds the allowance of <paramref name="seconds"/> of simulated time;
    /// the credit is capped at the allowance of the longer of
    /// <paramref name="seconds"/> and <paramref name="holdSeconds"/> (at least one page).
    /// </summary>
    public void Refill(double seconds, double holdSeconds = 0)
    {
        if (seconds <= 0)
        {
            return;
        }

        Seconds += seconds;
        if (Unlimited)
        {
            return;
        }

        var allowance = BytesPerSecond * seconds;
        _credit = Math.Min(_credit + allowance, Math.Max(Math.Max(allowance, BytesPerSecond * holdSeconds), pageSize));
    }

    /// <summary>Adds the allowance of an epoch's simulated duration, holding up to <paramref name="holdTicks"/> worth.</summary>
    public void Refill(EpochReport report, Topology topology, ulong holdTicks = 0) =>
        Refill(report.Ticks / (double)Math.Max(1UL, topology.TicksPerSecond), holdTicks / (double)Math.Max(1UL, topology.TicksPerSecond));

    /// <summary>Takes one page from the budget; false when none is left.</summary>
    public bool TryTake()
    {
        if (!Unlimited)
        {
            if (_credit < pageSize)
            {
                return false;
            }

            _credit -= pageSize;
        }

        TakenPages++;
        return true;
    }
}
