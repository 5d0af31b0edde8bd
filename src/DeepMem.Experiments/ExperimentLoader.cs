using DeepMem.Core;
using DeepMem.Experiments.Loading;
using DeepMem.Policies;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace DeepMem.Experiments;

/// <summary>
/// Loads experiment files in two phases: the YAML tree is read section by
/// section (one reader a section, in <see cref="Loading"/>) into a
/// validated, immutable <see cref="Experiment"/> per sweep point. Every
/// problem in the file is reported at once, with file:line:col; a key no
/// reader read is an unknown key.
/// </summary>
/// <remarks>
/// Relative paths in a file (workload binary and working dir, plug-in
/// assembly, traces, gem5 binary and config) are relative to the file's
/// folder; <c>output</c> is relative to the current directory.
/// </remarks>
public static partial class ExperimentLoader
{
    /// <summary>Most memory nodes an experiment may have (gem5's side builds at most this many).</summary>
    public const int MaxNodes = 64;

    /// <summary>Most sweep points a file may expand to unless it sets <c>sweep_limit</c>.</summary>
    public const long DefaultSweepLimit = 100_000;

    /// <summary>Backends (the registered ones, <see cref="Experiments.Backends"/>).</summary>
    public static IReadOnlyList<string> Backends => Experiments.Backends.Names;

    /// <summary>The top-level keys: those the readers read, found by reading an empty file.</summary>
    private static readonly Lazy<IReadOnlyList<string>> TopLevelKeys = new(() =>
    {
        var root = new YamlMap(new YamlMappingNode(), "", new ProblemSink(""));
        ReadSections(root, Directory.GetCurrentDirectory(), LoadOptions.Default);
        return root.ReadKeys;
    });

