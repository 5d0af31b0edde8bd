using DeepMem.Core;

namespace DeepMem.Experiments.Loading;

/// <summary>The run's top-level settings: <c>epoch</c> and the <c>migration:</c> section.</summary>
internal static class RunReader
{
    /// <summary>Instructions per policy epoch when the file does not say.</summary>
    public const ulong DefaultEpoch = 1_000_000;

    /// <summary>Simulated cost of one page migration when the file does not say, in ns.</summary>
    public const double DefaultPageCostNs = 2000;

    /// <summary>What <c>epoch</c> takes, for messages.</summary>
    public const string EpochHelp = "instructions per epoch > 0 (a whole count such as 1000000, 1M, 500k; suffixes k, M, G) "
        + "or simulated time per epoch of at least 1ns (such as 1ms, 250us, 2.5ms; units ns, us, ms, s)";

    /// <summary>Units an epoch in simulated time may have.</summary>
    private static readonly string[] TimeUnits = ["ns", "us", "µs", "ms", "s"];

    /// <summary><c>epoch</c>: instructions per policy epoch (<c>100k</c>, <c>1M</c>) or simulated time per epoch (<c>1ms</c>, <c>250us</c>).</summary>
    public static EpochLength Epoch(YamlMap root)
    {
        var epoch = EpochLength.OfInstructions(DefaultEpoch);
        if (root.Get("epoch") is { } epochNode)
        {
            var text = root.Scalar("epoch", expected: EpochHelp);
            if (text is not null)
            {
                if (TryParseEpoch(text, out var parsed))
                {
                    epoch = parsed;
                }
                else
                {
                    root.Sink.Error(epochNode, "epoch", text, $"'{text}' is not a valid epoch length: expected {EpochHelp}");
                }
            }
        }

        return epoch;
    }

    /// <summary>Parses an epoch: a count of instructions over zero, or a simulated time of at least 1 ns in ns, us, ms or s.</summary>
    public static bool TryParseEpoch(string text, out EpochLength epoch)
    {
        epoch = EpochLength.None;
        if (Units.TryParseCount(text, out var insts))
        {
            epoch = EpochLength.OfInstructions(insts);
            return insts > 0;
        }

        var trimmed = text.Trim();
        if (!TimeUnits.Any(u => trimmed.EndsWith(u, StringComparison.Ordinal) && trimmed.Length > u.Length && char.IsDigit(trimmed[^(u.Length + 1)]))
            || !Units.TryParseDurationNs(trimmed, out var ns) || ns < 1 || ns > 1e15)
        {
            return false;
        }

        epoch = EpochLength.OfTime(ns);
        return true;
    }

    /// <summary><c>migration.page_cost</c>: the simulated time one page migration costs.</summary>
    public static MigrationCostSpec Migration(YamlMap root)
    {
        var mig = root.Map("migration");
        if (mig is null)
        {
            return new MigrationCostSpec(DefaultPageCostNs);
        }

        var ns = mig.DurationNs("page_cost", DefaultPageCostNs) ?? DefaultPageCostNs;
        mig.RejectUnknown();
        return new MigrationCostSpec(ns);
    }
}
