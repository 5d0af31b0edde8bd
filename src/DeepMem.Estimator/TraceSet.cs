using System.Globalization;

namespace DeepMem.Estimator;

/// <summary>
/// The single-device traces of one workload, one per node, checked to fit
/// together: same nodes, page size and workload, the same number of windows
/// ending at the same instruction counts, and the same region map.
/// Index <c>d</c> of <see cref="Traces"/> is the trace with all data on node <c>d</c>.
/// </summary>
public sealed class TraceSet
{
    /// <summary>
    /// Default largest difference, in instructions, between the ends of the
    /// same window in two runs. gem5's O3 CPU stops a few instructions past
    /// the requested count (up to its commit width), so window ends agree
    /// only to within a few instructions; the difference does not accumulate.
    /// </summary>
    public const ulong DefaultInstructionTolerance = 64;

    private const int MaxListedMismatches = 5;

    /// <summary>
    /// How far the program's end may differ between two runs on several
    /// cores: a tenth of a window. Windows end at core 0's (the main
    /// thread's) committed-instruction counts, which gem5 stops at exactly,
    /// but how many instructions the main thread spends in barriers and
    /// joins (futex retries) depends on the other threads' timing, so the
    /// last window, which ends with the program, differs by a few hundred.
    /// </summary>
    public static ulong MultiCoreEndTolerance(ulong windowInstructions) => windowInstructions / 10;

    /// <summary>
    /// File name of the optional calibration trace: a run with every page
    /// interleaved 1:1 over the two nodes (<c>deepmem trace --calibrate</c>).
    /// </summary>
    public const string CalibrationFile = TraceFormat.CalibrationFile;

    private TraceSet(IReadOnlyList<WindowTrace> traces, IReadOnlyList<WindowTrace>? calibrations = null)
    {
        Traces = traces;
        Calibrations = calibrations ?? [];
        var warnings = new List<string>();
        for (var d = 0; d < traces.Count; d++)
        {
            long foreign = 0, total = 0;
            foreach (var w in traces[d].Windows)
            {
                total += w.Nodes.Length;
                foreach (var node in w.Nodes)
                {
                    if (node != d)
                    {
                        foreign++;
                    }
                }
            }

            if (foreign > 0)
            {
                warnings.Add($"{Name(traces[d])}: {foreign} of {total} page entries lived on another node than the bound node {d} (the program's own mbind/set_mempolicy?); the estimator treats every page as placed by the plan");
            }
        }

        Warnings = warnings;
    }

    /// <summary>
    /// The calibration run (two-node sets only), aligned window by window with
    /// the single-device traces; null when none was recorded: the first of
    /// <see cref="Calibrations"/> (the 1:1 run where <see cref="Load"/> found
    /// one). With this run alone the estimator fits its per-window
    /// correction to it.
    /// </summary>
    public WindowTrace? Calibration => Calibrations.Count > 0 ? Calibrations[0] : null;

    /// <summary>
    /// Every calibration run of the set, each at its own mix of the two
    /// nodes (<c>deepmem trace --calibrate-mix</c>), in the order attached
    /// (<see cref="Load"/>: the 1:1 run first, then the others by file
    /// name). With two or more, the calibrated window formula interpolates
    /// between the measured mixes (docs/estimator.md).
    /// </summary>
    public IReadOnlyList<WindowTrace> Calibrations { get; }

    /// <summary>The traces; index = the node the run was bound to.</summary>
    public IReadOnlyList<WindowTrace> Traces { get; }

    /// <summary>The header of the node-0 trace (the fields every trace shares).</summary>
    public TraceHeader Header => Traces[0].Header;

    /// <summary>Number of nodes (and traces).</summary>
    public int NodeCount => Traces.Count;

    /// <summary>Number of windows in every trace.</summary>
    public int WindowCount => Traces[0].Windows.Count;

    /// <summary>Page size in bytes.</summary>
    public ulong PageSize => Header.PageSize;

