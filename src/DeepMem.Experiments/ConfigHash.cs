using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace DeepMem.Experiments;

/// <summary>A stable hash of a resolved experiment point: equal settings, equal hash.</summary>
public static class ConfigHash
{
    /// <summary>Hex SHA-256 (first 16 bytes) of the canonical JSON of what determines the result.</summary>
    public static string Of(Experiment e)
    {
        var canonical = new
        {
            e.Spec.Name,
            e.Spec.Nodes,
            e.Spec.Cpu,
            Workload = new { e.Spec.Workload.Binary, e.Spec.Workload.Args },
            e.Spec.EpochInstructions,
            e.Spec.PageSize,
            e.Spec.Migration,
            Policy = new
            {
                e.Policy.Name,
                e.Policy.Type,
                Options = e.Policy.Options.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => $"{kv.Key}={kv.Value}").ToList(),
            },
            e.Backend,
            e.Estimator.TraceDir,
        };
        var json = JsonSerializer.Serialize(canonical);
        if (e.Backend == "estimator" && (!e.Estimator.UseCalibration || e.Estimator.Refill))
        {
            // Settings that change an estimate; absent at their defaults, so
            // results stored before they existed keep their hash.
            json += JsonSerializer.Serialize(new { e.Estimator.UseCalibration, e.Estimator.Refill });
        }

        return Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(json)).AsSpan(0, 16)).ToLowerInvariant();
    }
}
