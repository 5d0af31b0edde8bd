using System.Diagnostics;
using System.Text.Json;
using DeepMem.Core;
using DeepMem.Estimator;
using DeepMem.Policies;

namespace DeepMem.Experiments.CrossCheck;

/// <summary>
/// The validation protocol of docs/estimator.md for one experiment: pick
/// placements and policies, run each in gem5 (in parallel, resumable) and
/// on the estimator, and compare. gem5 results are stored per case under
/// <c>&lt;output&gt;/crosscheck/&lt;case&gt;/gem5.json</c>; a rerun skips them.
/// </summary>
public sealed class CrossCheckRunner(Experiment experiment, DifferentialEstimator estimator)
{
    /// <summary>Built-in migrating policies run as dynamic cases.</summary>
    public static readonly string[] DynamicPolicies = ["hemem", "memtis", "tpp", "colloid"];

    /// <summary>
    /// The fast node as measured: the node whose single-device trace ran
    /// shortest (nominal latencies can mislead: for one core, an HBM stack is
    /// about as fast as DDR4 in gem5, its bandwidth unused).
    /// </summary>
    public int FastNode => Enumerable.Range(0, experiment.Spec.Nodes.Count).MinBy(estimator.TraceMicroseconds);

    /// <summary>The slow node as measured: the longest single-device trace.</summary>
    public int SlowNode => Enumerable.Range(0, experiment.Spec.Nodes.Count).MaxBy(estimator.TraceMicroseconds);

    /// <summary>Id of the layout check case (see <see cref="LayoutRegion"/>).</summary>
    public const string LayoutCase = "layout-shift";

    /// <summary>Kind of the layout check case; its row stays out of the accuracy table.</summary>
    public const string LayoutKind = "layout";

    /// <summary>Largest share of all accesses a region may have to serve the layout check.</summary>
    public const double LayoutMaxAccessShare = 0.001;

