using System.Diagnostics;
using System.Globalization;
using DeepMem.Core;

namespace DeepMem.Bridge;

/// <summary>
/// Records the single-device window traces the estimator needs: one gem5
/// run per node with every page bound to that node, each writing
/// <c>&lt;node&gt;.trace.jsonl.gz</c>. Each run's node gets the capacity of all
/// nodes together, so the whole footprint fits. Optionally, for two nodes, a
/// calibration run with every page interleaved 1:1 writes
/// <c>calibration.trace.jsonl.gz</c>. Runs go in parallel.
/// </summary>
/// <param name="options">gem5 binary and config script.</param>
public sealed class TraceRecorder(Gem5Options options)
{
    /// <summary>Outcome of one node's run.</summary>
    /// <param name="Node">Node name.</param>
    /// <param name="TracePath">The trace file (exists when Ok).</param>
    /// <param name="Ok">True when gem5 exited 0 and wrote the trace.</param>
    /// <param name="Message">Failure cause, or a one-line summary.</param>
    /// <param name="HostSeconds">gem5 host time.</param>
    /// <param name="CommandLine">The exact command line.</param>
    public sealed record NodeTrace(string Node, string TracePath, bool Ok, string Message, double HostSeconds, string CommandLine);

    /// <summary>
    /// When set, the workload binary in each trace header is rewritten
    /// relative to this folder (the repository), so that committed traces
    /// carry no path of the recording machine.
    /// </summary>
    public string? RelativeRoot { get; init; }

    /// <summary>Rewrites the header's workload binary relative to <paramref name="root"/> (when it lies below it).</summary>
    public static void StripMachinePath(string tracePath, string root)
    {
        string[] lines;
        using (var input = new System.IO.Compression.GZipStream(File.OpenRead(tracePath), System.IO.Compression.CompressionMode.Decompress))
        using (var reader = new StreamReader(input))
        {
            lines = reader.ReadToEnd().Split('\n');
        }

        var header = System.Text.Json.Nodes.JsonNode.Parse(lines[0])!;
        if (header["workload"]?["binary"]?.GetValue<string>() is not { } binary || !Path.IsPathRooted(binary))
        {
            return;
        }

        var relative = Path.GetRelativePath(root, binary);
        if (relative.StartsWith("..", StringComparison.Ordinal))
        {
            return;
        }

        header["workload"]!["binary"] = relative.Replace('\\', '/');
        lines[0] = header.ToJsonString();
        var tmp = tracePath + ".tmp";
        using (var output = new System.IO.Compression.GZipStream(File.Create(tmp), System.IO.Compression.CompressionLevel.SmallestSize))
        using (var writer = new StreamWriter(output))
        {
            writer.Write(string.Join('\n', lines));
        }

        File.Move(tmp, tracePath, overwrite: true);
    }

    /// <summary>File name of a node's trace (as DeepMem.Estimator.TraceFormat names it; Bridge does not reference the estimator, a contract test keeps them equal).</summary>
    public static string TraceFileName(string node) => $"{node}.trace.jsonl.gz";

    /// <summary>Name of the calibration run (its folder and its line in the results).</summary>
    public const string CalibrationRun = "calibration";

    /// <summary>gem5 arguments for the run bound to <paramref name="node"/>.</summary>
    public IReadOnlyList<string> Arguments(SimulationSpec spec, int node, string outDir, ulong windowInstructions) =>
        Arguments(spec, $"bind:{node}", spec.Nodes[node].Name, TraceFileName(spec.Nodes[node].Name), outDir, windowInstructions);

    /// <summary>gem5 arguments for the calibration run: every page interleaved 1:1 over the two nodes.</summary>
    public IReadOnlyList<string> CalibrationArguments(SimulationSpec spec, string outDir, ulong windowInstructions) =>
        Arguments(spec, "interleave:0,1", CalibrationRun, CalibrationFileName, outDir, windowInstructions);

    /// <summary>File name of the calibration trace (the one <c>TraceSet.Load</c> picks up).</summary>
    public const string CalibrationFileName = "calibration.trace.jsonl.gz";

