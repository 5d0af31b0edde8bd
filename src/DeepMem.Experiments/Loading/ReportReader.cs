namespace DeepMem.Experiments.Loading;

/// <summary>The <c>report:</c> section: the baseline policy of the speed-up column.</summary>
internal static class ReportReader
{
    /// <summary>The report settings: the defaults where the file says nothing.</summary>
    public static ReportOptions Read(YamlMap root)
    {
        var defaults = new ReportOptions();
        var map = root.Map("report");
        if (map is null)
        {
            return defaults;
        }

        var baseline = map.Scalar("baseline", expected: "a policy name such as first-touch");
        map.RejectUnknown();
        return baseline is null ? defaults : defaults with { Baseline = baseline };
    }
}
