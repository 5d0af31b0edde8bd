using System.Text.Json;
using System.Text.Json.Serialization;

namespace DeepMem.Experiments;

/// <summary>
/// Results on disk: one folder per experiment point holding result.json.
/// Writes are atomic (temp file + rename), so an interrupted sweep never
/// leaves a half-written record and resumes where it stopped.
/// </summary>
public static class ResultStore
{
    /// <summary>File name of a point's record.</summary>
    public const string FileName = "result.json";

    /// <summary>JSON settings used for records.</summary>
    public static JsonSerializerOptions Json { get; } = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower), new FiniteDoubleConverter() },
    };

    /// <summary>Path of the record of an experiment point.</summary>
    public static string PathOf(Experiment e) => Path.Combine(e.Spec.OutputDir, FileName);

    /// <summary>What the store holds for a point.</summary>
    /// <param name="Reusable">The stored record when it can stand for a new run: it succeeded under the same key.</param>
    /// <param name="WhyRerun">Why a stored record is not reused (null when there is none or it is reused).</param>
    public sealed record Lookup(ResultRecord? Reusable, string? WhyRerun);

    /// <summary>
    /// The stored record of a point if it exists, succeeded and has the same
    /// <paramref name="key"/>; otherwise why not (a changed input, a failed
    /// run, an unreadable record).
    /// </summary>
    public static Lookup Find(Experiment e, ResultKey key, Action<string>? unreadable = null)
    {
        var path = PathOf(e);
        if (!File.Exists(path))
        {
            return new Lookup(null, null);
        }

        var record = TryRead(path, unreadable);
        if (record is null)
        {
            return new Lookup(null, $"the stored result {path} cannot be read");
        }

        if (record.ConfigHash != key.Value)
        {
            return new Lookup(null, "changed since the stored result: " + string.Join(", ", key.ChangedSince(record.Inputs)));
        }

        return record.Result.Status == Core.RunStatus.Succeeded
            ? new Lookup(record, null)
            : new Lookup(null, $"the stored result {record.Result.Status.ToString().ToLowerInvariant()}");
    }

    /// <summary>The record at <paramref name="path"/>, whatever its status; null when missing or unreadable.</summary>
    public static ResultRecord? Read(string path) => File.Exists(path) ? TryRead(path, null) : null;

    /// <summary>Writes a record atomically.</summary>
    public static string Save(Experiment e, ResultRecord record)
    {
        Directory.CreateDirectory(e.Spec.OutputDir);
        var path = PathOf(e);
        var tmp = path + ".tmp";
        File.WriteAllText(tmp, JsonSerializer.Serialize(record, Json));
        File.Move(tmp, path, overwrite: true);
        return path;
    }

    /// <summary>Reads every record below a folder; one that cannot be read is told to <paramref name="unreadable"/> and left out.</summary>
    public static IReadOnlyList<ResultRecord> ReadAll(string folder, Action<string>? unreadable = null)
    {
        var records = new List<ResultRecord>();
        if (!Directory.Exists(folder))
        {
            return records;
        }

        foreach (var file in Directory.EnumerateFiles(folder, FileName, SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            var r = TryRead(file, unreadable);
            if (r is not null)
            {
                records.Add(r);
            }
        }

        return records;
    }

    /// <summary>A record, or null (told to <paramref name="unreadable"/>) when the file is not a readable record.</summary>
    private static ResultRecord? TryRead(string path, Action<string>? unreadable)
    {
        try
        {
            var record = JsonSerializer.Deserialize<ResultRecord>(File.ReadAllText(path), Json);
            if (record?.Result is not null)
            {
                return record;
            }

            unreadable?.Invoke($"{path}: not a result record; treated as not stored");
        }
        catch (Exception e) when (e is JsonException or IOException or UnauthorizedAccessException)
        {
            unreadable?.Invoke($"{path}: cannot read the stored result ({e.Message.Split('\n')[0]}); treated as not stored");
        }

        return null;
    }
}