    [System.Text.RegularExpressions.GeneratedRegex(@"^[A-Za-z0-9][A-Za-z0-9._-]*$")]
    private static partial System.Text.RegularExpressions.Regex NamePattern();

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
        var sweep = SweepReader.SizeOk(root, sink) ? SweepReader.Expand(root, sink) : [[]];
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
                ok &= SweepReader.Override(tree, key, keyNode, value, sink);
                applied.Add(new(key, value is YamlScalarNode s ? s.Value ?? "" : SweepReader.Compact(value)));
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
                "an experiment file is a mapping with keys " + string.Join(", ", TopLevelKeys.Value)));
            return null;
        }

        if (stream.Documents.Count > 1)
        {
            var second = stream.Documents[1].RootNode;
            sink.Error(second, "", null, "only one YAML document per experiment file");
        }

        return root;
    }

    /// <summary>What the sections say, before the point's experiment is made of it.</summary>
    private sealed record Sections(
        string? Name, string? Description, List<NodeSpec>? Nodes, CpuSpec Cpu, WorkloadSpec? Workload, PolicySpec? Policy, TimeSpan PolicyDeadline,
        EpochLength Epoch, MigrationCostSpec Migration, string Backend, string Output, Bridge.Gem5Options Gem5, Estimator.EstimatorOptions Estimator,
        Execution.ExecutorSpec Executor, ReportOptions Report);

    /// <summary>Reads every section of <paramref name="root"/>, then reports its unknown keys.</summary>
    private static Sections ReadSections(YamlMap root, string baseDir, LoadOptions options)
    {
        var sink = root.Sink;
        var name = root.Scalar("name", required: true, expected: "an experiment name");
        if (name is not null && !NamePattern().IsMatch(name))
        {
            sink.Error(root.Get("name")!, "name", name, $"'{name}' is not a valid name: use letters, digits, '.', '_' and '-', starting with a letter or digit");
        }

        var description = root.Scalar("description", expected: "a line of text");
        var nodes = MemoryReader.Read(root);
        var cpu = CpuReader.Read(root);
        var workload = WorkloadReader.Read(root, baseDir);
        var policy = PolicyReader.Read(root, baseDir, out var policyDeadline);
        var epoch = RunReader.Epoch(root);
        var migration = RunReader.Migration(root);
        var backend = root.Choice("backend", Backends) ?? Experiments.Backends.DefaultName;
        var output = root.Scalar("output", expected: "a folder") ?? Path.Combine("results", name ?? "experiment");
        var outputOutside = root.Flag("output_outside") == true;
        var gem5 = Gem5Reader.Read(root, baseDir);
        var estimator = EstimatorReader.Read(root, baseDir);
        var executor = ExecutorReader.Read(root);
        var report = ReportReader.Read(root);

        // Read by SweepReader before the points are built.
        root.Get("sweep");
        root.Get("sweep_limit");
        CheckOutput(root, output, baseDir, outputOutside || options.OutputFromCommandLine);
        root.RejectUnknown();
        return new Sections(name, description, nodes, cpu, workload, policy, policyDeadline, epoch, migration, backend, output, gem5, estimator, executor, report);
    }

    private static Experiment? Build(YamlMappingNode rootNode, string file, string baseDir, List<KeyValuePair<string, string>> point, ProblemSink sink,
        LoadOptions options)
    {
        var errorsBefore = sink.Problems.Count(p => p.Severity == Severity.Error);
        var root = new YamlMap(rootNode, "", sink);
        var s = ReadSections(root, baseDir, options);
        var errorsAfter = sink.Problems.Count(p => p.Severity == Severity.Error);
        if (errorsAfter > errorsBefore || s.Name is null || s.Nodes is null || s.Workload is null || s.Policy is null)
        {
            return null;
        }

        var resultsRoot = Path.GetFullPath(s.Output);
        var spec = new SimulationSpec
        {
            Name = s.Name,
            Nodes = s.Nodes,
            Cpu = s.Cpu,
            Workload = s.Workload,
            Epoch = s.Epoch,
            PageSize = Gem5Defaults.PageSize,
            Migration = s.Migration,
            OutputDir = resultsRoot,
            PolicyDeadline = s.PolicyDeadline,
        };
        var experiment = new Experiment
        {
            SourceFile = file,
            Description = s.Description,
            Spec = spec,
            Policy = s.Policy,
            Backend = s.Backend,
            Gem5 = s.Gem5,
            Estimator = s.Estimator with { LinkLatencyNs = s.Nodes.Where(n => n.ExtraLatencyNs > 0).ToDictionary(n => n.Name, n => n.ExtraLatencyNs) },
            Executor = s.Executor,
            Report = s.Report,
            ResultsRoot = resultsRoot,
            SweepPoint = point,
        };

        // A sweep point's outputs go below the results root, in a folder named by the point.
        if (point.Count > 0)
        {
            experiment = experiment with { Spec = spec with { OutputDir = Path.Combine(resultsRoot, experiment.PointId) } };
        }

        // What the backend itself checks (its files with CheckBackendFiles), where the file says it.
        var checks = Experiments.Backends.Get(s.Backend).Check(experiment, options.CheckBackendFiles ? BackendCheck.Files : BackendCheck.Load);
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
    private static void CheckOutput(YamlMap root, string output, string baseDir, bool explicitlyOutside)
    {
        var full = Path.GetFullPath(output);
        var cwd = Directory.GetCurrentDirectory();
        if (explicitlyOutside || IsUnder(full, baseDir) || IsUnder(full, cwd) || root.Get("output") is not { } node)
        {
            return;
        }

        root.Sink.Error(node, "output", output,
            $"'{output}' is outside the experiment's folder ({baseDir}) and the current directory ({cwd}); "
            + "to write results there, add 'output_outside: true' or give --output on the command line");
    }

    private static bool IsUnder(string path, string folder)
    {
        var f = Path.TrimEndingDirectorySeparator(Path.GetFullPath(folder));
        return path == f || path.StartsWith(f + Path.DirectorySeparatorChar, StringComparison.Ordinal) || f == Path.GetPathRoot(f);
    }
}