    /// <summary>
    /// The region for the layout check: the first (earliest created, so
    /// earliest allocated) region with under <see cref="LayoutMaxAccessShare"/>
    /// of all accesses, or -1 when there is none. Moving it off the slow node
    /// shifts the frames of every later allocation there by its size while
    /// leaving the node of nearly every access unchanged, so gem5's change in
    /// time against all-slow measures its sensitivity to physical layout,
    /// which no page-count estimate sees.
    /// </summary>
    public static int LayoutRegion(IReadOnlyList<double> regionAccesses, double totalAccesses)
    {
        for (var i = 0; i < regionAccesses.Count; i++)
        {
            if (totalAccesses > 0 && regionAccesses[i] < LayoutMaxAccessShare * totalAccesses)
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>File name of the window trace each gem5 case records in its folder.</summary>
    public const string WindowTraceFile = "windows.trace.jsonl.gz";

    /// <summary>File name of the case's <see cref="ResultKey"/> (value, then one line per input) stored beside each gem5 result.</summary>
    public const string CaseFile = "case.txt";

    /// <summary>Folder of this experiment's cross-check.</summary>
    public string Folder => Path.Combine(experiment.ResultsRoot, "crosscheck");

    /// <summary>The cases: all on each node, each sizeable region alone on the fast node, the layout check, random placements, interleave ratios, the optimum, and the migrating policies.</summary>
    public IReadOnlyList<CrossCheckCase> Cases(int randomCount = 10, int seed = 1)
    {
        var topology = experiment.Spec.ToTopology();
        var fast = FastNode;
        var slow = SlowNode;
        var regions = estimator.Regions;
        var r = regions.Count;
        var cases = new List<CrossCheckCase>();
        foreach (var n in topology.Nodes)
        {
            cases.Add(new($"all-{n.Name}", "static", $"every page on {n.Name}", StaticPlacement.AllOn(n.Id, r), null));
        }

        var totalBytes = regions.Aggregate(0UL, (s, x) => s + x.Length);
        for (var i = 0; i < r; i++)
        {
            if (regions[i].Length * 50 < totalBytes)
            {
                continue; // under 2% of the footprint: a placement of its own says little
            }

            var nodes = Enumerable.Repeat(slow, r).ToArray();
            nodes[i] = fast;
            cases.Add(new($"region-{i}-fast", "static", $"region {i} ({Units.FormatSize(regions[i].Length)}) on {topology.Nodes[fast].Name}, the rest on {topology.Nodes[slow].Name}",
                StaticPlacement.FromNodes(nodes, slow), null));
        }

        // Not a protocol placement: the layout check. A region that the traces
        // barely touch moved to the fast node changes no access's node that
        // matters, only where the slow node's later frames fall.
        var layout = LayoutRegion(Enumerable.Range(0, r).Select(estimator.RegionAccesses).ToList(), estimator.TotalAccesses);
        if (layout >= 0 && fast != slow)
        {
            var nodes = Enumerable.Repeat(slow, r).ToArray();
            nodes[layout] = fast;
            cases.Add(new(LayoutCase, LayoutKind,
                $"region {layout} ({estimator.RegionTouchedPages(layout)} touched pages, {estimator.RegionAccesses(layout):N0} accesses) on {topology.Nodes[fast].Name}, the rest on {topology.Nodes[slow].Name}: the layout check",
                StaticPlacement.FromNodes(nodes, slow), null));
        }

        var rng = new Random(seed);
        for (var k = 0; k < randomCount; k++)
        {
            var nodes = Enumerable.Range(0, r).Select(_ => topology.Nodes[rng.Next(topology.Nodes.Count)].Id).ToArray();
            cases.Add(new($"random-{k:00}", "static", "random region placement: " + string.Join(",", nodes), StaticPlacement.FromNodes(nodes, slow), null));
        }

        foreach (var (a, b) in new[] { (1, 1), (3, 1), (1, 3) })
        {
            cases.Add(new($"interleave-{a}-{b}", "static", $"pages interleaved {a}:{b} over {topology.Nodes[fast].Name}:{topology.Nodes[slow].Name}",
                StaticPlacement.InterleaveAll(r, [fast, slow], [a, b], slow), null));
        }

        var capacity = topology.Nodes[fast].CapacityBytes;
        // The search also chooses where pages outside every region go; the
        // gem5 run applies that as its default policy.
        var plan = PlacementSearch.FindBest(estimator, new PlacementSearchOptions { FastNode = fast, CapacityBytes = capacity });
        cases.Add(new("optimum", "static", $"estimator optimum under {Units.FormatSize(capacity)} on {topology.Nodes[fast].Name} ({plan.Method})",
            plan.ToStaticPlacement(), null));
        foreach (var name in DynamicPolicies.Where(n => DefaultPolicies.Find(n) is not null))
        {
            cases.Add(new($"policy-{name}", "dynamic", $"built-in policy {name} (defaults)", null,
                new PolicySpec { Name = name, TimeScale = experiment.Policy.TimeScale }));
        }

        return cases;
    }

    /// <summary>Runs every case; gem5 runs go <paramref name="parallel"/> at a time.</summary>
    public async Task<IReadOnlyList<CrossCheckRow>> RunAsync(IReadOnlyList<CrossCheckCase> cases, int parallel, Action<string> log, CancellationToken ct)
    {
        Directory.CreateDirectory(Folder);
        using var gate = new SemaphoreSlim(Math.Max(1, parallel));
        var tasks = cases.Select(async c =>
        {
            var (estimate, estHost, estMigrations) = await EstimateAsync(c, ct);
            await gate.WaitAsync(ct);
            RunResult gem5;
            try
            {
                gem5 = await Gem5Async(c, log, ct);
            }
            finally
            {
                gate.Release();
            }

            log($"{c.Id}: estimate {estimate * 1e6:F1} us, gem5 {(gem5.Status == RunStatus.Succeeded ? $"{gem5.SimulatedSeconds * 1e6:F1} us" : "failed: " + gem5.FailureReason)}");
            return new CrossCheckRow
            {
                Case = c.Id,
                Kind = c.Kind,
                EstimatedSeconds = estimate,
                MeasuredSeconds = gem5.Status == RunStatus.Succeeded ? gem5.SimulatedSeconds : 0,
                EstimatorHostSeconds = estHost,
                Gem5HostSeconds = gem5.HostSeconds,
                Gem5Migrations = gem5.MigratedPages,
                EstimatorMigrations = estMigrations,
                Failure = gem5.Status == RunStatus.Succeeded ? null : gem5.FailureReason,
                FitsCapacity = c.Static is null || FastBytes(c.Static) <= experiment.Spec.Nodes[FastNode].CapacityBytes,
            };
        }).ToList();
        return await Task.WhenAll(tasks);
    }

    /// <summary>
    /// Window diagnosis of every finished case that recorded a window trace
    /// (cases stored by older versions have none and are skipped), with the
    /// placement check of static <paramref name="cases"/>, and how far gem5's
    /// times differ between runs with the same placement in a window. An
    /// unreadable trace is reported to <paramref name="log"/> and left out.
    /// </summary>
    public CrossCheckDiagnosis Diagnose(IReadOnlyList<CrossCheckRow> rows, Action<string> log, IReadOnlyList<CrossCheckCase>? cases = null)
    {
        var runs = new List<(string, WindowTrace)>();
        var statics = (cases ?? []).Where(c => c.Static is not null).ToDictionary(c => c.Id, c => c.Static!);
        var result = new List<WindowDiagnosis>();
        // The layout check has its own line in crosscheck.md and stays out of every figure here.
        foreach (var row in rows.Where(r => r.MeasuredSeconds > 0 && r.Kind != LayoutKind))
        {
            var path = Path.Combine(Folder, row.Case, WindowTraceFile);
            if (!File.Exists(path))
            {
                continue;
            }

            WindowTrace run;
            try
            {
                run = TraceReader.ReadFile(path);
            }
            catch (Exception ex) when (ex is TraceFormatException or IOException)
            {
                log($"{row.Case}: window trace {path} cannot be read, so windows.md leaves the case out: {ex.Message}");
                continue;
            }

            var diagnosis = WindowDiagnosis.Of(row.Case, estimator, run, row.EstimatedSeconds * 1e6, FastNode, SlowNode);
            if (statics.TryGetValue(row.Case, out var placement))
            {
                var check = WindowDiagnosis.CheckPlacement(estimator.PagePlacement(placement), run);
                if (check.Misplaced > 0)
                {
                    log($"{row.Case}: gem5 put {check.Misplaced} of {check.Compared} touched pages on another node than the estimate assumed");
                }

                diagnosis = diagnosis with { PlacementCheck = check };
            }

            result.Add(diagnosis);
            runs.Add((row.Case, run));
        }

        return new CrossCheckDiagnosis(result, PlacementRepeatability.Of(runs));
    }

    /// <summary>
    /// Bytes a static placement puts on the fast node: touched pages
    /// (interleave by weight share), plus the untraced frames (image, page
    /// tables) when the other pages go there too, as the placement search counts them.
    /// </summary>
    public ulong FastBytes(StaticPlacement placement)
    {
        var fast = FastNode;
        double pages = placement.OtherNode == fast ? estimator.OtherTouchedPages + (double)estimator.Traces.MaxUntracedFrames() : 0;
        for (var i = 0; i < placement.Regions.Count; i++)
        {
            var p = placement.Regions[i];
            var share = p.Mode == PlacementMode.Interleave
                ? (double)p.Nodes.Select((n, k) => n == fast ? (p.Weights.Count > k ? p.Weights[k] : 1) : 0).Sum()
                    / Math.Max(1, p.Nodes.Select((_, k) => p.Weights.Count > k ? p.Weights[k] : 1).Sum())
                : p.Nodes.Count > 0 && p.Nodes[0] == fast ? 1 : p.Mode == PlacementMode.Default && fast == 0 ? 1 : 0;
            pages += share * estimator.RegionTouchedPages(i);
        }

        return (ulong)Math.Ceiling(pages) * experiment.Spec.PageSize;
    }

    /// <summary>
    /// The key a case's stored gem5 result is reused under: the same
    /// <see cref="ResultKey"/> as <c>run</c>'s, with the placement written
    /// out for a static case, the policy for a dynamic one.
    /// </summary>
    public static ResultKey Key(CrossCheckCase c, Experiment run) =>
        ResultKey.For(run, c.Static is not null ? "static " + c.Static : "policy " + c.Policy!.DisplayName, c.Policy);

    /// <summary>The text of <see cref="CaseFile"/>: the key's value, then "name=digest" per input.</summary>
    public static string CaseText(ResultKey key) =>
        key.Value + "\n" + string.Concat(key.Inputs.Select(kv => $"{kv.Key}={kv.Value}\n"));

    private static Dictionary<string, string> CaseInputs(string text) =>
        text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(1)
            .Select(l => l.Split('=', 2)).Where(p => p.Length == 2)
            .GroupBy(p => p[0]).ToDictionary(g => g.Key, g => g.Last()[1]);

    private async Task<(double Seconds, double Host, ulong Migrations)> EstimateAsync(CrossCheckCase c, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        if (c.Static is not null)
        {
            // Many repetitions so that the per-placement time is measurable.
            var reps = 0;
            double us;
            do
            {
                us = estimator.EstimateStatic(c.Static).Microseconds;
                reps++;
            }
            while (clock.Elapsed.TotalMilliseconds < 5);
            return (us * 1e-6, clock.Elapsed.TotalSeconds / reps, 0);
        }

        var result = await EstimatorBackend.Create(estimator).RunAsync(experiment.Spec, PolicyFactory.Create(c.Policy!), null, ct);
        return (result.SimulatedSeconds, clock.Elapsed.TotalSeconds, result.MigratedPages);
    }

    /// <summary>What a case's gem5 run is: its folder, the experiment it runs (on gem5) and its result key.</summary>
    private (string Dir, Experiment Run, ResultKey Key) Prepare(CrossCheckCase c)
    {
        var dir = Path.Combine(Folder, c.Id);
        // Each run also records its own window trace, aligned with the
        // single-device traces, so that errors can be traced to windows.
        var spec = experiment.Spec with
        {
            OutputDir = dir,
            WindowTrace = new WindowTraceRequest(Path.Combine(dir, WindowTraceFile), estimator.Traces.Header.WindowInstructions),
        };
        var options = experiment.Gem5;
        if (c.Static is not null)
        {
            // Static placements ignore capacity, as the estimate does: every node can hold everything.
            var total = spec.Nodes.Aggregate(0UL, (s, n) => s + n.CapacityBytes);
            spec = spec with { Nodes = spec.Nodes.Select(n => n with { CapacityBytes = total }).ToList() };
            options = options with { DefaultPolicy = $"bind:{c.Static.OtherNode}" };
        }

        // A stored result counts only under the same key as run's: the same
        // placement or policy, machine and workload, and the same content of
        // the workload binary, gem5 binary and gem5-side Python.
        var run = experiment with { Backend = Gem5Backend.BackendName, Spec = spec, Gem5 = options };
        return (dir, run, Key(c, run));
    }

    /// <summary>
    /// Suffix of the folder a case's earlier result is set aside in while
    /// the case runs again; it goes when the new run ends and comes back
    /// when the run was cut short (see <see cref="PutBackSetAside"/>).
    /// </summary>
    public const string SetAsideSuffix = ".previous";

    /// <summary>
    /// How a case's gem5 run is made: the gem5 backend's simulator for the
    /// run (a test may stand in its own).
    /// </summary>
    public Func<Experiment, Action<string>, IMemorySimulator> Simulator { get; init; } =
        (run, log) => Backends.Get(run.Backend).Create(run, log);

    /// <summary>
    /// True when a succeeded gem5 result of <paramref name="c"/> is stored
    /// under its current key. A result that a cut-short run had set aside is
    /// put back first, so it counts.
    /// </summary>
    public bool IsStored(CrossCheckCase c)
    {
        var (dir, _, key) = Prepare(c);
        PutBackSetAside(dir, _ => { }, c.Id);
        var caseFile = Path.Combine(dir, CaseFile);
        return File.Exists(caseFile) && File.ReadAllText(caseFile).Split('\n', 2)[0] == key.Value
            && ReadStored(Path.Combine(dir, "gem5.json"), _ => { }, c.Id)?.Status == RunStatus.Succeeded;
    }

    /// <summary>
    /// Cases whose gem5 run happened elsewhere (a cluster task) and failed
    /// there: their rows carry this failure instead of a local gem5 run.
    /// </summary>
    public IReadOnlyDictionary<string, string> FailedElsewhere { get; init; } = new Dictionary<string, string>();

    private async Task<RunResult> Gem5Async(CrossCheckCase c, Action<string> log, CancellationToken ct)
    {
        var (dir, run, key) = Prepare(c);
        PutBackSetAside(dir, log, c.Id);
        var stored = Path.Combine(dir, "gem5.json");
        var caseFile = Path.Combine(dir, CaseFile);
        if (File.Exists(stored) && File.Exists(caseFile))
        {
            var text = await File.ReadAllTextAsync(caseFile, ct);
            if (text.Split('\n', 2)[0] == key.Value)
            {
                var previous = ReadStored(stored, log, c.Id);
                if (previous?.Status == RunStatus.Succeeded)
                {
                    return previous;
                }
            }
            else
            {
                log($"{c.Id}: running again: changed since the stored gem5 result: {string.Join(", ", key.ChangedSince(CaseInputs(text)))}");
            }
        }
        else if (File.Exists(stored))
        {
            log($"{c.Id}: running again: the stored gem5 result has no {CaseFile}");
        }

        if (FailedElsewhere.TryGetValue(c.Id, out var failure))
        {
            return new RunResult { Backend = Gem5Backend.BackendName, Status = RunStatus.Failed, FailureReason = failure, ExitCode = 1 };
        }

        IPlacementPolicy policy;
        if (c.Static is not null)
        {
            var byId = new Dictionary<ulong, RegionPlacement>();
            for (var i = 0; i < c.Static.Regions.Count; i++)
            {
                byId[estimator.Regions[i].Id] = c.Static.Regions[i];
            }

            policy = new RegionPlanPolicy(byId, RegionPlacement.Bind(c.Static.OtherNode));
        }
        else
        {
            policy = PolicyFactory.Create(c.Policy!);
        }

        // The earlier result (another key, or a failure) stays until the new
        // run has ended: a run cut short (cancelled, killed) must not take it along.
        var aside = dir + SetAsideSuffix;
        if (Directory.Exists(dir) && Directory.EnumerateFileSystemEntries(dir).Any())
        {
            Directory.Move(dir, aside);
        }

        RunResult result;
        try
        {
            result = await Simulator(run, line => log($"{c.Id}: {line}")).RunAsync(run.Spec, policy, null, ct);
        }
        catch
        {
            PutBackSetAside(dir, log, c.Id);
            throw;
        }

        if (result.Status == RunStatus.Cancelled && Directory.Exists(aside))
        {
            PutBackSetAside(dir, log, c.Id);
            return result;
        }

        Directory.CreateDirectory(dir);
        await File.WriteAllTextAsync(stored, JsonSerializer.Serialize(result, ResultStore.Json), CancellationToken.None);
        // The case file comes last: with it the new run is complete.
        await File.WriteAllTextAsync(caseFile, CaseText(key), CancellationToken.None);
        if (Directory.Exists(aside))
        {
            Directory.Delete(aside, recursive: true);
        }

        return result;
    }

    /// <summary>
    /// Puts back the result a case's run set aside when that run did not end
    /// (no <see cref="CaseFile"/> in <paramref name="dir"/>: cancelled, or the
    /// process killed); when it did end, the set-aside folder goes.
    /// </summary>
    private static void PutBackSetAside(string dir, Action<string> log, string id)
    {
        var aside = dir + SetAsideSuffix;
        if (!Directory.Exists(aside))
        {
            return;
        }

        if (File.Exists(Path.Combine(dir, CaseFile)))
        {
            Directory.Delete(aside, recursive: true);
            return;
        }

        if (Directory.Exists(dir))
        {
            Directory.Delete(dir, recursive: true);
        }

        Directory.Move(aside, dir);
        log($"{id}: a run of the case was cut short; its earlier stored result is back in {dir}");
    }

    private static RunResult? ReadStored(string path, Action<string> log, string id)
    {
        try
        {
            return JsonSerializer.Deserialize<RunResult>(File.ReadAllText(path), ResultStore.Json);
        }
        catch (Exception ex) when (ex is JsonException or IOException or UnauthorizedAccessException)
        {
            log($"{id}: running again: the stored gem5 result {path} cannot be read ({ex.Message})");
            return null;
        }
    }
}

/// <summary>The cross-check's per-case window diagnoses and the placement repeatability over all its runs.</summary>
/// <param name="Cases">One diagnosis per finished case with a window trace.</param>
/// <param name="Repeatability">Windows with the same placement in several runs, and how their gem5 times differ.</param>
public sealed record CrossCheckDiagnosis(IReadOnlyList<WindowDiagnosis> Cases, PlacementRepeatability Repeatability);
