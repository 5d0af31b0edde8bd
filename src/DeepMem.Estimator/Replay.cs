using System.Diagnostics;
using DeepMem.Core;

namespace DeepMem.Estimator;

/// <summary>
/// One replay of a trace index under a policy (see <see cref="EstimatorSimulator"/> for the rules).
/// Single use: <see cref="Run"/> once, then dispose, which ends the policy guard's thread.
/// </summary>
internal sealed class Replay : IDisposable
{
    private readonly SimulationSpec _spec;
    private readonly TraceIndex _ix;
    private readonly PolicyCallGuard _policy;
    private readonly IMigrationFeedback? _feedback;
    private readonly IProgress<RunProgress>? _progress;
    private readonly ulong _accessBytes;
    private readonly Topology _topology;
    private readonly int _n;
    private readonly int[] _nodeOf;
    private readonly ulong[] _used;
    private readonly ulong[] _capacity;
    private readonly ulong[] _untraced;
    private ulong _reserved;
    private readonly int[] _fastestFirst;
    private readonly RegionPlacement?[] _regionPlacement;
    private readonly int[]?[] _regionOrder;
    private readonly int[] _defaultOrder;

    // Run totals.
    private readonly double[] _totalReads;
    private readonly double[] _totalLatencyReads;
    private readonly double[] _totalWrites;

    // Current epoch.
    private readonly double[] _epochNodeReads;
    private readonly double[] _epochNodeWrites;
    private readonly double[] _windowStartReads;
    private readonly double[] _epochLatencyReads;
    private readonly double[] _epochPageReads;
    private readonly double[] _epochPageWrites;
    private readonly bool[] _epochTouched;
    private readonly List<int> _epochPages = [];

    // Cache refill after a move (estimator.refill on): pages moved whose
    // lines the caches have not refetched yet, and the window's memory-side
    // accesses per page.
    private readonly bool[] _refill;
    private readonly double[] _windowAccesses;

    // Windows replayed in parts: the part in which each of the window's new
    // pages is first touched (0 for the others), and the node first touch
    // would give each, predicted before they are placed.
    private readonly byte[] _firstPart;
    private readonly int[] _predicted;
    private readonly ulong[] _predictedUsed;
    private double _refetchedLines;
    private double _refetchMicros;
    private List<Rejection> _pendingRejections = [];
    private ulong _pendingMigrated;
    private double _pendingMigrationMicros;

    private double _micros;
    private ulong _instructions;
    private ulong _epochs;
    private ulong _migrated;
    private double _migrationMicros;
    // Migration stalls on N cores, as the patched gem5 charges them
    // (docs/gem5.md, "Migration stalls"): page i of a batch stalls thread
    // (k + i) mod T, k carrying over between batches. The run waits for
    // the most stalled thread, so a batch adds the largest per-thread sum
    // to the timeline, while the migration time reported is the whole cost.
    private readonly double[] _threadStall;
    private int _nextStalledThread;
    private readonly RejectionTally _rejections = new();
    private ulong _bindSpills;
    private ulong _epochStartInstructions;
    private ulong _fallbacks;
    private ulong _updates;
    private bool _bindSpillReported;

