using System.Text.Json;
using System.Text.Json.Serialization;

namespace DeepMem.Policies.BuiltIn;

/// <summary>
/// The action values of <see cref="QLearningPolicy"/>: one row per
/// discretised state, one column per <see cref="QLearningAction"/>, with
/// visit counts. Saved and loaded as JSON.
/// </summary>
public sealed class QTable
{
    /// <summary>Format version written to files.</summary>
    public const int FormatVersion = 1;

    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    /// <summary>An all-zero table.</summary>
    public QTable(int states, int actions)
    {
        Values = Enumerable.Range(0, states).Select(_ => new double[actions]).ToArray();
        Visits = Enumerable.Range(0, states).Select(_ => new long[actions]).ToArray();
    }

    [JsonConstructor]
    private QTable(double[][] values, long[][] visits, int version, long episodes, string[] actions, string features)
    {
        Values = values;
        Visits = visits;
        Version = version;
        Episodes = episodes;
        Actions = actions;
        Features = features;
    }

    /// <summary>File format version.</summary>
    public int Version { get; private set; } = FormatVersion;

    /// <summary>Description of the state features, so a mismatching table is recognised.</summary>
    public string Features { get; set; } = "";

    /// <summary>Action names, column order.</summary>
    public string[] Actions { get; set; } = Enum.GetNames<QLearningAction>();

    /// <summary>Episodes trained into the table.</summary>
    public long Episodes { get; set; }

    /// <summary>
    /// What the table was last trained on: the digest of each input of the
    /// training's result key (traces, settings), by input name; empty for a
    /// table written before this existed.
    /// </summary>
    public Dictionary<string, string> TrainedOn { get; set; } = [];

    /// <summary>Q values: [state][action].</summary>
    public double[][] Values { get; }

    /// <summary>Updates per entry: [state][action].</summary>
    public long[][] Visits { get; }

    /// <summary>Number of states.</summary>
    [JsonIgnore]
    public int States => Values.Length;

    /// <summary>Writes the table as JSON (atomically: temp file, then rename).</summary>
    public void Save(string path)
    {
        var full = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        var tmp = full + ".tmp";
        File.WriteAllText(tmp, JsonSerializer.Serialize(this, Json));
        File.Move(tmp, full, overwrite: true);
    }

    /// <summary>Reads a table; throws <see cref="ArgumentException"/> when the file does not fit <paramref name="features"/>.</summary>
    public static QTable Load(string path, string features, int states, int actions)
    {
        QTable? table;
        try
        {
            table = JsonSerializer.Deserialize<QTable>(File.ReadAllText(path), Json);
        }
        catch (JsonException e)
        {
            throw new ArgumentException($"Q table '{path}' is not valid JSON: {e.Message}");
        }

        if (table is null || table.Values is null || table.Visits is null)
        {
            throw new ArgumentException($"Q table '{path}' is empty");
        }

        if (table.Version != FormatVersion)
        {
            throw new ArgumentException($"Q table '{path}' has format version {table.Version}; this version reads {FormatVersion}");
        }

        if (table.Features != features || table.Values.Length != states || table.Values.Any(r => r.Length != actions)
            || table.Visits.Length != states || table.Visits.Any(r => r.Length != actions))
        {
            throw new ArgumentException(
                $"Q table '{path}' was trained with other state features or actions ({table.Features}, {table.Values.Length} states); expected {features}, {states} states x {actions} actions: train it again");
        }

        return table;
    }
}
