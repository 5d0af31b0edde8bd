using System.Globalization;

namespace DeepMem.Core;

/// <summary>
/// How long a policy epoch is: a number of committed instructions
/// (<c>epoch: 100k</c>) or an amount of simulated time (<c>epoch: 1ms</c>),
/// in ticks of one picosecond. At most one of the two is set; neither
/// means no epochs.
/// </summary>
public readonly record struct EpochLength
{
    /// <summary>Simulated ticks per nanosecond (one tick is a picosecond).</summary>
    public const ulong TicksPerNanosecond = Gem5Defaults.TicksPerSecond / 1_000_000_000UL;

    private EpochLength(ulong instructions, ulong ticks)
    {
        Instructions = instructions;
        Ticks = ticks;
    }

    /// <summary>No epochs.</summary>
    public static EpochLength None => default;

    /// <summary>Committed instructions per epoch; 0 for a time epoch.</summary>
    public ulong Instructions { get; }

    /// <summary>Simulated ticks (picoseconds) per epoch; 0 for an instruction epoch.</summary>
    public ulong Ticks { get; }

    /// <summary>True for an epoch in simulated time.</summary>
    public bool IsTime => Ticks > 0;

    /// <summary>True when there are epochs at all.</summary>
    public bool IsSet => Instructions > 0 || Ticks > 0;

    /// <summary>The simulated time per epoch in nanoseconds (0 for an instruction epoch).</summary>
    public double Nanoseconds => Ticks / (double)TicksPerNanosecond;

    /// <summary>The simulated time per epoch in seconds (0 for an instruction epoch).</summary>
    public double Seconds => Ticks / (double)Gem5Defaults.TicksPerSecond;

    /// <summary>An epoch of <paramref name="instructions"/> committed instructions (0: no epochs).</summary>
    public static EpochLength OfInstructions(ulong instructions) => new(instructions, 0);

    /// <summary>An epoch of <paramref name="ticks"/> simulated ticks (0: no epochs).</summary>
    public static EpochLength OfTicks(ulong ticks) => new(0, ticks);

    /// <summary>An epoch of <paramref name="nanoseconds"/> of simulated time, rounded to whole ticks.</summary>
    public static EpochLength OfTime(double nanoseconds) =>
        nanoseconds is >= 0 and < ulong.MaxValue / TicksPerNanosecond
            ? OfTicks((ulong)Math.Round(nanoseconds * TicksPerNanosecond))
            : throw new ArgumentOutOfRangeException(nameof(nanoseconds), nanoseconds, "an epoch time from 0 to about 213 days");

    /// <summary>
    /// The epoch as the experiment file says it: instructions as a plain
    /// count ("1000000"), time in the largest unit of ns, us, ms, s that
    /// keeps it at least 1 ("1ms", "250us", "2.5ms"); "0" for none.
    /// </summary>
    public override string ToString()
    {
        if (!IsTime)
        {
            return Instructions.ToString(CultureInfo.InvariantCulture);
        }

        var ns = Nanoseconds;
        var (value, unit) = ns >= 1e9 ? (ns / 1e9, "s") : ns >= 1e6 ? (ns / 1e6, "ms") : ns >= 1e3 ? (ns / 1e3, "us") : (ns, "ns");
        return value.ToString("0.######", CultureInfo.InvariantCulture) + unit;
    }

    /// <summary>"100000 instructions" or "1ms of simulated time", for messages.</summary>
    public string Describe() => IsTime ? $"{this} of simulated time" : $"{this} instructions";
}
