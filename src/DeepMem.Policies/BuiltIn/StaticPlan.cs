using System.Globalization;
using System.Text.Json;

namespace DeepMem.Policies.BuiltIn;

/// <summary>
/// A placement plan read from JSON. Keys are matched ignoring case and
/// underscores, so the snake_case and PascalCase forms of
/// <c>DeepMem.Estimator.PlacementPlan</c> both load:
/// <code>
/// {
///   "region_nodes": [0, 1, 1],
///   "regions": [ { "index": 3, "node": 1 }, { "id": 7, "node": 0 }, { "address": "0x7f0000001000", "node": 1 } ],
///   "pages": [ { "page": "0x10000", "node": 0 } ]
/// }
/// </code>
/// <c>region_nodes[i]</c> is the node of the i-th region offered to the
/// policy (creation order, every source counted); a <c>regions</c> entry
/// names a region by that index, by its id, or by an address inside it.
/// Numbers may be written as JSON numbers or as strings ("0x..." is hex).
/// </summary>
public sealed class StaticPlan
{
    /// <summary>Nodes by region index.</summary>
    public Dictionary<int, int> ByIndex { get; } = [];

    /// <summary>Nodes by region id.</summary>
    public Dictionary<ulong, int> ById { get; } = [];

    /// <summary>(address, node) pairs: a region containing the address goes to the node.</summary>
    public List<(ulong Address, int Node)> ByAddress { get; } = [];

    /// <summary>Nodes by virtual page number.</summary>
    public Dictionary<ulong, int> Pages { get; } = [];

    /// <summary>Every node the plan names.</summary>
    public IEnumerable<int> Nodes => ByIndex.Values.Concat(ById.Values).Concat(ByAddress.Select(a => a.Node)).Concat(Pages.Values);

    /// <summary>Reads a plan file; throws <see cref="ArgumentException"/> naming the file and every problem.</summary>
    public static StaticPlan Load(string path)
    {
        if (!File.Exists(path))
        {
            throw new ArgumentException($"plan file '{path}' does not exist (write one, e.g. from the estimator's placement search)");
        }

        try
        {
            return Parse(File.ReadAllText(path), path);
        }
        catch (JsonException e)
        {
            throw new ArgumentException($"plan file '{path}' is not valid JSON: {e.Message}");
        }
    }

    /// <summary>Parses plan JSON; <paramref name="source"/> names it in messages.</summary>
    public static StaticPlan Parse(string json, string source)
    {
        using var doc = JsonDocument.Parse(json);
        var problems = new List<string>();
        var plan = new StaticPlan();
        if (doc.RootElement.ValueKind != JsonValueKind.Object)
        {
            throw new ArgumentException($"plan '{source}': expected a JSON object at the top");
        }

        var known = new[] { "regionnodes", "regions", "pages" };
        foreach (var prop in doc.RootElement.EnumerateObject())
        {
            var key = Normalize(prop.Name);
            if (key == "regionnodes" && prop.Value.ValueKind == JsonValueKind.Array)
            {
                var i = 0;
                foreach (var v in prop.Value.EnumerateArray())
                {
                    if (TryNumber(v, out var node) && node <= int.MaxValue)
                    {
                        plan.ByIndex[i] = (int)node;
                    }
                    else
                    {
                        problems.Add($"region_nodes[{i}]: '{v}' is not a node id");
                    }

                    i++;
                }
            }
            else if (key is "regions" or "pages" && prop.Value.ValueKind == JsonValueKind.Array)
            {
                var i = 0;
                foreach (var entry in prop.Value.EnumerateArray())
                {
                    ReadEntry(plan, key, i++, entry, problems);
                }
            }
            else if (!known.Contains(key) && key is not ("othernode" or "microseconds" or "fastnode" or "fastbytesused" or "capacitybytes" or "method" or "provenoptimal" or "explorednodes"))
            {
                problems.Add($"unknown key '{prop.Name}'; allowed: region_nodes, regions, pages");
            }
            else if (known.Contains(key))
            {
                problems.Add($"'{prop.Name}' must be a list");
            }
        }

        if (problems.Count > 0)
        {
            throw new ArgumentException($"plan '{source}': " + string.Join("; ", problems));
        }

        return plan;
    }

    private static void ReadEntry(StaticPlan plan, string list, int i, JsonElement entry, List<string> problems)
    {
        var at = $"{list}[{i}]";
        if (entry.ValueKind != JsonValueKind.Object)
        {
            problems.Add($"{at}: expected an object like {{ \"index\": 0, \"node\": 1 }}");
            return;
        }

        var fields = entry.EnumerateObject().ToDictionary(p => Normalize(p.Name), p => p.Value);
        if (!fields.TryGetValue("node", out var nodeValue) || !TryNumber(nodeValue, out var node) || node > int.MaxValue)
        {
            problems.Add($"{at}: needs 'node', a node id");
            return;
        }

        if (list == "pages")
        {
            if (fields.TryGetValue("page", out var p) && TryNumber(p, out var page))
            {
                plan.Pages[page] = (int)node;
            }
            else
            {
                problems.Add($"{at}: needs 'page', a virtual page number");
            }

            return;
        }

        if (fields.TryGetValue("index", out var ix) && TryNumber(ix, out var index) && index <= int.MaxValue)
        {
            plan.ByIndex[(int)index] = (int)node;
        }
        else if (fields.TryGetValue("id", out var idv) && TryNumber(idv, out var id))
        {
            plan.ById[id] = (int)node;
        }
        else if (fields.TryGetValue("address", out var a) && TryNumber(a, out var address))
        {
            plan.ByAddress.Add((address, (int)node));
        }
        else
        {
            problems.Add($"{at}: needs one of 'index', 'id' or 'address' (a number or a \"0x...\" string)");
        }
    }

    private static string Normalize(string key) => key.Replace("_", "").ToLowerInvariant();

    private static bool TryNumber(JsonElement v, out ulong value)
    {
        value = 0;
        if (v.ValueKind == JsonValueKind.Number)
        {
            return v.TryGetUInt64(out value);
        }

        if (v.ValueKind != JsonValueKind.String)
        {
            return false;
        }

        var s = v.GetString()!.Trim();
        return s.StartsWith("0x", StringComparison.OrdinalIgnoreCase)
            ? ulong.TryParse(s.AsSpan(2), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out value)
            : ulong.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out value);
    }
}
