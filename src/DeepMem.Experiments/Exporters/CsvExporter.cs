using System.Globalization;
using CsvHelper;

namespace DeepMem.Experiments.Exporters;

/// <summary>
/// The summary as CSV (RFC 4180), one row a point, numbers unrounded:
/// point, policy, backend, status, runtime_us, baseline, speedup (empty
/// where there is none), no_speedup (why), migrated_pages, migration_us,
/// host_s, notes.
/// </summary>
public sealed class CsvExporter : IExporter
{
    /// <summary>The one instance.</summary>
    public static readonly CsvExporter Default = new();

    /// <inheritdoc/>
    public string Extension => "csv";

    /// <inheritdoc/>
    public bool Export(RunSummary summary, string path)
    {
        ArgumentNullException.ThrowIfNull(summary);
        using var csv = CsvWriter.ToFile(path);
        csv.WriteHeader(["point", "policy", "backend", "status", "runtime_us", "baseline", "speedup", "no_speedup",
            "migrated_pages", "migration_us", "host_s", "notes"]);
        foreach (var r in summary.Rows)
        {
            csv.WriteRecord([r.Point, r.Policy, r.Backend, r.Status, Num(r.RuntimeUs), summary.Baseline,
                r.Speedup is { } x ? Num(x) : null, r.NoSpeedup, r.Migrations.ToString(CultureInfo.InvariantCulture),
                Num(r.MigrationUs), Num(r.HostSeconds), r.Notes]);
        }

        return true;
    }

    private static string Num(double value) => value.ToString("R", CultureInfo.InvariantCulture);
}