    /// <summary>The region map shared by the traces, in file order.</summary>
    public IReadOnlyList<TraceRegion> Regions => Traces[0].Regions;

    /// <summary>Things that do not stop the estimator but may cost accuracy, one line each.</summary>
    public IReadOnlyList<string> Warnings { get; }

    /// <summary>The node whose trace took the least simulated time (ties: lowest id).</summary>
    public int FastestNode
    {
        get
        {
            var best = 0;
            for (var d = 1; d < Traces.Count; d++)
            {
                if (Traces[d].End.Ticks < Traces[best].End.Ticks)
                {
                    best = d;
                }
            }

            return best;
        }
    }

    /// <summary>
    /// Loads every <c>*.trace.jsonl.gz</c> in <paramref name="directory"/>
    /// (or, given <paramref name="nodeNames"/>, exactly
    /// <c>&lt;name&gt;.trace.jsonl.gz</c> for each) and checks them.
    /// </summary>
    /// <exception cref="TraceFormatException">A file is malformed.</exception>
    /// <exception cref="TraceSetException">The files do not fit together, or files are missing.</exception>
    public static TraceSet Load(string directory, IReadOnlyList<string>? nodeNames = null)
    {
        if (!Directory.Exists(directory))
        {
            throw new TraceSetException([$"trace folder {directory} does not exist"]);
        }

        List<string> files;
        if (nodeNames is null)
        {
            files = Directory.GetFiles(directory, TraceFormat.FilePattern)
                .Where(f => !TraceFormat.IsCalibrationFile(Path.GetFileName(f))).Order(StringComparer.Ordinal).ToList();
            if (files.Count == 0)
            {
                throw new TraceSetException([$"trace folder {directory} holds no *.trace.jsonl.gz files"]);
            }
        }
        else
        {
            files = nodeNames.Select(n => Path.Combine(directory, WindowTrace.FileNameFor(n))).ToList();
            var missing = files.Where(f => !File.Exists(f)).Select(f => $"missing trace {f} (record it with `deepmem trace`)").ToList();
            if (missing.Count > 0)
            {
                throw new TraceSetException(missing);
            }
        }

        var set = Create(files.Select(TraceReader.ReadFile).ToList());
        var calibrations = Directory.GetFiles(directory, TraceFormat.FilePattern)
            .Select(Path.GetFileName).OfType<string>().Where(TraceFormat.IsCalibrationFile)
            .OrderBy(f => f == CalibrationFile ? 0 : 1).ThenBy(f => f, StringComparer.Ordinal);
        foreach (var f in calibrations)
        {
            set = set.WithCalibration(TraceReader.ReadFile(Path.Combine(directory, f)));
        }

        return set;
    }

    /// <summary>
    /// This set with <paramref name="calibration"/> attached (after those it
    /// has), after checking
    /// that it fits: two nodes, the same nodes, page size and workload, and
    /// windows that end at the same instruction counts.
    /// </summary>
    /// <exception cref="TraceSetException">With every problem found.</exception>
    public TraceSet WithCalibration(WindowTrace calibration, ulong instructionTolerance = DefaultInstructionTolerance)
    {
        var problems = new List<string>();
        var names = Header.Nodes.Select(x => x.Name).ToList();
        if (names.Count != 2)
        {
            problems.Add($"{Name(calibration)}: a calibration needs exactly two nodes; this set has {names.Count}");
        }
        else if (!calibration.Header.Nodes.Select(x => x.Name).SequenceEqual(names))
        {
            problems.Add($"{Name(calibration)} lists nodes [{string.Join(", ", calibration.Header.Nodes.Select(x => x.Name))}] but the traces list [{string.Join(", ", names)}]");
        }
        else
        {
            CompareWith(Traces[0], calibration, instructionTolerance, problems);
        }

        return problems.Count > 0 ? throw new TraceSetException(problems) : new TraceSet(Traces, [.. Calibrations, calibration]);
    }