    public Replay(SimulationSpec spec, TraceIndex ix, IPlacementPolicy policy, IProgress<RunProgress>? progress, ulong accessBytes)
    {
        _spec = spec;
        _ix = ix;
        _policy = new PolicyCallGuard(policy, spec.PolicyDeadline);
        _feedback = policy as IMigrationFeedback;
        _progress = progress;
        _accessBytes = accessBytes;
        _topology = spec.ToTopology() with { TicksPerSecond = (ulong)Math.Round(ix.TicksPerSecond) };
        _n = ix.N;
        _nodeOf = new int[ix.P];
        Array.Fill(_nodeOf, -1);
        _used = new ulong[_n];
        _capacity = Enumerable.Range(0, _n).Select(_topology.CapacityPages).ToArray();
        _fastestFirst = _topology.NodesFastestFirst.Select(x => x.Id).ToArray();
        _defaultOrder = Enumerable.Range(0, _n).ToArray();
        _regionPlacement = new RegionPlacement?[ix.R];
        _regionOrder = new int[ix.R][];
        _totalReads = new double[_n];
        _totalLatencyReads = new double[_n];
        _totalWrites = new double[_n];
        _epochNodeReads = new double[_n];
        _epochNodeWrites = new double[_n];
        _windowStartReads = new double[_n];
        _epochLatencyReads = new double[_n];
        var epochs = spec.Epoch.IsSet;
        _epochPageReads = epochs ? new double[ix.P] : [];
        _epochPageWrites = epochs ? new double[ix.P] : [];
        _epochTouched = epochs ? new bool[ix.P] : [];
        _untraced = ix.Set.UntracedFrames();
        var touches = ix.TouchOffsets is not null;
        _refill = touches ? new bool[ix.P] : [];
        _windowAccesses = touches ? new double[ix.P] : [];
        _threadStall = new double[Math.Max(1, ix.Set.Header.Cores)];
        var parts = spec.Epoch.IsTime && !touches;
        _firstPart = parts ? new byte[ix.P] : [];
        _predicted = parts ? new int[ix.P] : [];
        _predictedUsed = new ulong[_n];
    }

    /// <summary>
    /// Takes the untraced frames of window <paramref name="w"/> from the
    /// nodes as gem5's default (local) policy does: node 0 first, then the
    /// next node by id when full. They are allocated before the window's
    /// own first touches (the image is mapped at load).
    /// </summary>
    private void ReserveUntraced(int w)
    {
        if (_untraced.Length == 0)
        {
            return;
        }

        var want = _untraced[Math.Min(w, _untraced.Length - 1)];
        for (var d = 0; d < _n && _reserved < want; d++)
        {
            var room = _capacity[d] > _used[d] ? _capacity[d] - _used[d] : 0;
            var take = Math.Min(room, want - _reserved);
            _used[d] += take;
            _reserved += take;
        }
    }

    private CancellationToken _ct;

    /// <summary>Ends the policy guard's thread (the run is over).</summary>
    public void Dispose() => _policy.Dispose();

