using System.Text.Json;
using DeepMem.Core;
using DeepMem.Experiments;
using DeepMem.Experiments.Exporters;

namespace DeepMem.Tests.Exporters;

public class RunSummaryTests
{
    private static ResultRecord Record(string policy, double seconds, RunStatus status = RunStatus.Succeeded, string? swept = null,
        params (string Key, string Value)[] other) => new()
    {
        Experiment = "e",
        Point = "policy=" + (swept ?? policy),
        SweepValues = new[] { ("policy", swept ?? policy) }.Concat(other).ToDictionary(kv => kv.Item1, kv => kv.Item2),
        ConfigHash = "k",
        Policy = policy,
        FinishedUtc = "2026-01-01T00:00:00Z",
        Result = new RunResult { Backend = "estimator", Status = status, SimulatedSeconds = seconds, MigratedPages = 3 },
    };

    [Fact]
    public void Each_point_is_compared_with_first_touch_by_default()
    {
        var s = RunSummary.Of("t", [Record("tpp", 5e-3), Record("first-touch", 1e-2), Record("hemem", 2e-2)]);
        Assert.Equal("first-touch", s.Baseline);
        Assert.Equal(["tpp", "first-touch", "hemem"], s.Rows.Select(r => r.Policy));
        Assert.Equal([2.0, 1.0, 0.5], s.Rows.Select(r => r.Speedup!.Value));
        var md = MarkdownExporter.Render(s);
        Assert.Contains("| runtime (us) | speedup vs first-touch |", md, StringComparison.Ordinal);
        Assert.Contains("| policy=tpp | tpp | estimator | succeeded | 5000.0 | 2.000 |", md, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_or_failed_baseline_is_named_in_the_column_instead_of_a_ratio()
    {
        var missing = RunSummary.Of("t", [Record("tpp", 5e-3)]);
        Assert.Null(missing.Rows[0].Speedup);
        Assert.Equal("no first-touch point", missing.Rows[0].NoSpeedup);
        Assert.Contains("| 5000.0 | no first-touch point |", MarkdownExporter.Render(missing), StringComparison.Ordinal);

        var failed = RunSummary.Of("t", [Record("tpp", 5e-3), Record("first-touch", 1e-3, RunStatus.Failed)]);
        Assert.Equal("first-touch failed", failed.Rows[0].NoSpeedup);
        Assert.Equal("–", MarkdownExporter.Render(failed).Split('\n').Single(l => l.StartsWith("| policy=first-touch", StringComparison.Ordinal)).Split(" | ")[5]);
    }

    [Fact]
    public void The_baseline_can_be_a_swept_policy_and_is_taken_at_the_same_other_sweep_values()
    {
        var records = new[]
        {
            Record("interleave", 8e-3, swept: "interleave", other: ("memory.nodes[0].capacity", "1MiB")),
            Record("interleave", 4e-3, swept: "interleave(by_bandwidth=true)", other: ("memory.nodes[0].capacity", "1MiB")),
            Record("interleave", 2e-3, swept: "interleave", other: ("memory.nodes[0].capacity", "2MiB")),
            Record("tpp", 1e-3, other: ("memory.nodes[0].capacity", "2MiB")),
        };
        var plain = RunSummary.Of("t", records, "interleave");
        Assert.Equal(1.0, plain.Rows.Single(r => r.RuntimeUs == 8e3).Speedup); // 1MiB: plain interleave, not by_bandwidth
        Assert.Equal(2.0, plain.Rows.Single(r => r.RuntimeUs == 4e3).Speedup);
        Assert.Equal(2.0, plain.Rows.Single(r => r.Policy == "tpp").Speedup); // 2MiB: 2 ms / 1 ms
        var swept = RunSummary.Of("t", records, "interleave(by_bandwidth=true)");
        Assert.Equal(1.0, swept.Rows.Single(r => r.RuntimeUs == 4e3).Speedup);
        Assert.Equal("no interleave(by_bandwidth=true) point", swept.Rows.Single(r => r.Policy == "tpp").NoSpeedup);
    }

    [Fact]
    public void Every_exporter_writes_the_same_summary()
    {
        var dir = Directory.CreateTempSubdirectory("deepmem-export-").FullName;
        try
        {
            var records = new[] { Record("first-touch", 1e-2), Record("tpp", 4e-3), Record("hemem", 1e-3, RunStatus.Failed) };
            var (md, png) = ReportWriter.WriteComparison(dir, "cmp", records, baseline: "first-touch");
            Assert.Equal(Path.Combine(dir, "compare.md"), md);
            Assert.Equal(Path.Combine(dir, "compare.png"), png);
            Assert.True(new FileInfo(png!).Length > 1000);

            var csv = File.ReadAllLines(Path.Combine(dir, "compare.csv"));
            Assert.Equal("point,policy,backend,status,runtime_us,baseline,speedup,no_speedup,migrated_pages,migration_us,host_s,notes", csv[0]);
            Assert.Equal(4, csv.Length);
            Assert.StartsWith("policy=tpp,tpp,estimator,succeeded,4000,first-touch,2.5,,3,", csv[1], StringComparison.Ordinal);

            using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "compare.json")));
            Assert.Equal("first-touch", json.RootElement.GetProperty("baseline").GetString());
            var rows = json.RootElement.GetProperty("rows");
            Assert.Equal(3, rows.GetArrayLength());
            Assert.Equal(2.5, rows[0].GetProperty("speedup").GetDouble());
            Assert.Equal(JsonValueKind.Null, rows[2].GetProperty("speedup").ValueKind);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void With_no_point_succeeded_there_is_no_plot_and_no_stale_one()
    {
        var dir = Directory.CreateTempSubdirectory("deepmem-export-").FullName;
        try
        {
            var stale = Path.Combine(dir, "report.png");
            File.WriteAllText(stale, "old");
            var (_, png) = ReportWriter.Write(dir, "t", [Record("tpp", 1e-3, RunStatus.Failed)]);
            Assert.Null(png);
            Assert.False(File.Exists(stale));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
