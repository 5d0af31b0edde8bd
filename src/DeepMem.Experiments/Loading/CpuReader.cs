using DeepMem.Core;

namespace DeepMem.Experiments.Loading;

/// <summary>The <c>cpu:</c> section: model, frequency and cache sizes, each with a default.</summary>
internal static class CpuReader
{
    /// <summary>CPU models.</summary>
    public static readonly string[] Models = ["o3", "timing"];

    /// <summary>The CPU: the defaults where the file says nothing.</summary>
    public static CpuSpec Read(YamlMap root)
    {
        var cpu = new CpuSpec("o3", 3e9, 32 * 1024, 32 * 1024, 1024 * 1024);
        var map = root.Map("cpu");
        if (map is null)
        {
            return cpu;
        }

        var model = map.Choice("model", Models) ?? cpu.Model;
        var freq = cpu.FrequencyHz;
        var freqText = map.Scalar("frequency", expected: Units.FrequencyHelp);
        if (freqText is not null && !Units.TryParseFrequencyHz(freqText, out freq))
        {
            map.Sink.Error(map.Get("frequency")!, map.Sub("frequency"), freqText, $"'{freqText}' is not {Units.FrequencyHelp}");
            freq = cpu.FrequencyHz;
        }

        var l1d = CacheSize(map, "l1d", cpu.L1DBytes);
        var l1i = CacheSize(map, "l1i", cpu.L1IBytes);
        var l2 = CacheSize(map, "l2", cpu.L2Bytes);
        var cores = Cores(map);
        map.RejectUnknown();
        return new CpuSpec(model, freq, l1d, l1i, l2) { Cores = cores };
    }

    /// <summary><c>cpu.cores</c>: a whole number from 1 to <see cref="CpuSpec.MaxCores"/>; 1 when absent.</summary>
    private static int Cores(YamlMap map)
    {
        var rule = $"a whole number of cores from 1 to {CpuSpec.MaxCores}";
        var text = map.Scalar("cores", expected: rule);
        if (text is null)
        {
            return 1;
        }

        if (int.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n) && n is >= 1 and <= CpuSpec.MaxCores)
        {
            return n;
        }

        map.Sink.Error(map.Get("cores")!, map.Sub("cores"), text, $"'{text}' is not a valid core count: expected {rule}");
        return 1;
    }

    private static ulong CacheSize(YamlMap map, string key, ulong fallback)
    {
        var text = map.Scalar(key, expected: Units.SizeHelp);
        if (text is null)
        {
            return fallback;
        }

        if (Units.TryParseSize(text, out var v) && v > 0 && (v & (v - 1)) == 0)
        {
            return v;
        }

        map.Sink.Error(map.Get(key)!, map.Sub(key), text, $"'{text}' is not a valid cache size: expected a power of two, e.g. 32KiB or 1MiB");
        return fallback;
    }
}