    /// <summary>Checks <paramref name="traces"/> (any order) and orders them by bound node.</summary>
    /// <param name="traces">One trace per node.</param>
    /// <param name="instructionTolerance">Largest allowed difference between the cumulative instruction counts at which a window ends in two traces.</param>
    /// <exception cref="TraceSetException">With every problem found.</exception>
    public static TraceSet Create(IReadOnlyList<WindowTrace> traces, ulong instructionTolerance = DefaultInstructionTolerance)
    {
        var problems = new List<string>();
        if (traces.Count == 0)
        {
            throw new TraceSetException(["no traces given"]);
        }

        var first = traces[0];
        var n = first.Header.Nodes.Count;
        var byNode = new WindowTrace?[n];
        foreach (var t in traces)
        {
            var name = Name(t);
            var h = t.Header;
            if (h.Nodes.Count != n || !h.Nodes.Select(x => x.Name).SequenceEqual(first.Header.Nodes.Select(x => x.Name)))
            {
                problems.Add($"{name} lists nodes [{string.Join(", ", h.Nodes.Select(x => x.Name))}] but {Name(first)} lists [{string.Join(", ", first.Header.Nodes.Select(x => x.Name))}]");
                continue;
            }

            if (h.BoundNode is not { } bound)
            {
                problems.Add($"{name} is not a single-device trace (bound_node is null): record it with the default policy bind:N");
                continue;
            }

            if (byNode[bound] is { } other)
            {
                problems.Add($"{name} and {Name(other)} are both bound to node {bound} ({h.Nodes[bound].Name})");
                continue;
            }

            byNode[bound] = t;
        }

        for (var d = 0; d < n; d++)
        {
            if (byNode[d] is null && problems.Count == 0)
            {
                problems.Add($"no trace is bound to node {d} ({first.Header.Nodes[d].Name}): expected {WindowTrace.FileNameFor(first.Header.Nodes[d].Name)}");
            }
        }

        if (problems.Count > 0)
        {
            throw new TraceSetException(problems);
        }

        var ordered = byNode.Select(t => t!).ToList();
        var r = ordered[0];
        for (var d = 1; d < n; d++)
        {
            CompareWith(r, ordered[d], instructionTolerance, problems);
        }

        if (problems.Count > 0)
        {
            throw new TraceSetException(problems);
        }

        return new TraceSet(ordered);
    }

