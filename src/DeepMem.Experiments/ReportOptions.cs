using DeepMem.Experiments.Exporters;

namespace DeepMem.Experiments;

/// <summary>The <c>report:</c> section: how the command's report is written (not part of the result key: it changes no result).</summary>
public sealed record ReportOptions
{
    /// <summary>The policy the report's speed-up column compares each point with (default first-touch).</summary>
    public string Baseline { get; init; } = RunSummary.DefaultBaseline;
}
