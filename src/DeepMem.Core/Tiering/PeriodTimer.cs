namespace DeepMem.Core.Tiering;

/// <summary>
/// A policy period in simulated time, counted in ticks over the epochs: an
/// epoch is due when the simulated time accumulated up to its end crosses
/// a multiple of the period. A period of 0 ticks makes every epoch due once
/// (the behaviour of policies that act every epoch). Works for epochs in
/// instructions and in simulated time alike.
/// </summary>
/// <param name="periodTicks">The period in simulator ticks; 0 = every epoch.</param>
public sealed class PeriodTimer(ulong periodTicks)
{
    private ulong _elapsed;
    private ulong _crossed;

    /// <summary>The period in ticks; 0 = every epoch.</summary>
    public ulong PeriodTicks { get; } = periodTicks;

    /// <summary>Ticks accumulated so far.</summary>
    public ulong ElapsedTicks => _elapsed;

    /// <summary>Periods crossed so far (with a period of 0: epochs seen).</summary>
    public ulong Crossed => _crossed;

    /// <summary>
    /// A timer for <paramref name="periodNs"/> nanoseconds divided by
    /// <paramref name="timeScale"/>, in ticks of <paramref name="ticksPerSecond"/>
    /// (at least one tick); a <paramref name="timeScale"/> of 0 gives a timer
    /// due every epoch.
    /// </summary>
    public static PeriodTimer Scaled(double periodNs, double timeScale, ulong ticksPerSecond)
    {
        if (timeScale <= 0)
        {
            return new PeriodTimer(0);
        }

        var ticks = periodNs / timeScale * 1e-9 * ticksPerSecond;
        return new PeriodTimer(ticks >= ulong.MaxValue ? ulong.MaxValue : (ulong)Math.Max(1, Math.Round(ticks)));
    }

    /// <summary>
    /// Adds an epoch of <paramref name="ticks"/>; returns how many multiples
    /// of the period the accumulated time crossed in it (0: not due).
    /// </summary>
    public int Advance(ulong ticks)
    {
        if (PeriodTicks == 0)
        {
            _crossed++;
            return 1;
        }

        _elapsed += ticks;
        var total = _elapsed / PeriodTicks;
        var crossed = (int)Math.Min(int.MaxValue, total - _crossed);
        _crossed = total;
        return crossed;
    }
}