    public EstimatorRun Run(Stopwatch clock, CancellationToken ct)
    {
        _ct = ct;
        var windowMicros = new double[_ix.W];
        try
        {
            try
            {
                _policy.Initialize(_topology, ct);
            }
            catch (PolicyFailedException e)
            {
                return Finish(RunStatus.Failed, e.Message, clock, windowMicros);
            }

            var nextRegion = 0;
            var regions = _ix.Set.Regions;
            var regionOrder = Enumerable.Range(0, regions.Count).OrderBy(r => regions[r].FirstWindow).ToArray();
            var epochLength = _spec.EpochInstructions;
            var nextEpochEnd = epochLength;
            // An epoch in simulated time ends at the first window (or window
            // part) boundary at or after each multiple of it on the estimated
            // timeline (which depends on the placement and the migrations so far).
            var epochMicros = _spec.Epoch.Nanoseconds / 1000;
            var nextEpochEndMicros = epochMicros;
            var share = new double[_n];
            var epochStartMicros = 0.0;
            for (var w = 0; w < _ix.W; w++)
            {
                if (ct.IsCancellationRequested)
                {
                    return Finish(RunStatus.Cancelled, $"cancelled after {w} of {_ix.W} windows", clock, windowMicros);
                }

                while (nextRegion < regionOrder.Length && regions[regionOrder[nextRegion]].FirstWindow <= w)
                {
                    if (!PlaceRegion(regionOrder[nextRegion++], out var failure))
                    {
                        return Finish(RunStatus.Failed, failure, clock, windowMicros);
                    }
                }

                ReserveUntraced(w);

                // An epoch in time shorter than the window: the window is
                // replayed in parts, each a share of its accesses and
                // instructions, so the policy decides as often as in gem5.
                // The window's new pages are first touched across its parts.
                var parts = SubWindows(w, epochMicros, nextEpochEndMicros, share);
                for (var j = 0; j < parts; j++)
                {
                    if (!PlaceFirstTouches(w, j, parts, out var oomFirst))
                    {
                        return Finish(RunStatus.Failed, oomFirst, clock, windowMicros);
                    }

                    var t = ReplayWindow(w, j, parts, share);
                    windowMicros[w] += t;
                    _micros += t;
                    _instructions += Part(_ix.WindowInstructions[w], j, parts);
                    if (w == _ix.W - 1)
                    {
                        break; // no epoch ends after the last window
                    }

                    bool due;
                    if (epochLength > 0)
                    {
                        due = _instructions >= nextEpochEnd;
                        while (nextEpochEnd <= _instructions)
                        {
                            nextEpochEnd += epochLength;
                        }
                    }
                    else
                    {
                        due = epochMicros > 0 && _micros >= nextEpochEndMicros;
                        while (due && nextEpochEndMicros <= _micros)
                        {
                            nextEpochEndMicros += epochMicros;
                        }
                    }

                    if (due)
                    {
                        // The next epoch starts here; the migrations decided now are charged to it.
                        var boundary = _micros;
                        if (!EndEpoch(epochStartMicros, out var failure))
                        {
                            return Finish(RunStatus.Failed, failure, clock, windowMicros);
                        }

                        epochStartMicros = boundary;
                    }
                }

                if (parts > 1)
                {
                    for (int i = _ix.FirstTouchOffsets[w], end = _ix.FirstTouchOffsets[w + 1]; i < end; i++)
                    {
                        _firstPart[_ix.FirstTouchPages[i]] = 0;
                    }
                }
            }

            return Finish(RunStatus.Succeeded, null, clock, windowMicros);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // Only the caller's token cancels; the policy's own exceptions are failures (PolicyCallGuard).
            return Finish(RunStatus.Cancelled, "cancelled", clock, windowMicros);
        }
    }

    private bool PlaceRegion(int r, out string failure)
    {
        failure = "";
        var tr = _ix.Set.Regions[r];
        var region = tr.ToRegion(_instructions, Ticks(_micros));
        RegionPlacement? placement;
        try
        {
            placement = _policy.PlaceRegion(region, _ct);
        }
        catch (PolicyFailedException e)
        {
            failure = e.Message;
            return false;
        }

        var why = placement is null ? "no placement (null)" : InterleavePattern.Check(placement, _n);
        if (placement is null || why is not null)
        {
            _pendingRejections.Add(new Rejection(0, $"region {tr.Id}: {why}; using the default placement"));
            _rejections.Add(0, $"region placement: {why}; using the default placement");
            placement = RegionPlacement.Default;
        }

        _regionPlacement[r] = placement;
        _regionOrder[r] = placement.Mode switch
        {
            PlacementMode.Default => _defaultOrder,
            PlacementMode.Preferred => Prepend([placement.Nodes[0]]),
            PlacementMode.Bind => Prepend(placement.Nodes.Distinct().ToArray()),
            _ => null,
        };
        return true;
    }

    private int[] Prepend(int[] first) => first.Concat(_fastestFirst.Where(d => !first.Contains(d))).ToArray();

