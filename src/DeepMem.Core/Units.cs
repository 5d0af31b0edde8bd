using System.Globalization;
using System.Text.RegularExpressions;

namespace DeepMem.Core;

/// <summary>
/// Parses human units: sizes ("64MiB", "1GB"), durations ("150ns", "2us"),
/// frequencies ("3GHz"), bandwidths ("19.2GB/s") and counts ("1M", "10k").
/// Each parser returns false with an explanation instead of throwing.
/// </summary>
public static partial class Units
{
    [GeneratedRegex(@"^\s*([0-9]+(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?)\s*([A-Za-zµ/]*)\s*$")]
    private static partial Regex NumberAndUnit();

    private static readonly (string Unit, double Factor)[] SizeUnits =
    [
        ("B", 1), ("KiB", 1024), ("MiB", 1024d * 1024), ("GiB", 1024d * 1024 * 1024), ("TiB", 1024d * 1024 * 1024 * 1024),
        ("KB", 1e3), ("kB", 1e3), ("MB", 1e6), ("GB", 1e9), ("TB", 1e12),
    ];

    private static readonly (string Unit, double Factor)[] DurationUnits =
    [
        ("ps", 1e-3), ("ns", 1), ("us", 1e3), ("µs", 1e3), ("ms", 1e6), ("s", 1e9), ("min", 60e9), ("h", 3600e9),
    ];

    private static readonly (string Unit, double Factor)[] FrequencyUnits =
    [
        ("Hz", 1), ("kHz", 1e3), ("KHz", 1e3), ("MHz", 1e6), ("GHz", 1e9),
    ];

    private static readonly (string Unit, double Factor)[] BandwidthUnits =
    [
        ("B/s", 1), ("KB/s", 1e3), ("kB/s", 1e3), ("MB/s", 1e6), ("GB/s", 1e9), ("TB/s", 1e12),
        ("KiB/s", 1024), ("MiB/s", 1024d * 1024), ("GiB/s", 1024d * 1024 * 1024),
    ];

    private static readonly (string Unit, double Factor)[] CountUnits =
    [
        ("", 1), ("k", 1e3), ("K", 1e3), ("M", 1e6), ("G", 1e9),
    ];

    /// <summary>Allowed size units, for messages.</summary>
    public static string SizeHelp => "a size such as 64MiB, 4KiB, 1GB (units: " + string.Join(", ", SizeUnits.Select(u => u.Unit)) + ")";

    /// <summary>Allowed duration units, for messages.</summary>
    public static string DurationHelp => "a duration such as 150ns, 2us, 60s, 2h (units: ps, ns, us, ms, s, min, h)";

    /// <summary>Allowed frequency units, for messages.</summary>
    public static string FrequencyHelp => "a frequency such as 3GHz (units: Hz, kHz, MHz, GHz)";

    /// <summary>Allowed bandwidth units, for messages.</summary>
    public static string BandwidthHelp => "a bandwidth such as 19.2GB/s (units: B/s, KB/s, MB/s, GB/s, TB/s, KiB/s, MiB/s, GiB/s)";

    /// <summary>Allowed count suffixes, for messages.</summary>
    public static string CountHelp => "a whole count such as 1000000, 1M, 500k (suffixes: k, M, G)";

    /// <summary>Parses a size in bytes; a bare number means bytes.</summary>
    public static bool TryParseSize(string text, out ulong bytes)
    {
        bytes = 0;
        if (!TryParse(text, SizeUnits, "B", out var value) || value != Math.Floor(value) || value < 0 || value > ulong.MaxValue)
        {
            return false;
        }

        bytes = (ulong)value;
        return true;
    }

    /// <summary>Parses a duration in nanoseconds; a bare number is refused (the unit matters).</summary>
    public static bool TryParseDurationNs(string text, out double nanoseconds) =>
        TryParse(text, DurationUnits, null, out nanoseconds) && nanoseconds >= 0;

    /// <summary>Parses a frequency in Hz; a bare number is refused.</summary>
    public static bool TryParseFrequencyHz(string text, out double hertz) =>
        TryParse(text, FrequencyUnits, null, out hertz) && hertz > 0;

    /// <summary>Parses a bandwidth in bytes per second; a bare number is refused.</summary>
    public static bool TryParseBandwidth(string text, out double bytesPerSecond) =>
        TryParse(text, BandwidthUnits, null, out bytesPerSecond) && bytesPerSecond >= 0;

    /// <summary>Parses a whole count with an optional k/M/G suffix.</summary>
    public static bool TryParseCount(string text, out ulong count)
    {
        count = 0;
        if (!TryParse(text, CountUnits, "", out var value) || value != Math.Floor(value) || value < 0 || value > ulong.MaxValue)
        {
            return false;
        }

        count = (ulong)value;
        return true;
    }

    /// <summary>Parses a value for an option of the given unit, in the unit's base.</summary>
    public static bool TryParseOption(string text, OptionUnit unit, out double value)
    {
        switch (unit)
        {
            case OptionUnit.Bytes:
                var ok = TryParseSize(text, out var b);
                value = b;
                return ok;
            case OptionUnit.Nanoseconds:
                return TryParseDurationNs(text, out value);
            case OptionUnit.BytesPerSecond:
                return TryParseBandwidth(text, out value);
            case OptionUnit.Count:
                var okc = TryParseCount(text, out var c);
                value = c;
                return okc;
            default:
                return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value);
        }
    }

    /// <summary>Help text for an option unit.</summary>
    public static string Help(OptionUnit unit) => unit switch
    {
        OptionUnit.Bytes => SizeHelp,
        OptionUnit.Nanoseconds => DurationHelp,
        OptionUnit.BytesPerSecond => BandwidthHelp,
        OptionUnit.Count => CountHelp,
        _ => "a number",
    };

    /// <summary>Formats bytes with a binary unit, e.g. "64MiB".</summary>
    public static string FormatSize(ulong bytes)
    {
        string[] units = ["B", "KiB", "MiB", "GiB", "TiB"];
        double v = bytes;
        var i = 0;
        while (v >= 1024 && i < units.Length - 1 && v % 1024 == 0)
        {
            v /= 1024;
            i++;
        }

        return v.ToString("0.###", CultureInfo.InvariantCulture) + units[i];
    }

    private static bool TryParse(string text, (string Unit, double Factor)[] units, string? defaultUnit, out double value)
    {
        value = 0;
        var m = NumberAndUnit().Match(text ?? "");
        if (!m.Success)
        {
            return false;
        }

        var number = double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture);
        var unit = m.Groups[2].Value;
        if (unit.Length == 0)
        {
            if (defaultUnit is null)
            {
                return false;
            }

            unit = defaultUnit;
        }

        foreach (var (u, factor) in units)
        {
            if (u == unit)
            {
                value = number * factor;
                return true;
            }
        }

        return false;
    }
}
