using System.Text.RegularExpressions;
using DeepMem.Bridge;
using DeepMem.Core;
using DeepMem.Estimator;
using DeepMem.Policies;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace DeepMem.Experiments;

/// <summary>
/// Loads experiment files in two phases: the YAML tree is read key by key
/// into a validated, immutable <see cref="Experiment"/> per sweep point.
/// Every problem in the file is reported at once, with file:line:col.
/// </summary>
/// <remarks>
/// Relative paths in a file (workload binary and working dir, plug-in
/// assembly, traces, gem5 binary and config) are relative to the file's
/// folder; <c>output</c> is relative to the current directory.
/// </remarks>
public static partial class ExperimentLoader
{
    /// <summary>Top-level keys.</summary>
    public static readonly string[] TopLevelKeys =
        ["name", "description", "memory", "cpu", "workload", "policy", "epoch", "migration", "backend", "output", "output_outside", "gem5", "estimator", "executor", "sweep", "sweep_limit"];

    /// <summary>Most memory nodes an experiment may have (gem5's side builds at most this many).</summary>
    public const int MaxNodes = 64;

    /// <summary>Most sweep points a file may expand to unless it sets <c>sweep_limit</c>.</summary>
    public const long DefaultSweepLimit = 100_000;

    /// <summary>Backends (the registered ones, <see cref="Experiments.Backends"/>).</summary>
    public static IReadOnlyList<string> Backends => Experiments.Backends.Names;

    /// <summary>CPU models.</summary>
    public static readonly string[] CpuModels = ["o3", "timing"];

    [GeneratedRegex(@"^[A-Za-z0-9][A-Za-z0-9._-]*$")]
    private static partial Regex NamePattern();

    [GeneratedRegex(@"^[A-Za-z_][A-Za-z0-9_]*$")]
    private static partial Regex NodeName();

    [GeneratedRegex(@"^([A-Za-z_][A-Za-z0-9_]*)(\[(\d+)\])?$")]
    private static partial Regex PathSegment();

    /// <summary>
    /// Loads a file. Never throws for bad content (see <see cref="LoadResult.Problems"/>);
    /// throws <see cref="OperationCanceledException"/> when <paramref name="ct"/> is cancelled.
    /// </summary>
    public static LoadResult LoadFile(string path, LoadOptions? options = null, CancellationToken ct = default)
    {
        if (Directory.Exists(path))
        {
            return FileProblem(path, "is a folder, not an experiment file: give the .yaml file inside it");
        }

        if (!File.Exists(path))
        {
            return FileProblem(path, "file not found");
        }

        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return FileProblem(path, $"cannot read the file: {e.Message}");
        }