    /// <summary>
    /// Into how many parts window <paramref name="w"/> is replayed: one,
    /// unless epochs are in simulated time and the window's time on the
    /// placement it starts with crosses two or more epoch ends (threaded
    /// traces: a window of core 0's instructions can last several epochs);
    /// then as many parts as it crosses epoch ends, the first of them at
    /// <paramref name="nextEpochEndMicros"/>. Equal parts, one per epoch end
    /// crossed, each cross exactly one, so the policy decides as often as
    /// in gem5 (parts by the window's time over the epoch, rounded down,
    /// lost one decision in six on windows of one to five epochs). Not with
    /// refill, which works on whole windows, and not for the last window,
    /// after which no epoch ends.
    /// </summary>
    private int SubWindows(int w, double epochMicros, double nextEpochEndMicros, double[] share)
    {
        if (!(epochMicros > 0) || _refill.Length > 0 || w == _ix.W - 1)
        {
            return 1;
        }

        // Every window formula lies at or below the slowest node's trace
        // time, so a window that crosses at most one epoch end there needs
        // no estimate (single-core traces: nearly every window).
        var ix = _ix;
        var slowest = 0.0;
        for (var d = 0; d < _n; d++)
        {
            slowest = Math.Max(slowest, ix.WindowMicros[w * _n + d]);
        }

        if (EpochEndsCrossed(slowest, epochMicros, nextEpochEndMicros) <= 1)
        {
            return 1;
        }

        var a = ix.WindowAccesses[w];
        double micros;
        if (a > 0)
        {
            // The window's new pages are not placed yet: they count on the
            // nodes first touch will give them.
            Predict(w, 0);
            Array.Clear(share);
            for (int e = ix.Offsets[w], end = ix.Offsets[w + 1]; e < end; e++)
            {
                var p = ix.EntryPage[e];
                share[_nodeOf[p] >= 0 ? _nodeOf[p] : _predicted[p]] += ix.EntryWeight[e];
            }

            micros = ix.Mix(w, share, a);
        }
        else
        {
            micros = ix.FallbackMicros[w];
        }

        return Math.Max(1, EpochEndsCrossed(micros, epochMicros, nextEpochEndMicros));
    }

    /// <summary>
    /// How many epoch ends (<paramref name="nextEpochEndMicros"/> and every
    /// <paramref name="epochMicros"/> after it) the next <paramref name="micros"/>
    /// of the run cross, at most <see cref="MaxSubWindows"/>.
    /// </summary>
    private int EpochEndsCrossed(double micros, double epochMicros, double nextEpochEndMicros)
    {
        var end = _micros + micros;
        return end < nextEpochEndMicros ? 0 : (int)Math.Min(MaxSubWindows, 1 + Math.Floor((end - nextEpochEndMicros) / epochMicros));
    }

    private const int MaxSubWindows = 64;

    /// <summary>
    /// Part <paramref name="j"/> of <paramref name="parts"/> of a count:
    /// whole accesses go to one part each (cumulative rounding), and the
    /// parts add up to the count exactly, so a page touched once in the
    /// window is touched in exactly one part.
    /// </summary>
    private static double Part(double count, int j, int parts)
    {
        if (parts == 1)
        {
            return count;
        }

        var before = Math.Floor(count * j / parts + 0.5);
        return j == parts - 1 ? count - before : Math.Floor(count * (j + 1) / parts + 0.5) - before;
    }

    private static ulong Part(ulong count, int j, int parts) => (ulong)Part((double)count, j, parts);

    /// <summary>
    /// Replays part <paramref name="j"/> of <paramref name="parts"/> of window
    /// <paramref name="w"/> on the current placement: its share of the
    /// window's accesses go to the nodes and the epoch's counts, and it takes
    /// 1/<paramref name="parts"/> of the window formula's time for the
    /// window's access shares on the placement of the moment (µs): the pages
    /// placed so far where they are, the window's pages first touched in a
    /// later part where first touch would put them now. A page first touched
    /// in part s has its accesses (in the epoch's counts) in parts s and
    /// later only, spread evenly over them (<see cref="PlaceFirstTouches"/>);
    /// the other pages' accesses are spread over all parts.
    /// </summary>
    private double ReplayWindow(int w, int j, int parts, double[] share)
    {
        var ix = _ix;
        var nodeOf = _nodeOf;
        var pages = ix.EntryPage;
        var weight = ix.EntryWeight;
        var reads = ix.EntryReads;
        var writes = ix.EntryWrites;
        var epochs = _epochTouched.Length > 0;
        Array.Clear(share);
        Array.Copy(_epochNodeReads, _windowStartReads, _n);
        int start = ix.Offsets[w], end = ix.Offsets[w + 1];
        for (var e = start; e < end; e++)
        {
            var p = pages[e];
            var d = nodeOf[p];
            if (d < 0)
            {
                // First touched in a later part: no accesses yet, but the
                // window's time is that of all its accesses where they go.
                share[_predicted[p]] += weight[e];
                continue;
            }

            share[d] += weight[e];
            var s = parts > 1 ? _firstPart[p] : 0;
            var left = parts - s;
            var r = Part(reads[e], j - s, left);
            var wr = Part(writes[e], j - s, left);
            _epochNodeReads[d] += r;
            _epochNodeWrites[d] += wr;
            if (epochs && (parts == 1 || r + wr > 0))
            {
                EpochTouch(p);
                _epochPageReads[p] += r;
                _epochPageWrites[p] += wr;
            }

            if (_refill.Length > 0)
            {
                _windowAccesses[p] += r + wr;
            }
        }

        _updates += (ulong)(end - start);
        var refetch = _refill.Length > 0 ? Refill(w) : 0;
        AddLatencies(w);
        var a = ix.WindowAccesses[w];
        return (a > 0 ? ix.Mix(w, share, a) : ix.FallbackMicros[w]) / parts + refetch;
    }