    private static void CompareWith(WindowTrace a, WindowTrace b, ulong tolerance, List<string> problems)
    {
        var (an, bn) = (Name(a), Name(b));
        var (ha, hb) = (a.Header, b.Header);
        if (ha.PageSize != hb.PageSize)
        {
            problems.Add($"page size differs: {ha.PageSize} in {an}, {hb.PageSize} in {bn}");
        }

        if (ha.WindowInstructions != hb.WindowInstructions)
        {
            problems.Add($"window_instructions differs: {ha.WindowInstructions} in {an}, {hb.WindowInstructions} in {bn}");
        }

        if (ha.TicksPerSecond != hb.TicksPerSecond)
        {
            problems.Add($"ticks_per_second differs: {ha.TicksPerSecond} in {an}, {hb.TicksPerSecond} in {bn}");
        }

        if (ha.Workload.Binary != hb.Workload.Binary || !ha.Workload.Args.SequenceEqual(hb.Workload.Args))
        {
            problems.Add($"workload differs: \"{ha.Workload.Binary} {string.Join(' ', ha.Workload.Args)}\" in {an}, \"{hb.Workload.Binary} {string.Join(' ', hb.Workload.Args)}\" in {bn}");
        }

        if (ha.Cpu != hb.Cpu)
        {
            problems.Add($"cpu differs: \"{ha.Cpu}\" in {an}, \"{hb.Cpu}\" in {bn}");
        }

        if (ha.Cores != hb.Cores)
        {
            problems.Add($"cores differ: {ha.Cores} in {an}, {hb.Cores} in {bn}");
        }

        if (a.End.ExitCode != b.End.ExitCode)
        {
            problems.Add($"exit code differs: {a.End.ExitCode} in {an}, {b.End.ExitCode} in {bn}");
        }

        if (a.Windows.Count != b.Windows.Count)
        {
            problems.Add($"window count differs: {a.Windows.Count} in {an}, {b.Windows.Count} in {bn} (instructions {a.End.Instructions} vs {b.End.Instructions})");
        }
        else
        {
            var mismatches = 0;
            ulong endA = 0, endB = 0;
            var last = a.Windows.Count - 1;
            for (var w = 0; w < a.Windows.Count; w++)
            {
                endA += a.Windows[w].Instructions;
                endB += b.Windows[w].Instructions;
                var diff = endA > endB ? endA - endB : endB - endA;
                var allowed = w == last && ha.Cores > 1 ? Math.Max(tolerance, MultiCoreEndTolerance(ha.WindowInstructions)) : tolerance;
                if (diff > allowed)
                {
                    if (mismatches < MaxListedMismatches)
                    {
                        problems.Add($"window {w} is not instruction-aligned: it ends at instruction {endA} in {an} but {endB} in {bn} (tolerance {allowed})");
                    }

                    mismatches++;
                }
            }

            if (mismatches > MaxListedMismatches)
            {
                problems.Add($"... and {mismatches - MaxListedMismatches} more misaligned window(s) between {an} and {bn}");
            }
        }

        if (a.Regions.Count != b.Regions.Count)
        {
            problems.Add($"region count differs: {a.Regions.Count} in {an}, {b.Regions.Count} in {bn}");
        }
        else
        {
            for (var i = 0; i < a.Regions.Count; i++)
            {
                if (a.Regions[i] != b.Regions[i])
                {
                    problems.Add($"region #{i} differs: {Describe(a.Regions[i])} in {an}, {Describe(b.Regions[i])} in {bn}");
                }
            }
        }
    }

    /// <summary>The most frames the run held outside the traced pages (the last value of <see cref="UntracedFrames"/>; 0 without resident counts).</summary>
    public ulong MaxUntracedFrames() => UntracedFrames() is { Length: > 0 } frames ? frames[^1] : 0;

    private static string Describe(TraceRegion r) =>
        $"id {r.Id} [0x{r.Start:x}, +{r.Length}) {r.Source.ToString().ToLowerInvariant()} before window {r.FirstWindow}";

    private static string Name(WindowTrace t) =>
        string.IsNullOrEmpty(t.Source) ? $"trace of node {t.Header.BoundNode?.ToString(CultureInfo.InvariantCulture) ?? "null"}" : Path.GetFileName(t.Source);

    /// <summary>
    /// Per window, the frames the traced run held beyond the pages its
    /// windows touched so far (program image, stack, page tables): taken
    /// from the trace of the fastest node, which has the same mappings as
    /// every other. Empty for traces without resident counts.
    /// </summary>
    public ulong[] UntracedFrames()
    {
        var trace = Traces[FastestNode];
        if (trace.Windows.Count == 0 || trace.Windows.Any(w => w.Resident is null))
        {
            return [];
        }

        var seen = new HashSet<ulong>();
        var result = new ulong[trace.Windows.Count];
        for (var w = 0; w < trace.Windows.Count; w++)
        {
            foreach (var p in trace.Windows[w].Pages)
            {
                seen.Add(p);
            }

            var resident = trace.Windows[w].Resident!.Aggregate(0UL, (a, b) => a + b);
            result[w] = resident > (ulong)seen.Count ? resident - (ulong)seen.Count : 0;
        }

        // Frames are only ever added by the program's own mappings: never shrink the reservation.
        for (var w = 1; w < result.Length; w++)
        {
            result[w] = Math.Max(result[w], result[w - 1]);
        }

        return result;
    }
}