        return LoadText(text, path, options, ct);
    }

    private static LoadResult FileProblem(string path, string message) =>
        new([], [new ConfigProblem(path, 0, 0, "", null, message)]);

    /// <summary>Loads YAML text; <paramref name="fileName"/> is used in messages and to resolve relative paths.</summary>
    public static LoadResult LoadText(string text, string fileName, LoadOptions? options = null, CancellationToken ct = default)
    {
        options ??= LoadOptions.Default;
        var sink = new ProblemSink(fileName);
        var root = Parse(text, sink);
        if (root is null)
        {
            return new LoadResult([], sink.Problems);
        }

        var baseDir = Path.GetDirectoryName(Path.GetFullPath(fileName)) ?? Directory.GetCurrentDirectory();
        var sweep = SweepSizeOk(root, sink) ? ReadSweep(root, sink) : [[]];
        var experiments = new List<Experiment>();
        if (sweep.Count > 1 || sweep[0].Count > 0 || sink.HasErrors)
        {
            // Validate the file as written too, so that every problem shows
            // up even where a sweep point could not be applied.
            Build(root, fileName, baseDir, [], sink, options);
        }

        var done = 0;
        foreach (var point in sweep)
        {
            ct.ThrowIfCancellationRequested();
            if (++done % 1000 == 0)
            {
                options.SweepProgress?.Report((done, sweep.Count));
            }

            // A fresh tree per point: overrides replace nodes in place.
            var tree = Parse(text, new ProblemSink(fileName))!;
            var applied = new List<KeyValuePair<string, string>>();
            var ok = true;
            foreach (var (key, keyNode, value) in point)
            {
                ok &= Override(tree, key, keyNode, value, sink);
                applied.Add(new(key, value is YamlScalarNode s ? s.Value ?? "" : Compact(value)));
            }

            if (!ok)
            {
                continue;
            }

            var experiment = Build(tree, fileName, baseDir, applied, sink, options);
            if (experiment is not null)
            {
                experiments.Add(experiment);
            }
        }

        var ordered = sink.Problems.OrderBy(p => p.Line).ThenBy(p => p.Column).ToList();
        return new LoadResult(sink.HasErrors ? [] : experiments, ordered);
    }

    private static YamlMappingNode? Parse(string text, ProblemSink sink)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(text));
        }
        catch (Exception e) when (e is YamlException or InvalidOperationException or ArgumentException or FormatException)
        {
            // YamlDotNet throws InvalidOperationException (no position) on an
            // unclosed '{' or '[' mid-file and puts some errors at 1:1.
            var (line, column, message) = YamlErrorLocator.Locate(text, e is YamlException { InnerException: YamlException inner } ? inner : e);
            sink.Problems.Add(new ConfigProblem(sink.File, line, column, "", null, "YAML syntax: " + message));
            return null;
        }

        if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is not YamlMappingNode root)
        {
            sink.Problems.Add(new ConfigProblem(sink.File, 1, 1, "", null,
                "an experiment file is a mapping with keys " + string.Join(", ", TopLevelKeys)));
            return null;
        }

        if (stream.Documents.Count > 1)
        {
            var second = stream.Documents[1].RootNode;
            sink.Error(second, "", null, "only one YAML document per experiment file");
        }

        return root;
    }

    /// <summary>
    /// Counts the sweep's points before expanding it: over the limit
    /// (<see cref="DefaultSweepLimit"/> or the file's <c>sweep_limit</c>) is
    /// an error naming both, so a typo cannot take minutes and gigabytes.
    /// </summary>
    private static bool SweepSizeOk(YamlMappingNode rootNode, ProblemSink sink)
    {
        var root = new YamlMap(rootNode, "", sink);
        var limit = DefaultSweepLimit;
        if (root.Scalar("sweep_limit", expected: Units.CountHelp) is { } text)
        {
            if (!Units.TryParseCount(text, out var parsed) || parsed == 0 || parsed > int.MaxValue)
            {
                sink.Error(root.Get("sweep_limit")!, "sweep_limit", text,
                    $"'{text}' is not a valid sweep limit: expected a number of points from 1 to {int.MaxValue:N0}, {Units.CountHelp}");
                return false;
            }

            limit = (long)parsed;
        }

        if (root.Get("sweep") is not YamlMappingNode sweep)
        {
            return true;
        }

        var sizes = sweep.Children.Values.OfType<YamlSequenceNode>().Select(q => (long)Math.Max(1, q.Children.Count)).ToList();
        var points = sizes.Aggregate(1.0, (a, b) => a * b);
        if (points <= limit)
        {
            return true;
        }

        var inv = System.Globalization.CultureInfo.InvariantCulture;
        var product = string.Join(" x ", sizes.Select(n => n.ToString("N0", inv)));
        sink.Error(rootNode.Children.Keys.First(k => k is YamlScalarNode { Value: "sweep" }), "sweep", null, string.Create(inv,
            $"the sweep has {(points < 1e15 ? ((long)points).ToString("N0", inv) : points.ToString("E2", inv))} points ({product}), over the limit of {limit:N0}; shorten the lists, or set 'sweep_limit' higher if you mean it"));
        return false;
    }

    private static List<List<(string Key, YamlNode KeyNode, YamlNode Value)>> ReadSweep(YamlMappingNode root, ProblemSink sink)
    {
        var result = new List<List<(string, YamlNode, YamlNode)>> { new() };
        var map = new YamlMap(root, "", sink);
        var sweep = map.Map("sweep");
        if (sweep is null)
        {
            return result;
        }

        foreach (var (k, v) in sweep.Node.Children)
        {
            var key = (k as YamlScalarNode)?.Value ?? "";
            if (key == "sweep" || key.StartsWith("sweep.", StringComparison.Ordinal) || key == "name")
            {
                sink.Error(k, "sweep." + key, key, "cannot sweep 'name' or 'sweep' itself");
                continue;
            }

            if (v is not YamlSequenceNode seq || seq.Children.Count == 0)
            {
                sink.Error(v, "sweep." + key, null, $"expected a non-empty list of values to try, got {YamlMap.Describe(v)}");
                continue;
            }

            var next = new List<List<(string, YamlNode, YamlNode)>>();
            foreach (var point in result)
            {
                foreach (var value in seq.Children)
                {
                    next.Add([.. point, (key, k, value)]);
                }
            }

            result = next;
        }

        return result;
    }

    private static bool Override(YamlMappingNode root, string path, YamlNode keyNode, YamlNode value, ProblemSink sink)
    {
        var segments = path.Split('.');
        YamlNode current = root;
        for (var i = 0; i < segments.Length; i++)
        {
            var m = PathSegment().Match(segments[i]);
            if (!m.Success || current is not YamlMappingNode map)
            {
                sink.Error(keyNode, "sweep." + path, path, "not a key path; write it like 'policy.name' or 'memory.nodes[0].capacity'");
                return false;
            }

            var name = m.Groups[1].Value;
            var last = i == segments.Length - 1;
            var key = new YamlScalarNode(name);
            sink.MadeAt(key, keyNode);
            if (!map.Children.TryGetValue(key, out var child))
            {
                if (last && !m.Groups[2].Success)
                {
                    map.Children[key] = value;
                    return true;
                }

                if (!m.Groups[2].Success)
                {
                    child = new YamlMappingNode();
                    sink.MadeAt(child, keyNode);
                    map.Children[key] = child;
                }
                else
                {
                    sink.Error(keyNode, "sweep." + path, path, $"'{string.Join('.', segments[..(i + 1)])}' is not in the file, so its items cannot be swept");
                    return false;
                }
            }

            if (m.Groups[2].Success)
            {
                var index = int.Parse(m.Groups[3].Value);
                if (child is not YamlSequenceNode seq || index >= seq.Children.Count)
                {
                    sink.Error(keyNode, "sweep." + path, path,
                        $"'{name}[{index}]' does not exist (the list has {(child as YamlSequenceNode)?.Children.Count ?? 0} items)");
                    return false;
                }

                if (last)
                {
                    seq.Children[index] = value;
                    return true;
                }

                current = seq.Children[index];
            }
            else if (last)
            {
                map.Children[key] = value;
                return true;
            }
            else
            {
                current = child;
            }
        }

        return true;
    }

    private static string Compact(YamlNode node) => node switch
    {
        YamlScalarNode s => s.Value ?? "",
        YamlMappingNode m when m.Children.TryGetValue(new YamlScalarNode("name"), out var name) =>
            Compact(name) + (m.Children.Count > 1
                ? "(" + string.Join(",", m.Children.Where(kv => Compact(kv.Key) != "name").Select(kv => kv.Value is YamlMappingNode inner
                    ? string.Join(",", inner.Children.Select(x => Compact(x.Key) + "=" + Compact(x.Value)))
                    : Compact(kv.Key) + "=" + Compact(kv.Value))) + ")"
                : ""),
        YamlSequenceNode q => "[" + string.Join(",", q.Children.Select(Compact)) + "]",
        YamlMappingNode m => "{" + string.Join(",", m.Children.Select(kv => Compact(kv.Key) + "=" + Compact(kv.Value))) + "}",
        _ => "?",
    };

    private static Experiment? Build(YamlMappingNode rootNode, string file, string baseDir, List<KeyValuePair<string, string>> point, ProblemSink sink,
        LoadOptions options)
    {
        var errorsBefore = sink.Problems.Count(p => p.Severity == Severity.Error);
        var root = new YamlMap(rootNode, "", sink);

        var name = root.Scalar("name", required: true, expected: "an experiment name");
        if (name is not null && !NamePattern().IsMatch(name))
        {
            sink.Error(root.Get("name")!, "name", name, $"'{name}' is not a valid name: use letters, digits, '.', '_' and '-', starting with a letter or digit");
        }

        var description = root.Scalar("description", expected: "a line of text");
        var pageSize = Gem5Defaults.PageSize;
        var nodes = ReadMemory(root, sink, pageSize);
        var cpu = ReadCpu(root, sink);
        var workload = ReadWorkload(root, sink, baseDir);
        var policy = ReadPolicy(root, sink, baseDir, out var policyDeadline);

        ulong epoch = 1_000_000;
        if (root.Get("epoch") is { } epochNode)
        {
            var text = root.Scalar("epoch", expected: Units.CountHelp);
            if (text is not null && (!Units.TryParseCount(text, out epoch) || epoch == 0))
            {
                sink.Error(epochNode, "epoch", text, $"'{text}' is not a valid epoch length: expected instructions per epoch > 0, {Units.CountHelp}");
            }
        }

        var migration = new MigrationCostSpec(2000);
        if (root.Map("migration") is { } mig)
        {
            var cost = mig.Scalar("page_cost", expected: Units.DurationHelp);
            if (cost is not null)
            {
                if (Units.TryParseDurationNs(cost, out var ns))
                {
                    migration = new MigrationCostSpec(ns);
                }
                else
                {
                    sink.Error(mig.Get("page_cost")!, mig.Sub("page_cost"), cost, $"'{cost}' is not {Units.DurationHelp}");
                }
            }

            mig.RejectUnknown(["page_cost"]);
        }

        var backend = Choice(root, "backend", Backends, sink) ?? Experiments.Backends.DefaultName;
        var output = root.Scalar("output", expected: "a folder") ?? Path.Combine("results", name ?? "experiment");
        var outputOutside = Choice(root, "output_outside", ["true", "false"], sink) == "true";
        var gem5 = ReadGem5(root, sink, baseDir);
        var estimator = ReadEstimator(root, sink, baseDir);
        var executor = ReadExecutor(root, sink);
        root.Get("sweep");
        root.Get("sweep_limit");
        CheckOutput(root, output, baseDir, outputOutside || options.OutputFromCommandLine, sink);
        root.RejectUnknown(TopLevelKeys);

        var errorsAfter = sink.Problems.Count(p => p.Severity == Severity.Error);
        if (errorsAfter > errorsBefore || name is null || nodes is null || workload is null || policy is null || gem5 is null)
        {
            return null;
        }

        var resultsRoot = Path.GetFullPath(output);
        var pointId = point.Count == 0 ? null : new Experiment
        {
            SourceFile = file, Spec = null!, Policy = policy, Backend = backend, Gem5 = gem5, Estimator = estimator,
            ResultsRoot = resultsRoot, SweepPoint = point,
        }.PointId;
        var spec = new SimulationSpec
        {
            Name = name,
            Nodes = nodes,
            Cpu = cpu,
            Workload = workload,
            EpochInstructions = epoch,
            PageSize = pageSize,
            Migration = migration,
            OutputDir = pointId is null ? resultsRoot : Path.Combine(resultsRoot, pointId),
            PolicyDeadline = policyDeadline,
        };
        var experiment = new Experiment
        {
            SourceFile = file,
            Description = description,
            Spec = spec,
            Policy = policy,
            Backend = backend,
            Gem5 = gem5,
            Estimator = estimator,
            Executor = executor,
            ResultsRoot = resultsRoot,
            SweepPoint = point,
        };

        // What the backend itself checks (its files with CheckBackendFiles), where the file says it.
        var checks = Experiments.Backends.Get(backend).Check(experiment, options.CheckBackendFiles ? BackendCheck.Files : BackendCheck.Load);
        foreach (var p in checks)
        {
            var at = Locate(root, p.Key);
            if (p.Severity == Severity.Error)
            {
                sink.Error(at, p.Key, p.Value, p.Message);
            }
            else
            {
                sink.Warning(at, p.Key, p.Value, p.Message);
            }
        }

        return checks.Any(p => p.Severity == Severity.Error) ? null : experiment;
    }

    /// <summary>The node of a dotted key (<c>estimator.traces</c>), else its nearest parent there, else the backend line.</summary>
    private static YamlNode Locate(YamlMap root, string key)
    {
        var parts = key.Split('.');
        var node = root.Get(parts[0]);
        foreach (var part in parts.Skip(1))
        {
            node = (node as YamlMappingNode)?.Children.FirstOrDefault(kv => kv.Key is YamlScalarNode { Value: var v } && v == part).Value ?? node;
        }

        return node ?? root.Get("backend") ?? root.Node;
    }

    /// <summary>
    /// Results go under the experiment file's folder or the current
    /// directory; anywhere else only when named explicitly
    /// (<c>output_outside: true</c> or <c>--output</c>).
    /// </summary>
    private static void CheckOutput(YamlMap root, string output, string baseDir, bool explicitlyOutside, ProblemSink sink)
    {
        var full = Path.GetFullPath(output);
        var cwd = Directory.GetCurrentDirectory();
        if (explicitlyOutside || IsUnder(full, baseDir) || IsUnder(full, cwd) || root.Get("output") is not { } node)
        {
            return;
        }

        sink.Error(node, "output", output,
            $"'{output}' is outside the experiment's folder ({baseDir}) and the current directory ({cwd}); "
            + "to write results there, add 'output_outside: true' or give --output on the command line");
    }

    private static bool IsUnder(string path, string folder)
    {
        var f = Path.TrimEndingDirectorySeparator(Path.GetFullPath(folder));
        return path == f || path.StartsWith(f + Path.DirectorySeparatorChar, StringComparison.Ordinal) || f == Path.GetPathRoot(f);
    }

    private static string? Choice(YamlMap map, string key, IReadOnlyList<string> allowed, ProblemSink sink)
    {
        var value = map.Scalar(key, expected: "one of " + string.Join(", ", allowed));
        if (value is null)
        {
            return null;
        }

        if (allowed.Contains(value))
        {
            return value;
        }

        var hint = Suggest.Closest(value, allowed);
        sink.Error(map.Get(key)!, map.Sub(key), value,
            $"'{value}' is not allowed{(hint is null ? "" : $" (did you mean '{hint}'?)")}; allowed: {string.Join(", ", allowed)}");
        return null;
    }

    private static List<NodeSpec>? ReadMemory(YamlMap root, ProblemSink sink, ulong pageSize)
    {
        var memory = root.Map("memory", required: true);
        if (memory is null)
        {
            return null;
        }

        var seq = memory.Seq("nodes", required: true);
        memory.RejectUnknown(["nodes"]);
        if (seq is null)
        {
            return null;
        }

        if (seq.Children.Count == 0)
        {
            sink.Error(seq, memory.Sub("nodes"), null, "at least one node is needed (two or more for placement to matter)");
            return null;
        }

        if (seq.Children.Count > MaxNodes)
        {
            sink.Error(seq, memory.Sub("nodes"), null, $"at most {MaxNodes} nodes are supported (was {seq.Children.Count})");
            return null;
        }

        var nodes = new List<NodeSpec>();
        var names = new HashSet<string>();
        for (var i = 0; i < seq.Children.Count; i++)
        {
            var path = $"{memory.Sub("nodes")}[{i}]";
            if (seq.Children[i] is not YamlMappingNode m)
            {
                sink.Error(seq.Children[i], path, null, $"expected a node mapping (name, preset, capacity), got {YamlMap.Describe(seq.Children[i])}");
                continue;
            }

            var n = new YamlMap(m, path, sink);
            var name = n.Scalar("name", required: true, expected: "a node name");
            if (name is not null && !NodeName().IsMatch(name))
            {
                sink.Error(n.Get("name")!, n.Sub("name"), name, $"node name '{name}' must be an identifier: letters, digits and '_', not starting with a digit");
            }
            else if (name is not null && !names.Add(name))
            {
                sink.Error(n.Get("name")!, n.Sub("name"), name, $"node name '{name}' is used twice; node names must be unique");
            }

            var presetName = Choice(n, "preset", DevicePresets.Names.ToList(), sink);
            if (n.Get("preset") is null)
            {
                sink.Error(m, path, null, $"missing required key 'preset'; allowed: {string.Join(", ", DevicePresets.Names)}");
            }

            var preset = presetName is null ? null : DevicePresets.Find(presetName);
            ulong capacity = 0;
            var capText = n.Scalar("capacity", required: true, expected: Units.SizeHelp);
            if (capText is not null)
            {
                if (!Units.TryParseSize(capText, out capacity) || capacity == 0)
                {
                    sink.Error(n.Get("capacity")!, n.Sub("capacity"), capText, $"'{capText}' is not a valid capacity: expected {Units.SizeHelp}, greater than zero");
                }
                else if (capacity % (1024 * 1024) != 0)
                {
                    sink.Error(n.Get("capacity")!, n.Sub("capacity"), capText, $"capacity must be a whole number of MiB (was {capacity} bytes), as gem5 builds one address range per node");
                }
            }

            var kind = preset?.Kind ?? DeviceKind.Dram;
            var kindText = Choice(n, "kind", ["dram", "nvm", "hbm", "cxl"], sink);
            if (kindText is not null)
            {
                kind = Enum.Parse<DeviceKind>(kindText, ignoreCase: true);
            }

            var read = Duration(n, "read_latency", preset?.ReadLatencyNs);
            var write = Duration(n, "write_latency", preset?.WriteLatencyNs);
            var extra = Duration(n, "extra_latency", preset?.ExtraLatencyNs) ?? 0;
            double? bandwidth = preset?.BandwidthGBps;
            var bwText = n.Scalar("bandwidth", expected: Units.BandwidthHelp);
            if (bwText is not null)
            {
                if (Units.TryParseBandwidth(bwText, out var bps) && bps > 0)
                {
                    bandwidth = bps / 1e9;
                }
                else
                {
                    sink.Error(n.Get("bandwidth")!, n.Sub("bandwidth"), bwText, $"'{bwText}' is not {Units.BandwidthHelp}, greater than zero");
                }
            }

            var channels = 0;
            var channelText = n.Scalar("channels", expected: "one of " + string.Join(", ", DevicePresets.ChannelCounts));
            if (channelText is not null)
            {
                if (int.TryParse(channelText, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var c) && DevicePresets.ChannelCounts.Contains(c))
                {
                    channels = c;
                    if (bwText is null && preset is not null && presetName != "custom")
                    {
                        // The preset's bandwidth is over its own channel count.
                        bandwidth = preset.BandwidthGBps * c / preset.Channels;
                    }
                }
                else
                {
                    sink.Error(n.Get("channels")!, n.Sub("channels"), channelText, $"'{channelText}' is not a channel count gem5 builds; allowed: {string.Join(", ", DevicePresets.ChannelCounts)}");
                }
            }

            if (presetName == "custom")
            {
                foreach (var (key, given) in new[] { ("kind", kindText is not null), ("read_latency", n.Get("read_latency") is not null), ("write_latency", n.Get("write_latency") is not null), ("bandwidth", bwText is not null) })
                {
                    if (!given)
                    {
                        sink.Error(m, path, null, $"preset 'custom' needs '{key}'");
                    }
                }
            }

            n.RejectUnknown(["name", "preset", "capacity", "kind", "read_latency", "write_latency", "extra_latency", "bandwidth", "channels"]);
            if (name is not null && preset is not null)
            {
                nodes.Add(new NodeSpec(name, preset.Name, kind, capacity, read ?? 0, write ?? 0, bandwidth ?? 0, extra, channels));
            }
        }

        return nodes.Count == seq.Children.Count ? nodes : null;
    }

    private static double? Duration(YamlMap map, string key, double? fallback)
    {
        var text = map.Scalar(key, expected: Units.DurationHelp);
        if (text is null)
        {
            return fallback;
        }

        if (Units.TryParseDurationNs(text, out var ns))
        {
            return ns;
        }

        map.Sink.Error(map.Get(key)!, map.Sub(key), text, $"'{text}' is not {Units.DurationHelp}");
        return fallback;
    }

    private static CpuSpec ReadCpu(YamlMap root, ProblemSink sink)
    {
        var cpu = new CpuSpec("o3", 3e9, 32 * 1024, 32 * 1024, 1024 * 1024);
        var map = root.Map("cpu");
        if (map is null)
        {
            return cpu;
        }

        var model = Choice(map, "model", CpuModels, sink) ?? cpu.Model;
        var freq = cpu.FrequencyHz;
        var freqText = map.Scalar("frequency", expected: Units.FrequencyHelp);
        if (freqText is not null && !Units.TryParseFrequencyHz(freqText, out freq))
        {
            sink.Error(map.Get("frequency")!, map.Sub("frequency"), freqText, $"'{freqText}' is not {Units.FrequencyHelp}");
            freq = cpu.FrequencyHz;
        }

        ulong Size(string key, ulong fallback)
        {
            var text = map.Scalar(key, expected: Units.SizeHelp);
            if (text is null)
            {
                return fallback;
            }

            if (Units.TryParseSize(text, out var v) && v > 0 && (v & (v - 1)) == 0)
            {
                return v;
            }

            sink.Error(map.Get(key)!, map.Sub(key), text, $"'{text}' is not a valid cache size: expected a power of two, e.g. 32KiB or 1MiB");
            return fallback;
        }

        var l1d = Size("l1d", cpu.L1DBytes);
        var l1i = Size("l1i", cpu.L1IBytes);
        var l2 = Size("l2", cpu.L2Bytes);
        map.RejectUnknown(["model", "frequency", "l1d", "l1i", "l2"]);
        return new CpuSpec(model, freq, l1d, l1i, l2);
    }

    private static WorkloadSpec? ReadWorkload(YamlMap root, ProblemSink sink, string baseDir)
    {
        var map = root.Map("workload", required: true);
        if (map is null)
        {
            return null;
        }

        var binary = map.Scalar("binary", required: true, expected: "the path of a static x86-64 binary");
        var args = new List<string>();
        if (map.Seq("args") is { } seq)
        {
            for (var i = 0; i < seq.Children.Count; i++)
            {
                if (seq.Children[i] is YamlScalarNode { Value: not null } s)
                {
                    args.Add(s.Value);
                }
                else
                {
                    sink.Error(seq.Children[i], $"{map.Sub("args")}[{i}]", null, $"expected a plain argument, got {YamlMap.Describe(seq.Children[i])}");
                }
            }
        }

        var workDir = map.Scalar("working_dir", expected: "a folder");
        map.RejectUnknown(["binary", "args", "working_dir"]);
        if (binary is null)
        {
            return null;
        }

        return new WorkloadSpec(Path.GetFullPath(binary, baseDir), args, Path.GetFullPath(workDir ?? ".", baseDir));
    }

    private static PolicySpec? ReadPolicy(YamlMap root, ProblemSink sink, string baseDir, out TimeSpan deadline)
    {
        deadline = PolicyCallGuard.DefaultDeadline;
        var map = root.Map("policy");
        if (map is null)
        {
            return root.Get("policy") is null ? new PolicySpec { Name = DefaultPolicies.FirstTouch.Name } : null;
        }

        var name = map.Scalar("name", expected: "a built-in policy name");
        var assembly = map.Scalar("assembly", expected: "the path of the plug-in assembly (.dll)");
        var type = map.Scalar("type", expected: "the full name of the policy class");
        deadline = PolicyDeadline(map) ?? deadline;
        var options = new Dictionary<string, OptionValue>();
        var optionNodes = new Dictionary<string, YamlNode>();
        if (map.Map("options") is { } opts)
        {
            foreach (var (k, v) in opts.Node.Children)
            {
                var key = (k as YamlScalarNode)?.Value ?? "";
                optionNodes[key] = k;
                switch (v)
                {
                    case YamlScalarNode s:
                        options[key] = OptionValue.Of(s.Value ?? "");
                        break;
                    case YamlSequenceNode q when q.Children.All(c => c is YamlScalarNode):
                        options[key] = OptionValue.OfList(q.Children.Select(c => ((YamlScalarNode)c).Value ?? "").ToList());
                        break;
                    default:
                        sink.Error(v, opts.Sub(key), null, $"expected a value or a list of values, got {YamlMap.Describe(v)}");
                        break;
                }
            }
        }

        map.RejectUnknown(["name", "assembly", "type", "options", "deadline"]);
        if (name is not null && (assembly is not null || type is not null))
        {
            sink.Error(map.Node, map.Path, null, "give either 'name' (built-in) or 'assembly' + 'type' (plug-in), not both");
            return null;
        }

        if (name is null && (assembly is null || type is null))
        {
            sink.Error(map.Node, map.Path, null,
                $"give 'name' (one of {string.Join(", ", DefaultPolicies.All.Select(d => d.Name))}) or both 'assembly' and 'type' for a plug-in");
            return null;
        }

        var optionsType = name is not null ? DefaultPolicies.Find(name)?.OptionsType
            : PolicyFactory.ResolvePluginType(Path.GetFullPath(assembly!, baseDir), type!, out _) is { } pluginType ? PolicyFactory.FindOptionsType(pluginType)
            : null;
        foreach (var o in optionsType is null ? [] : OptionsBinder.Describe(optionsType))
        {
            if (o.Property.IsDefined(typeof(PathOptionAttribute), false) && options.TryGetValue(o.Key, out var value)
                && value.Scalar is { Length: > 0 } path)
            {
                options[o.Key] = OptionValue.Of(Path.GetFullPath(path, baseDir));
            }
        }

        var spec = new PolicySpec
        {
            Name = name,
            Assembly = assembly is null ? null : Path.GetFullPath(assembly, baseDir),
            Type = type,
            Options = options,
        };
        foreach (var (key, message) in PolicyFactory.Check(spec))
        {
            var at = key.Length > 0 && optionNodes.TryGetValue(key, out var node) ? node
                : name is not null ? map.Get("name")! : map.Get(key.Length == 0 ? "type" : "options") ?? map.Node;
            sink.Error(at, key.Length > 0 ? map.Sub("options") + "." + key : map.Sub(name is not null ? "name" : "type"), key, message);
        }

        return spec;
    }

    /// <summary>
    /// <c>policy.deadline</c>: the longest host time of one policy call, a
    /// duration from 1 ms to <see cref="PolicyCallGuard.MaxDeadline"/>; null when absent or bad (reported).
    /// </summary>
    private static TimeSpan? PolicyDeadline(YamlMap map)
    {
        var text = map.Scalar("deadline", expected: Units.DurationHelp);
        if (text is null)
        {
            return null;
        }

        if (Units.TryParseDurationNs(text, out var ns) && ns >= 1e6 && ns <= PolicyCallGuard.MaxDeadline.Ticks * 100.0)
        {
            return TimeSpan.FromTicks((long)(ns / 100));
        }

        map.Sink.Error(map.Get("deadline")!, map.Sub("deadline"), text,
            $"'{text}' is not a valid policy deadline: expected {Units.DurationHelp}, from 1ms to {PolicyCallGuard.MaxDeadline.TotalSeconds:0}s (default {PolicyCallGuard.DefaultDeadline.TotalSeconds:0}s)");
        return null;
    }

    private static Gem5Options? ReadGem5(YamlMap root, ProblemSink sink, string baseDir)
    {
        var repo = RepoLocator.FindRoot(baseDir);
        var options = new Gem5Options
        {
            ConfigScript = Path.Combine(repo ?? baseDir, "configs", "gem5", "deepmem_se.py"),
            PythonPath = Path.Combine(repo ?? baseDir, "gem5-patches", "python"),
        };
        var map = root.Map("gem5");
        if (map is null)
        {
            return options;
        }

        TimeSpan Span(string key, TimeSpan fallback)
        {
            var text = map.Scalar(key, expected: Units.DurationHelp);
            if (text is null)
            {
                return fallback;
            }

            if (Units.TryParseDurationNs(text, out var ns) && ns > 0)
            {
                return TimeSpan.FromTicks((long)(ns / 100));
            }

            sink.Error(map.Get(key)!, map.Sub(key), text, $"'{text}' is not {Units.DurationHelp}, greater than zero");
            return fallback;
        }

        var binary = map.Scalar("binary", expected: "the path of a patched gem5.opt");
        var config = map.Scalar("config", expected: "the gem5 config script");
        var fallbackText = Choice(map, "fallback", ["default", "stop"], sink);
        var bind = map.Scalar("bind", expected: "an IP address") ?? options.Bind;
        var token = map.Scalar("token", expected: "a shared secret");
        if (bind != "127.0.0.1" && bind != "::1" && bind != "localhost" && string.IsNullOrEmpty(token))
        {
            sink.Error(map.Get("bind")!, map.Sub("bind"), bind, $"binding to '{bind}' (not loopback) needs 'token' too");
        }

        options = options with
        {
            Binary = binary is null ? null : Path.GetFullPath(binary, baseDir),
            ConfigScript = config is null ? options.ConfigScript : Path.GetFullPath(config, baseDir),
            ReplyDeadline = Span("reply_deadline", options.ReplyDeadline),
            EventDeadline = Span("event_deadline", options.EventDeadline),
            RunTimeout = Span("run_timeout", options.RunTimeout),
            Fallback = fallbackText == "stop" ? FallbackMode.Stop : FallbackMode.Default,
            Bind = bind,
            Token = token,
        };
        map.RejectUnknown(["binary", "config", "reply_deadline", "event_deadline", "run_timeout", "fallback", "bind", "token"]);
        return options;
    }

    private static EstimatorOptions ReadEstimator(YamlMap root, ProblemSink sink, string baseDir)
    {
        var map = root.Map("estimator");
        if (map is null)
        {
            return new EstimatorOptions();
        }

        var traces = map.Scalar("traces", expected: "a folder of window traces");
        var calibration = Choice(map, "calibration", ["true", "false"], sink);
        var refill = Choice(map, "refill", ["true", "false"], sink);
        map.RejectUnknown(["traces", "calibration", "refill"]);
        return new EstimatorOptions
        {
            TraceDir = traces is null ? null : Path.GetFullPath(traces, baseDir),
            UseCalibration = calibration != "false",
            Refill = refill == "true",
        };
    }
}