    /// <summary>
    /// A moved page has a new frame, and the caches hold none of its lines
    /// under it: the first window that touches it again refetches every line
    /// the CPU touches there, beyond those the traces already show as memory
    /// accesses of that window (a page streaming from memory costs nothing
    /// extra; a cache-resident one costs up to its 64 lines). The refetches
    /// are reads of the page on its node: the policy sees them in the epoch's
    /// counts, and each costs <see cref="TraceIndex.RefetchMicros"/>.
    /// Returns the window's added µs.
    /// </summary>
    private double Refill(int w)
    {
        var ix = _ix;
        double micros = 0;
        var epochs = _epochTouched.Length > 0;
        for (int t = ix.TouchOffsets![w], end = ix.TouchOffsets[w + 1]; t < end; t++)
        {
            var p = ix.TouchPage![t];
            if (!_refill[p])
            {
                continue;
            }

            _refill[p] = false;
            var d = _nodeOf[p];
            var extra = ix.TouchLines![t] - _windowAccesses[p];
            if (d < 0 || extra <= 0)
            {
                continue;
            }

            _epochNodeReads[d] += extra;
            if (epochs)
            {
                EpochTouch(p);
                _epochPageReads[p] += extra;
            }

            _refetchedLines += extra;
            var cost = extra * ix.RefetchMicros(w, d);
            micros += cost;
            _refetchMicros += cost;
        }

        // Reset the window's per-page accesses.
        for (int e = ix.Offsets[w], end = ix.Offsets[w + 1]; e < end; e++)
        {
            _windowAccesses[ix.EntryPage[e]] = 0;
        }

        return micros;
    }

    private void EpochTouch(int p)
    {
        if (!_epochTouched[p])
        {
            _epochTouched[p] = true;
            _epochPages.Add(p);
        }
    }

    /// <summary>
    /// Adds the window's reads per node (what the epoch's reads grew by),
    /// weighted by the node's loaded latency at that read share
    /// (<see cref="TraceIndex.LoadedLatencyNs"/>), for the epoch's
    /// <see cref="NodeStats.AvgReadLatencyNs"/>; nothing without counters.
    /// </summary>
    private void AddLatencies(int w)
    {
        if (_ix.LatencyNs is null)
        {
            return;
        }

        var total = 0.0;
        for (var d = 0; d < _n; d++)
        {
            total += _epochNodeReads[d] - _windowStartReads[d];
        }

        for (var d = 0; d < _n; d++)
        {
            var r = _epochNodeReads[d] - _windowStartReads[d];
            if (r > 0)
            {
                _epochLatencyReads[d] += r * _ix.LoadedLatencyNs(w, d, r / total);
            }
        }
    }