    private IReadOnlyList<string> Arguments(SimulationSpec spec, string policy, string run, string traceFile, string outDir, ulong windowInstructions) =>
        Gem5CommandLine.ForRecording(options, spec, policy, Path.Combine(outDir, run), Path.Combine(outDir, traceFile), windowInstructions).ToArguments();

    /// <summary>
    /// Runs one gem5 per node, at most <paramref name="parallel"/> at a
    /// time; with <paramref name="calibrate"/> (two nodes only) also the
    /// calibration run, every page interleaved 1:1; with <paramref name="only"/>
    /// just the runs it names (node names, <see cref="CalibrationRun"/>).
    /// </summary>
    public async Task<IReadOnlyList<NodeTrace>> RecordAsync(SimulationSpec spec, string outDir, ulong windowInstructions, int parallel,
        Action<string>? log, CancellationToken ct, bool calibrate = false, IReadOnlyCollection<string>? only = null)
    {
        if (calibrate && spec.Nodes.Count != 2)
        {
            throw new InvalidOperationException($"a calibration run needs exactly two memory nodes; the experiment has {spec.Nodes.Count}");
        }

        var binary = options.ResolveBinary();
        if (string.IsNullOrEmpty(binary) || !File.Exists(binary))
        {
            throw new InvalidOperationException(string.IsNullOrEmpty(binary)
                ? "no gem5 binary: set gem5.binary in the experiment or DEEPMEM_GEM5 to a gem5.opt built with gem5-patches"
                : $"gem5 binary '{binary}' does not exist");
        }

        Directory.CreateDirectory(outDir);
        using var gate = new SemaphoreSlim(Math.Max(1, parallel));
        var runs = spec.Nodes.Select((n, i) => (n.Name, TraceFileName(n.Name), Arguments(spec, i, outDir, windowInstructions))).ToList();
        if (calibrate)
        {
            runs.Add((CalibrationRun, CalibrationFileName, CalibrationArguments(spec, outDir, windowInstructions)));
        }

        if (only is { Count: > 0 })
        {
            runs = runs.Where(r => only.Contains(r.Item1)).ToList();
        }

        var tasks = runs.Select(async run =>
        {
            await gate.WaitAsync(ct);
            try
            {
                return await RecordOneAsync(binary, spec, run.Item1, run.Item2, run.Item3, outDir, log, ct);
            }
            finally
            {
                gate.Release();
            }
        }).ToList();
        return await Task.WhenAll(tasks);
    }

    private async Task<NodeTrace> RecordOneAsync(string binary, SimulationSpec spec, string name, string traceFile, IReadOnlyList<string> args,
        string outDir, Action<string>? log, CancellationToken ct)
    {
        var trace = Path.Combine(outDir, traceFile);
        Directory.CreateDirectory(Path.Combine(outDir, name));
        var clock = Stopwatch.StartNew();
        await using var gem5 = BridgeProcess.Start(binary, args,
            ProcessContract.Environment(options.PythonPath), spec.Workload.WorkingDir);
        log?.Invoke($"{name}: {gem5.CommandLine}");
        using var reg = ct.Register(gem5.Kill);
        var exited = await gem5.WaitForExitAsync(options.RunTimeout);
        if (!exited)
        {
            gem5.Kill();
            return new NodeTrace(name, trace, false, $"gem5 ran past {options.RunTimeout.TotalSeconds:0} s and was stopped\n{gem5.OutputTail}", clock.Elapsed.TotalSeconds, gem5.CommandLine);
        }

        ct.ThrowIfCancellationRequested();
        var ok = gem5.ExitCode == 0 && File.Exists(trace);
        if (ok && RelativeRoot is not null)
        {
            StripMachinePath(trace, RelativeRoot);
        }

        var message = ok
            ? $"{name}: trace written in {clock.Elapsed.TotalSeconds:F1} s host time"
            : $"{name}: gem5 exited with code {gem5.ExitCode}{(File.Exists(trace) ? "" : " and wrote no trace")}\n{gem5.OutputTail}";
        return new NodeTrace(name, trace, ok, message, clock.Elapsed.TotalSeconds, gem5.CommandLine);
    }
}
