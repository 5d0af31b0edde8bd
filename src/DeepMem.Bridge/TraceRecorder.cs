using DeepMem.Core;

namespace DeepMem.Bridge;

/// <summary>
/// Records the single-device window traces the estimator needs: one gem5
/// run per node with every page bound to that node, each writing
/// <c>&lt;node&gt;.trace.jsonl.gz</c>. Each run's node gets the capacity of all
/// nodes together, so the whole footprint fits. Optionally, for two nodes,
/// calibration runs with every page interleaved over both: 1:1 writes
/// <c>calibration.trace.jsonl.gz</c>, another mix a:b
/// <c>calibration-a-b.trace.jsonl.gz</c> (<see cref="CalibrationMix"/>).
/// Runs go in parallel.
/// </summary>
/// <param name="simulator">The backend that runs each recording (gem5: without a controller, see <see cref="Gem5Simulator"/>).</param>
public sealed class TraceRecorder(IMemorySimulator simulator)
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

    /// <summary>
    /// The runs of a recording: one per node (all pages bound there), then
    /// the calibration runs (pages interleaved over two nodes): 1:1 when
    /// <paramref name="calibrate"/>, and each of <paramref name="mixes"/>.
    /// </summary>
    public static IReadOnlyList<(string Run, string TraceFile, RegionPlacement Placement)> Runs(SimulationSpec spec, bool calibrate,
        IReadOnlyList<CalibrationMix>? mixes = null) =>
        spec.Nodes.Select((n, i) => (n.Name, TraceFileName(n.Name), RegionPlacement.Bind(i)))
            .Concat(Calibrations(calibrate, mixes).Select(m => (m.Run, m.FileName, m.Placement)))
            .ToList();

    /// <summary>The calibration mixes to record: 1:1 when <paramref name="calibrate"/>, then <paramref name="mixes"/>, each once.</summary>
    public static IReadOnlyList<CalibrationMix> Calibrations(bool calibrate, IReadOnlyList<CalibrationMix>? mixes) =>
        (calibrate ? [CalibrationMix.Even] : Array.Empty<CalibrationMix>()).Concat(mixes ?? []).Distinct().ToList();

    /// <summary>The spec of one recording run into <paramref name="outDir"/> (see <see cref="Gem5CommandLine.RecordingSpec"/>).</summary>
    public static SimulationSpec RunSpec(SimulationSpec spec, string run, string traceFile, string outDir, ulong windowInstructions) =>
        Gem5CommandLine.RecordingSpec(spec, Path.Combine(outDir, run), Path.Combine(outDir, traceFile), windowInstructions);

    /// <summary>The calibration run's trace file.</summary>
    public const string CalibrationFileName = "calibration.trace.jsonl.gz";

    /// <summary>
    /// Records the traces of <paramref name="spec"/> into <paramref name="outDir"/>
    /// through the simulator, <paramref name="parallel"/> runs at a time, each a
    /// run under a <see cref="FixedPlacementPolicy"/> that asks for its window
    /// trace; <paramref name="only"/> limits it to the runs named.
    /// </summary>
    public async Task<IReadOnlyList<NodeTrace>> RecordAsync(SimulationSpec spec, string outDir, ulong windowInstructions, int parallel,
        CancellationToken ct, bool calibrate = false, IReadOnlyCollection<string>? only = null, IReadOnlyList<CalibrationMix>? mixes = null)
    {
        if (Calibrations(calibrate, mixes).Count > 0 && spec.Nodes.Count != 2)
        {
            throw new InvalidOperationException($"a calibration run needs exactly two memory nodes; the experiment has {spec.Nodes.Count}");
        }

        Directory.CreateDirectory(outDir);
        using var gate = new SemaphoreSlim(Math.Max(1, parallel));
        var runs = Runs(spec, calibrate, mixes).Where(r => only is not { Count: > 0 } || only.Contains(r.Run)).ToList();
        var tasks = runs.Select(async run =>
        {
            await gate.WaitAsync(ct).ConfigureAwait(false);
            try
            {
                return await RecordOneAsync(RunSpec(spec, run.Run, run.TraceFile, outDir, windowInstructions), run.Run, run.Placement, ct).ConfigureAwait(false);
            }
            finally
            {
                gate.Release();
            }
        }).ToList();
        return await Task.WhenAll(tasks).ConfigureAwait(false);
    }

    private async Task<NodeTrace> RecordOneAsync(SimulationSpec runSpec, string name, RegionPlacement placement, CancellationToken ct)
    {
        var trace = runSpec.WindowTrace!.Path;
        var result = await simulator.RunAsync(runSpec, new FixedPlacementPolicy(placement), null, ct).ConfigureAwait(false);
        if (result.Status == RunStatus.Cancelled)
        {
            throw new OperationCanceledException(ct);
        }

        var ok = result.Status == RunStatus.Succeeded && File.Exists(trace);
        if (ok && RelativeRoot is not null)
        {
            StripMachinePath(trace, RelativeRoot);
        }

        var message = ok
            ? $"{name}: trace written in {result.HostSeconds:F1} s host time"
            : $"{name}: {result.FailureReason}{(File.Exists(trace) ? "" : " (no trace written)")}\n{result.OutputTail}";
        return new NodeTrace(name, trace, ok, message, result.HostSeconds, result.CommandLine ?? "");
    }
}