    /// <summary>
    /// Places the pages window <paramref name="w"/> lists first, in the order
    /// <see cref="TraceIndex.FirstTouchPages"/> gives (region creation order).
    /// A page never returns to unplaced, so these are exactly the window's
    /// unplaced pages. A window replayed in parts spreads them over its
    /// parts in that order (part j places the K new pages from ⌈K·j/parts⌉
    /// on, so part 0 places at least one): a program allocates as it goes,
    /// and a policy that frees fast memory at an epoch's end sees the
    /// window's later pages take it, as in gem5.
    /// </summary>
    private bool PlaceFirstTouches(int w, int j, int parts, out string failure)
    {
        failure = "";
        var ix = _ix;
        int first = ix.FirstTouchOffsets[w], k = ix.FirstTouchOffsets[w + 1] - first;
        for (int i = first + Ceiling(k, j, parts), end = first + Ceiling(k, j + 1, parts); i < end; i++)
        {
            var p = ix.FirstTouchPages[i];
            if (FirstTouch(p) < 0)
            {
                failure = $"out of memory: every node is full when page 0x{ix.PageNumbers[p]:x} is first touched in window {w} (capacities in pages: {string.Join(", ", _capacity)})";
                return false;
            }

            if (parts > 1)
            {
                _firstPart[p] = (byte)j;
            }
        }

        if (parts > 1 && j < parts - 1)
        {
            Predict(w, Ceiling(k, j + 1, parts));
        }

        return true;
    }

    /// <summary>
    /// Predicts, into <c>_predicted</c>, the node first touch will give each
    /// of window <paramref name="w"/>'s new pages from its
    /// <paramref name="from"/>th on, in first-touch order, as the nodes are now.
    /// </summary>
    private void Predict(int w, int from)
    {
        var ix = _ix;
        var used = _predictedUsed;
        Array.Copy(_used, used, _n);
        for (int i = ix.FirstTouchOffsets[w] + from, end = ix.FirstTouchOffsets[w + 1]; i < end; i++)
        {
            var p = ix.FirstTouchPages[i];
            var d = FirstTouchNode(p, used, out _);
            _predicted[p] = Math.Max(d, 0);
            if (d >= 0)
            {
                used[d]++;
            }
        }
    }

    /// <summary>⌈k · j / parts⌉.</summary>
    private static int Ceiling(int k, int j, int parts) => (int)(((long)k * j + parts - 1) / parts);

    private int FirstTouch(int p)
    {
        var d = FirstTouchNode(p, _used, out var spill);
        if (d < 0)
        {
            return -1;
        }

        if (spill)
        {
            var r = _ix.PageRegion[p];
            var placement = r >= 0 ? _regionPlacement[r] : null;
            if (placement?.Mode == PlacementMode.Bind)
            {
                _bindSpills++;
                if (!_bindSpillReported)
                {
                    _bindSpillReported = true;
                    _progress?.Report(new RunProgress(_instructions, Ticks(_micros), _epochs, _migrated,
                        $"bound nodes [{string.Join(",", placement.Nodes)}] are full: page 0x{_ix.PageNumbers[p]:x} spilled to node {d} (Linux would fail the allocation); counted as a bind spill"));
                }
            }
            else
            {
                _fallbacks++;
            }
        }

        _used[d]++;
        _nodeOf[p] = d;
        return d;
    }

    /// <summary>
    /// The node first touch gives page <paramref name="p"/> when the nodes
    /// hold <paramref name="used"/> pages: the first in its region's order
    /// with room, -1 when every node is full. <paramref name="spill"/>: that
    /// node is not one the placement asks for (a fallback or a bind spill).
    /// </summary>
    private int FirstTouchNode(int p, ulong[] used, out bool spill)
    {
        spill = false;
        var r = _ix.PageRegion[p];
        var placement = r >= 0 ? _regionPlacement[r] : null;
        int[] order;
        var primaries = 1;
        if (placement is null)
        {
            order = _defaultOrder;
            primaries = 1;
        }
        else if (placement.Mode == PlacementMode.Interleave)
        {
            var slot = InterleavePattern.Slot(placement, _ix.PageNumbers[p]);
            var listed = placement.Nodes;
            var list = new List<int>(_n);
            for (var i = 0; i < listed.Count; i++)
            {
                var d = listed[(slot + i) % listed.Count];
                if (!list.Contains(d))
                {
                    list.Add(d);
                }
            }

            list.AddRange(_fastestFirst.Where(d => !list.Contains(d)));
            order = list.ToArray();
        }
        else
        {
            order = _regionOrder[r]!;
            primaries = placement.Mode == PlacementMode.Bind ? placement.Nodes.Distinct().Count() : 1;
        }

        for (var i = 0; i < order.Length; i++)
        {
            var d = order[i];
            if (used[d] < _capacity[d])
            {
                spill = i >= primaries;
                return d;
            }
        }

        return -1;
    }

