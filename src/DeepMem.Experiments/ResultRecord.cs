using DeepMem.Core;

namespace DeepMem.Experiments;

/// <summary>
/// One run's result as stored on disk (result.json): the experiment point,
/// its config hash, and the backend's <see cref="RunResult"/>.
/// </summary>
public sealed record ResultRecord
{
    /// <summary>Format version of this record.</summary>
    public int Version { get; init; } = 1;

    /// <summary>Experiment name.</summary>
    public required string Experiment { get; init; }

    /// <summary>Sweep point id ("default" without a sweep).</summary>
    public required string Point { get; init; }

    /// <summary>Sweep values of the point.</summary>
    public IReadOnlyDictionary<string, string> SweepValues { get; init; } = new Dictionary<string, string>();

    /// <summary>
    /// The point's <see cref="ResultKey"/>: a rerun with the same key reuses
    /// this record (the JSON name is kept from version 1, whose hashes no
    /// longer match, so those results run again once).
    /// </summary>
    public required string ConfigHash { get; init; }

    /// <summary>Digest of each input of the key, by name; a rerun names those that changed.</summary>
    public IReadOnlyDictionary<string, string> Inputs { get; init; } = new Dictionary<string, string>();

    /// <summary>Policy display name.</summary>
    public required string Policy { get; init; }

    /// <summary>When the run finished (UTC, ISO 8601).</summary>
    public required string FinishedUtc { get; init; }

    /// <summary>The backend's result.</summary>
    public required RunResult Result { get; init; }

    /// <summary>The record of <paramref name="result"/> for point <paramref name="e"/>, stored under <paramref name="key"/> (none: never reused).</summary>
    public static ResultRecord Of(Experiment e, RunResult result, ResultKey? key) => new()
    {
        Experiment = e.Name,
        Point = e.PointId,
        SweepValues = e.SweepPoint.ToDictionary(kv => kv.Key, kv => kv.Value),
        ConfigHash = key?.Value ?? "",
        Inputs = key?.Inputs ?? new Dictionary<string, string>(),
        Policy = e.Policy.DisplayName,
        FinishedUtc = DateTime.UtcNow.ToString("O"),
        Result = result,
    };
}
