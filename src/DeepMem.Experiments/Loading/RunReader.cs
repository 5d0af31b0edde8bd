using DeepMem.Core;

namespace DeepMem.Experiments.Loading;

/// <summary>The run's top-level settings: <c>epoch</c> and the <c>migration:</c> section.</summary>
internal static class RunReader
{
    /// <summary>Instructions per policy epoch when the file does not say.</summary>
    public const ulong DefaultEpoch = 1_000_000;

    /// <summary>Simulated cost of one page migration when the file does not say, in ns.</summary>
    public const double DefaultPageCostNs = 2000;

    /// <summary><c>epoch</c>: instructions per policy epoch, over zero.</summary>
    public static ulong Epoch(YamlMap root)
    {
        var epoch = DefaultEpoch;
        if (root.Get("epoch") is { } epochNode)
        {
            var text = root.Scalar("epoch", expected: Units.CountHelp);
            if (text is not null && (!Units.TryParseCount(text, out epoch) || epoch == 0))
            {
                root.Sink.Error(epochNode, "epoch", text, $"'{text}' is not a valid epoch length: expected instructions per epoch > 0, {Units.CountHelp}");
            }
        }

        return epoch;
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