    private bool EndEpoch(double epochStartMicros, out string failure)
    {
        failure = "";
        var report = BuildReport(epochStartMicros);
        _epochs++;
        IReadOnlyList<PageMigration> migrations;
        try
        {
            migrations = _policy.OnEpoch(report, _ct);
        }
        catch (PolicyFailedException e)
        {
            failure = e.Message;
            return false;
        }

        ApplyMigrations(migrations);
        _progress?.Report(new RunProgress(_instructions, Ticks(_micros), _epochs, _migrated));
        return true;
    }

    private EpochReport BuildReport(double epochStartMicros)
    {
        var stats = new NodeStats[_n];
        for (var d = 0; d < _n; d++)
        {
            stats[d] = Stats(d, _epochNodeReads[d], _epochNodeWrites[d], _epochLatencyReads[d]);
            _totalReads[d] += _epochNodeReads[d];
            _totalLatencyReads[d] += _epochLatencyReads[d];
            _totalWrites[d] += _epochNodeWrites[d];
        }

        Array.Clear(_epochNodeReads);
        Array.Clear(_epochNodeWrites);
        Array.Clear(_epochLatencyReads);
        var k = _epochPages.Count;
        var vpn = new ulong[k];
        var ids = new int[k];
        for (var i = 0; i < k; i++)
        {
            ids[i] = _epochPages[i];
            vpn[i] = _ix.PageNumbers[ids[i]];
        }

        Array.Sort(vpn, ids);
        var r = new uint[k];
        var wr = new uint[k];
        var nodes = new int[k];
        for (var i = 0; i < k; i++)
        {
            var p = ids[i];
            r[i] = ToCount(_epochPageReads[p]);
            wr[i] = ToCount(_epochPageWrites[p]);
            nodes[i] = _nodeOf[p];
            _epochPageReads[p] = 0;
            _epochPageWrites[p] = 0;
            _epochTouched[p] = false;
        }

        _epochPages.Clear();
        var epochInstructions = _spec.Epoch.IsTime ? _instructions - _epochStartInstructions : _spec.EpochInstructions;
        var report = new EpochReport(
            _epochs,
            Ticks(epochStartMicros),
            Ticks(_micros),
            epochInstructions,
            _instructions,
            stats,
            new PageCounts(vpn, r, wr, nodes),
            _pendingMigrated,
            Ticks(_pendingMigrationMicros),
            _pendingRejections)
        {
            // Traces count core 0's instructions only, so the other cores' are known only when there are none.
            CoreInstructions = _ix.Set.Header.Cores == 1 ? [(long)epochInstructions] : [],
        };
        _epochStartInstructions = _instructions;
        _pendingRejections = [];
        _pendingMigrated = 0;
        _pendingMigrationMicros = 0;
        return report;
    }

    private void ApplyMigrations(IReadOnlyList<PageMigration> migrations)
    {
        double cost = 0;
        ulong moved = 0;
        Array.Clear(_threadStall);
        var refused = _feedback is null ? null : new List<MigrationRefusal>();
        for (var i = 0; i < migrations.Count; i++)
        {
            var m = migrations[i];
            string? reason = null;
            // What the run's summary groups by: the reason without the item's own page.
            string? group = null;
            var p = -1;
            if ((uint)m.TargetNode >= (uint)_n)
            {
                reason = $"node {m.TargetNode} does not exist (nodes: {_n})";
                refused?.Add(new MigrationRefusal(i, MigrationProblem.NoSuchNode));
            }
            else if (!_ix.PageIds.TryGetValue(m.PageNumber, out p) || _nodeOf[p] < 0)
            {
                reason = $"page 0x{m.PageNumber:x} is not mapped";
                group = "page is not mapped";
                refused?.Add(new MigrationRefusal(i, MigrationProblem.NotMapped));
            }
            else if (_nodeOf[p] == m.TargetNode)
            {
                continue;
            }
            else if (_used[m.TargetNode] >= _capacity[m.TargetNode])
            {
                reason = $"node {m.TargetNode} ({_topology.Nodes[m.TargetNode].Name}) is full ({_capacity[m.TargetNode]} pages)";
                refused?.Add(new MigrationRefusal(i, MigrationProblem.NodeFull));
            }

            if (reason is not null)
            {
                _pendingRejections.Add(new Rejection(i, reason));
                _rejections.Add(i, group ?? reason);
                continue;
            }

            var from = _nodeOf[p];
            _used[from]--;
            _used[m.TargetNode]++;
            _nodeOf[p] = m.TargetNode;
            if (_refill.Length > 0)
            {
                _refill[p] = true;
            }

            var pageMicros = _spec.Migration.PageSeconds(_spec.PageSize, _topology.Nodes[from], _topology.Nodes[m.TargetNode]) * 1e6;
            cost += pageMicros;
            _threadStall[_nextStalledThread] += pageMicros;
            _nextStalledThread = (_nextStalledThread + 1) % _threadStall.Length;
            moved++;
        }

        var stall = _threadStall.Max();

        _feedback?.MigrationsApplied(migrations.Count, refused!);
        _migrated += moved;
        _migrationMicros += cost;
        _micros += stall;
        _pendingMigrated += moved;
        _pendingMigrationMicros += cost;
    }

    private NodeStats Stats(int d, double reads, double writes, double latencyReads)
    {
        var r = (ulong)Math.Round(reads);
        var w = (ulong)Math.Round(writes);
        var latency = reads > 0 ? latencyReads / reads : 0;
        return new NodeStats(d, r, w, r * _accessBytes, w * _accessBytes, latency, _used[d], _capacity[d] - _used[d]);
    }

    private EstimatorRun Finish(RunStatus status, string? reason, Stopwatch clock, double[] windowMicros)
    {
        var nodes = new NodeStats[_n];
        for (var d = 0; d < _n; d++)
        {
            nodes[d] = Stats(d, _totalReads[d] + _epochNodeReads[d], _totalWrites[d] + _epochNodeWrites[d], _totalLatencyReads[d] + _epochLatencyReads[d]);
        }

        var result = new RunResult
        {
            Backend = "estimator",
            Status = status,
            FailureReason = reason,
            ExitCode = status == RunStatus.Succeeded ? _ix.Set.Traces[0].End.ExitCode : 0,
            SimulatedSeconds = _micros * 1e-6,
            Ticks = Ticks(_micros),
            Instructions = _instructions,
            Epochs = _epochs,
            Nodes = nodes,
            MigratedPages = _migrated,
            MigrationSeconds = _migrationMicros * 1e-6,
            RejectedDecisions = _rejections.Total,
            Rejections = _rejections.Summary(),
            PolicyEpochs = _epochs,
            HostSeconds = clock.Elapsed.TotalSeconds,
        };
        _progress?.Report(new RunProgress(_instructions, result.Ticks, _epochs, _migrated, reason));
        return new EstimatorRun(result, windowMicros, _bindSpills, _fallbacks, _updates) { RefetchedLines = (ulong)Math.Round(_refetchedLines), RefetchMicroseconds = _refetchMicros };
    }

    private ulong Ticks(double micros) => (ulong)Math.Round(micros * 1e-6 * _ix.TicksPerSecond);

    private static uint ToCount(double x) => x >= uint.MaxValue ? uint.MaxValue : (uint)Math.Round(x);
}
