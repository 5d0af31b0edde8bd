namespace DeepMem.Estimator;

/// <summary>
/// Dense, precomputed form of a <see cref="TraceSet"/> shared by the static
/// estimator and the replay backend: dense page ids, per-window node times,
/// the reference counts as one flat array (CSR by window), and the linear
/// coefficients of the static estimate.
/// </summary>
internal sealed class TraceIndex
{
    public TraceIndex(TraceSet set, EstimatorOptions options)
    {
        if (!(options.WriteWeight >= 0) || double.IsInfinity(options.WriteWeight))
        {
            throw new ArgumentException($"write weight must be a finite number >= 0 (was {options.WriteWeight})");
        }

        Set = set;
        N = set.NodeCount;
        W = set.WindowCount;
        R = set.Regions.Count;
        TicksPerSecond = set.Header.TicksPerSecond;
        PageSize = set.PageSize;
        Reference = options.Reference;
        ReferenceNode = options.Reference == CountReference.Fastest ? set.FastestNode : -1;

        // Dense page ids over every trace.
        var ids = new Dictionary<ulong, int>();
        var pages = new List<ulong>();
        foreach (var t in set.Traces)
        {
            foreach (var w in t.Windows)
            {
                foreach (var p in w.Pages)
                {
                    if (!ids.ContainsKey(p))
                    {
                        ids.Add(p, pages.Count);
                        pages.Add(p);
                    }
                }
            }
        }

        PageIds = ids;
        PageNumbers = pages.ToArray();
        P = PageNumbers.Length;

        // Page -> region (the last-created region that contains it; -1: none).
        PageRegion = new int[P];
        var regionFirst = set.Regions.Select(r => r.Start / PageSize).ToArray();
        var regionPages = set.Regions.Select(r => r.ToRegion().PageCount(PageSize)).ToArray();
        var perRegion = new List<int>[R];
        for (var r = 0; r < R; r++)
        {
            perRegion[r] = [];
        }

        var other = new List<int>();
        for (var i = 0; i < P; i++)
        {
            var vpn = PageNumbers[i];
            var found = -1;
            for (var r = R - 1; r >= 0; r--)
            {
                if (vpn >= regionFirst[r] && vpn - regionFirst[r] < regionPages[r])
                {
                    found = r;
                    break;
                }
            }

            PageRegion[i] = found;
            if (found >= 0)
            {
                perRegion[found].Add(i);
            }
            else
            {
                other.Add(i);
            }
        }

        RegionPages = perRegion.Select(l => l.ToArray()).ToArray();
        OtherPages = other.ToArray();

        // Per-window node times in microseconds.
        WindowMicros = new double[W * N];
        FallbackMicros = new double[W];
        WindowInstructions = new ulong[W];
        for (var w = 0; w < W; w++)
        {
            var min = double.MaxValue;
            for (var d = 0; d < N; d++)
            {
                var us = set.Traces[d].Windows[w].Ticks / TicksPerSecond * 1e6;
                WindowMicros[w * N + d] = us;
                min = Math.Min(min, us);
            }

            FallbackMicros[w] = min;
            WindowInstructions[w] = set.Traces[0].Windows[w].Instructions;
        }

        (LatencyNs, FloorLatencyNs, ModelFloorNs) = BuildLatencies(set, options.LinkLatencyNs);
        if (options.Refill)
        {
            BuildTouches(set);
        }
        BuildReferenceCounts(set, options.WriteWeight);
        BuildFirstTouches();
        BuildCoefficients();
        if (options.UseCalibration && set.Calibrations.Count > 1)
        {
            CalibrationShapes = FitKnots(set.Calibrations, options.WriteWeight);
        }
        else if (options.UseCalibration && set.Calibration is { } calibration)
        {
            (Exponent, Curvature, CalibrationShapes) = FitCalibration(calibration, options.WriteWeight);
        }
        else if (options.LoadedLatency != LoadedLatency.Off && LatencyNs is not null)
        {
            BuildLoadedModel(set, options.LoadedLatency);
        }
    }

    /// <summary>
    /// Mean read latency of node d in window w when it holds all the data
    /// (its own trace's memory counters), ns, at [w * N + d]; null when a
    /// trace has no counters.
    /// </summary>
    public double[]? LatencyNs { get; }

    /// <summary>Per node, its lowest window latency over its trace and the calibration run (windows with 100+ reads): the unloaded latency.</summary>
    public double[]? FloorLatencyNs { get; }

    /// <summary>
    /// The loaded read latency node <paramref name="d"/> shows in window
    /// <paramref name="w"/> when it serves a share <paramref name="readShare"/>
    /// of the window's reads: from the unloaded latency at share 0 to its
    /// single-device trace's latency at share 1, linearly (queueing grows with
    /// the load). 0 without counters.
    /// </summary>
    public double LoadedLatencyNs(int w, int d, double readShare)
    {
        if (LatencyNs is null || FloorLatencyNs is null)
        {
            return 0;
        }

        var full = LatencyNs[w * N + d];
        var floor = FloorLatencyNs[d];
        return full > floor ? floor + (full - floor) * Math.Clamp(readShare, 0, 1) : full;
    }

    private (double[]?, double[]?, double[]?) BuildLatencies(TraceSet set, IReadOnlyDictionary<string, double> linkNs)
    {
        if (set.Traces.Any(t => t.Windows.Any(w => w.Memory is null)))
        {
            return (null, null, null);
        }

        const ulong MinReads = 100;
        var tps = TicksPerSecond;
        var latency = new double[W * N];
        var floor = new double[N];
        var own = new double[N];
        Array.Fill(floor, double.PositiveInfinity);
        Array.Fill(own, double.PositiveInfinity);
        static void Floor(double[] floors, int d, MemoryCounters m, double tps)
        {
            if (m.Reads >= MinReads)
            {
                floors[d] = Math.Min(floors[d], m.MeanReadLatencyNs(tps));
            }
        }

        for (var d = 0; d < N; d++)
        {
            for (var w = 0; w < W; w++)
            {
                var m = set.Traces[d].Windows[w].Memory![d];
                latency[w * N + d] = m.MeanReadLatencyNs(tps);
                Floor(own, d, m, tps);
                if (set.Calibration?.Windows is { } cal && w < cal.Count && cal[w].Memory is { } cm && cm.Length == N)
                {
                    Floor(floor, d, cm[d], tps);
                }
            }

            floor[d] = Math.Min(floor[d], own[d]);
            if (double.IsPositiveInfinity(floor[d]))
            {
                floor[d] = Enumerable.Range(0, W).Select(w => latency[w * N + d]).Where(v => v > 0).DefaultIfEmpty(0).Min();
            }

            if (double.IsPositiveInfinity(own[d]))
            {
                own[d] = floor[d];
            }
        }

        // A read crosses the node's link (if any) before the controller sees it.
        for (var d = 0; d < N; d++)
        {
            if (linkNs.TryGetValue(set.Header.Nodes[d].Name, out var link) && link > 0)
            {
                for (var w = 0; w < W; w++)
                {
                    latency[w * N + d] += link;
                }

                floor[d] += link;
                own[d] += link;
            }
        }

        return (latency, floor, own);
    }

    /// <summary>
    /// The CPU's touches per window (CSR by window: <see cref="TouchOffsets"/>[w]
    /// .. [w + 1] index <see cref="TouchPage"/> and <see cref="TouchLines"/>),
    /// from the reference trace (the fastest node's when the reference is the
    /// average; the CPU runs the same instructions in every trace). Pages
    /// without memory-side accesses in any trace are left out. Null when
    /// refill is off (<see cref="EstimatorOptions.Refill"/>).
    /// </summary>
    public int[]? TouchOffsets { get; private set; }

    /// <summary>Dense page id of each touch entry.</summary>
    public int[]? TouchPage { get; private set; }

    /// <summary>Cache lines of the page the CPU touched in the window.</summary>
    public byte[]? TouchLines { get; private set; }

    private void BuildTouches(TraceSet set)
    {
        var node = ReferenceNode >= 0 ? ReferenceNode : set.FastestNode;
        var trace = set.Traces[node];
        if (trace.Windows.Any(w => w.Touches is null))
        {
            throw new TraceSetException([$"the {set.Header.Nodes[node].Name} trace has no CPU touches (cpu_pages, cpu_lines): estimator.refill needs them; record the traces again with deepmem trace"]);
        }

        var offsets = new int[W + 1];
        var page = new List<int>();
        var lines = new List<byte>();
        for (var w = 0; w < W; w++)
        {
            var t = trace.Windows[w].Touches!;
            for (var i = 0; i < t.Pages.Length; i++)
            {
                if (PageIds.TryGetValue(t.Pages[i], out var id))
                {
                    page.Add(id);
                    lines.Add(t.Lines[i]);
                }
            }

            offsets[w + 1] = page.Count;
        }

        (TouchOffsets, TouchPage, TouchLines) = (offsets, page.ToArray(), lines.ToArray());
    }

    /// <summary>
    /// What one line the caches refetch from node <paramref name="d"/> costs
    /// in window <paramref name="w"/>, µs: the node's trace time per memory
    /// access in that window, at most its mean read latency there (a miss
    /// the core waits for in full).
    /// </summary>
    public double RefetchMicros(int w, int d)
    {
        var a = WindowAccesses[w];
        var perAccess = a > 0 ? WindowMicros[w * N + d] / a : double.PositiveInfinity;
        var latency = LatencyNs is { } lat && lat[w * N + d] > 0 ? lat[w * N + d] * 1e-3 : double.PositiveInfinity;
        var cost = Math.Min(perAccess, latency);
        return double.IsPositiveInfinity(cost) ? 0 : cost;
    }

    /// <summary>Smallest and largest exponent the calibration may fit.</summary>
    public const double MinExponent = 0.125, MaxExponent = 8;

    /// <summary>
    /// γ(w) of the calibrated window formula fitted to one calibration run
    /// (two nodes; null without one, or with several, see <see cref="KnotOffsets"/>): T(w) = T_0(w) + (T_1(w) − T_0(w)) · x^γ(w) + κ(w) · x(1 − x),
    /// x = the share of the window's accesses on node 1. γ = 1 and κ = 0 is
    /// the linear formula.
    /// </summary>
    public double[]? Exponent { get; }

    /// <summary>The calibrated formula is in use: fitted to one calibration run (<see cref="Exponent"/>) or to several (<see cref="KnotOffsets"/>).</summary>
    public bool Calibrated => Exponent is not null || KnotOffsets is not null;

    /// <summary>How many windows take each shape of the calibrated formula; null without a calibration.</summary>
    public CalibrationShapes? CalibrationShapes { get; }

    /// <summary>
    /// κ(w) of the calibrated window formula, µs (≤ 0): non-zero only in the
    /// windows where the calibration run was faster than both nodes' traces
    /// (both nodes' channels serving at once), where γ = 1 and the formula is
    /// the parabola through T_0, the calibration window and T_1.
    /// </summary>
    public double[]? Curvature { get; }

    /// <summary>
    /// The window formula for window <paramref name="w"/>, with
    /// <paramref name="share"/>[d] = A_d(w) and <paramref name="accesses"/> = A(w) &gt; 0:
    /// Σ_d T_d(w) · A_d(w) / A(w), or its calibrated form.
    /// </summary>
    public double Mix(int w, ReadOnlySpan<double> share, double accesses)
    {
        var row = w * N;
        if (KnotOffsets is { } ko)
        {
            return Interpolate(ko[w], ko[w + 1], Math.Clamp(share[1] / accesses, 0, 1));
        }

        if (Exponent is { } gamma)
        {
            var x = Math.Clamp(share[1] / accesses, 0, 1);
            var curved = WindowMicros[row] + (WindowMicros[row + 1] - WindowMicros[row]) * Math.Pow(x, gamma[w]) + Curvature![w] * x * (1 - x);
            return Math.Max(curved, 0);
        }

        if (LatencySlope is { } slope && !double.IsNaN(slope[w]))
        {
            return MixLoaded(w, share, accesses);
        }

        double t = 0;
        for (var d = 0; d < N; d++)
        {
            t += WindowMicros[row + d] * share[d];
        }

        return t / accesses;
    }

    /// <summary>The loaded-latency model is in use (see <see cref="BuildLoadedModel"/>).</summary>
    public bool LoadedModel => LatencySlope is not null;

    /// <summary>The shape of the loaded-latency model (Off when it is not in use).</summary>
    public LoadedLatency LoadedShape { get; private set; }

    /// <summary>C(w) of the loaded-latency model, µs: the window's time that does not depend on memory latency.</summary>
    public double[]? LatencyBase { get; private set; }

    /// <summary>S(w) of the loaded-latency model, µs per ns of mean access latency; NaN where the window keeps the linear formula.</summary>
    public double[]? LatencySlope { get; private set; }

    /// <summary>T_d(w) − C(w) − S(w)·L_d(w) at [w * N + d] (0 for two nodes; the fit's residual for more).</summary>
    public double[]? LatencyResidual { get; private set; }

    /// <summary>
    /// Per node, the unloaded latency the loaded-latency model uses, ns: as
    /// <see cref="FloorLatencyNs"/> but from the node's own trace only, so
    /// that a calibration run can serve as a held-out check of the model.
    /// </summary>
    public double[]? ModelFloorNs { get; }

    /// <summary>Windows where the loaded-latency model applies (the others keep the linear formula).</summary>
    public int LoadedWindows { get; private set; }

    private const ulong MinModelReads = 10;

    /// <summary>
    /// Fits, per window, T_d(w) = C(w) + S(w)·L_d(w) over the nodes' single-
    /// device traces (L_d: the node's mean read latency there): the time that
    /// does not depend on memory latency and the time per ns of it. Two nodes
    /// determine C and S; more are fitted by least squares and each node keeps
    /// its residual, so that every all-on-one-node placement still gives its
    /// trace's time. A window keeps the linear formula when a node served
    /// fewer than 10 reads, the latencies are within 2% of each other, S ≤ 0
    /// or C &lt; 0.
    /// </summary>
    private void BuildLoadedModel(TraceSet set, LoadedLatency shape)
    {
        var lat = LatencyNs!;
        var baseline = new double[W];
        var slope = new double[W];
        var resid = new double[W * N];
        var loaded = 0;
        for (var w = 0; w < W; w++)
        {
            var row = w * N;
            slope[w] = double.NaN;
            var ok = true;
            double sl = 0, st = 0, sll = 0, slt = 0, lo = double.MaxValue, hi = 0;
            for (var d = 0; d < N; d++)
            {
                if (set.Traces[d].Windows[w].Memory![d].Reads < MinModelReads)
                {
                    ok = false;
                    continue;
                }

                var l = lat[row + d];
                var t = WindowMicros[row + d];
                (sl, st, sll, slt) = (sl + l, st + t, sll + l * l, slt + l * t);
                lo = Math.Min(lo, l);
                hi = Math.Max(hi, l);
            }

            if (!ok || hi - lo < 0.02 * lo)
            {
                continue;
            }

            var s = (N * slt - sl * st) / (N * sll - sl * sl);
            var c = (st - s * sl) / N;
            if (!(s > 0) || !(c >= 0))
            {
                continue;
            }

            (baseline[w], slope[w]) = (c, s);
            for (var d = 0; d < N; d++)
            {
                resid[row + d] = WindowMicros[row + d] - c - s * lat[row + d];
            }

            loaded++;
        }

        (LatencyBase, LatencySlope, LatencyResidual, LoadedWindows, LoadedShape) = (baseline, slope, resid, loaded, shape);
    }

    /// <summary>
    /// T(w) = C(w) + Σ_d x_d · (S(w) · L_d(x_d) + residual_d), x_d the node's
    /// share of the window's accesses and L_d(x) = floor_d + (L_d − floor_d) · x
    /// its loaded latency at that share: the unloaded latency (the node's
    /// lowest window latency in its own trace) plus its trace's queueing
    /// delay in proportion to the share.
    /// </summary>
    private double MixLoaded(int w, ReadOnlySpan<double> share, double accesses)
    {
        var row = w * N;
        var s = LatencySlope![w];
        var t = LatencyBase![w];
        for (var d = 0; d < N; d++)
        {
            var x = share[d] / accesses;
            if (x > 0)
            {
                var full = LatencyNs![row + d];
                var floor = ModelFloorNs![d];
                var latency = full > floor ? floor + (full - floor) * Math.Min(x, 1) : full;
                t += x * (s * latency + LatencyResidual![row + d]);
            }
        }

        return t;
    }

    /// <summary>
    /// With two or more calibration runs, window w's knots of the calibrated
    /// formula are KnotX/KnotT[KnotOffsets[w] .. KnotOffsets[w + 1]): (0, T_0(w)),
    /// each run's (x_c, T_c(w)) in x order, (1, T_1(w)). The formula is the
    /// monotone cubic through them (PCHIP: between two knots it never leaves
    /// their range unless the data does), with a corner at a measured mix
    /// faster or slower than both its neighbours, where two channels' loads
    /// balance. Null with fewer runs.
    /// </summary>
    public int[]? KnotOffsets { get; private set; }

    /// <summary>The knots' shares of accesses on node 1 (see <see cref="KnotOffsets"/>).</summary>
    public double[] KnotX { get; private set; } = [];

    /// <summary>The knots' window times, µs (see <see cref="KnotOffsets"/>).</summary>
    public double[] KnotT { get; private set; } = [];

    private double Interpolate(int first, int end, double x)
    {
        var i = first + 1;
        while (i < end - 1 && x > KnotX[i])
        {
            i++;
        }

        var (x0, x1) = (KnotX[i - 1], KnotX[i]);
        var h = x1 - x0;
        if (!(h > 0))
        {
            return Math.Max(KnotT[i], 0);
        }

        // Cubic Hermite with the knots' shape-preserving slopes; at a
        // measured mix that is a local extreme, the slope on each side is
        // that side's secant, so the curve has a corner there.
        var u = (x - x0) / h;
        var secant = (KnotT[i] - KnotT[i - 1]) / h;
        var d0 = KnotD[i - 1] == 0 && i - 1 > first ? secant : KnotD[i - 1];
        var d1 = KnotD[i] == 0 && i < end - 1 ? secant : KnotD[i];
        var (h00, h10, h01, h11) = (((2 * u) - 3) * u * u + 1, ((u - 2) * u + 1) * u, (3 - (2 * u)) * u * u, (u - 1) * u * u);
        return Math.Max(h00 * KnotT[i - 1] + h10 * h * d0 + h01 * KnotT[i] + h11 * h * d1, 0);
    }

    /// <summary>
    /// The knots' slopes, µs per unit of x: Fritsch–Carlson's monotone
    /// choice, as SciPy's PchipInterpolator makes it (0 at a local extreme,
    /// where <see cref="Interpolate"/> puts a corner instead; see <see cref="KnotOffsets"/>).
    /// </summary>
    public double[] KnotD { get; private set; } = [];

    private static void Slopes(ReadOnlySpan<double> x, ReadOnlySpan<double> t, Span<double> d)
    {
        var n = x.Length;
        if (n == 2)
        {
            d[0] = d[1] = (t[1] - t[0]) / (x[1] - x[0]);
            return;
        }

        Span<double> delta = stackalloc double[n - 1];
        Span<double> h = stackalloc double[n - 1];
        for (var k = 0; k < n - 1; k++)
        {
            h[k] = x[k + 1] - x[k];
            delta[k] = (t[k + 1] - t[k]) / h[k];
        }

        for (var k = 1; k < n - 1; k++)
        {
            if (delta[k - 1] * delta[k] <= 0)
            {
                d[k] = 0;
            }
            else
            {
                var (w1, w2) = (2 * h[k] + h[k - 1], h[k] + 2 * h[k - 1]);
                d[k] = (w1 + w2) / (w1 / delta[k - 1] + w2 / delta[k]);
            }
        }

        d[0] = EndSlope(h[0], h[1], delta[0], delta[1]);
        d[n - 1] = EndSlope(h[n - 2], h[n - 3], delta[n - 2], delta[n - 3]);
    }

    private static double EndSlope(double h0, double h1, double m0, double m1)
    {
        var d = ((2 * h0 + h1) * m0 - h0 * m1) / (h0 + h1);
        if (Math.Sign(d) != Math.Sign(m0))
        {
            return 0;
        }

        return Math.Sign(m0) != Math.Sign(m1) && Math.Abs(d) > Math.Abs(3 * m0) ? 3 * m0 : d;
    }

    /// <summary>A calibration window's share of (weighted) accesses on node 1; 0 without accesses.</summary>
    private static double SlowShare(TraceWindow c, double writeWeight)
    {
        double all = 0, one = 0;
        for (var i = 0; i < c.Pages.Length; i++)
        {
            var a = c.Reads[i] + writeWeight * c.Writes[i];
            all += a;
            one += c.Nodes[i] == 1 ? a : 0;
        }

        return all > 0 ? one / all : 0;
    }

    /// <summary>
    /// The knots of the interpolating calibrated formula (two or more
    /// calibration runs): per window, each run's share of accesses on node 1
    /// x_c and its time T_c, where 0.05 ≤ x_c ≤ 0.95; runs within 0.01 of
    /// each other in x share one knot at their mean. Unlike the one-run
    /// shapes, a window whose mixed runs are slower than both nodes follows
    /// them: the measured points are the curve.
    /// </summary>
    private CalibrationShapes FitKnots(IReadOnlyList<WindowTrace> calibrations, double writeWeight)
    {
        var offsets = new int[W + 1];
        var xs = new List<double>();
        var ts = new List<double>();
        var interpolated = 0;
        var points = new List<(double X, double T)>();
        for (var w = 0; w < W; w++)
        {
            offsets[w] = xs.Count;
            points.Clear();
            foreach (var calibration in calibrations)
            {
                var c = calibration.Windows[w];
                var x = SlowShare(c, writeWeight);
                if (x is >= 0.05 and <= 0.95)
                {
                    points.Add((x, c.Ticks / TicksPerSecond * 1e6));
                }
            }

            points.Sort((a, b) => a.X.CompareTo(b.X));
            xs.Add(0);
            ts.Add(WindowMicros[w * N]);
            for (var i = 0; i < points.Count;)
            {
                var j = i;
                double sx = 0, st = 0;
                while (j < points.Count && points[j].X - points[i].X < 0.01)
                {
                    sx += points[j].X;
                    st += points[j].T;
                    j++;
                }

                xs.Add(sx / (j - i));
                ts.Add(st / (j - i));
                i = j;
            }

            xs.Add(1);
            ts.Add(WindowMicros[w * N + 1]);
            interpolated += points.Count > 0 ? 1 : 0;
        }

        offsets[W] = xs.Count;
        (KnotOffsets, KnotX, KnotT) = (offsets, xs.ToArray(), ts.ToArray());
        KnotD = new double[KnotX.Length];
        for (var w = 0; w < W; w++)
        {
            Slopes(KnotX.AsSpan(offsets[w], offsets[w + 1] - offsets[w]), KnotT.AsSpan(offsets[w], offsets[w + 1] - offsets[w]),
                KnotD.AsSpan(offsets[w], offsets[w + 1] - offsets[w]));
        }

        return new CalibrationShapes(0, 0, W - interpolated, 0) { Interpolated = interpolated, Runs = calibrations.Count };
    }

    /// <summary>
    /// Per window, the shape that makes the formula meet the calibration run
    /// at x_c, the run's own share of accesses on node 1 (y = (T_c − T_0) / (T_1 − T_0)):
    /// between the nodes (0 &lt; y &lt; 1), the exponent x_c^γ = y; faster than
    /// both (T_c &lt; min(T_0, T_1)), γ = 1 and the curvature κ = (T_c − T_0 − (T_1 − T_0) x_c) / (x_c (1 − x_c)),
    /// so that placements that split the accesses gain from both nodes'
    /// bandwidth. Windows where that is undefined (no accesses, x_c near 0 or
    /// 1, or the two nodes within 1% of each other and T_c not below both)
    /// or where the calibration was slower than both nodes keep the linear
    /// formula: a parabola through such a hump overestimates placements near
    /// the middle (docs/estimator.md).
    /// </summary>
    private (double[] Gamma, double[] Kappa, CalibrationShapes Shapes) FitCalibration(WindowTrace calibration, double writeWeight)
    {
        var gamma = new double[W];
        var kappa = new double[W];
        int exponent = 0, parabola = 0, slower = 0;
        for (var w = 0; w < W; w++)
        {
            gamma[w] = 1;
            var c = calibration.Windows[w];
            var (t0, t1) = (WindowMicros[w * N], WindowMicros[w * N + 1]);
            var tc = c.Ticks / TicksPerSecond * 1e6;
            var x = SlowShare(c, writeWeight);
            if (x < 0.05 || x > 0.95)
            {
                continue;
            }

            var y = (tc - t0) / (t1 - t0);
            if (tc < Math.Min(t0, t1))
            {
                kappa[w] = (tc - t0 - (t1 - t0) * x) / (x * (1 - x));
                parabola++;
            }
            else if (Math.Abs(t1 - t0) >= 0.01 * Math.Min(t0, t1) && y > 0 && y < 1)
            {
                gamma[w] = Math.Clamp(Math.Log(y) / Math.Log(x), MinExponent, MaxExponent);
                exponent++;
            }
            else if (tc > Math.Max(t0, t1))
            {
                slower++;
            }
        }

        return (gamma, kappa, new CalibrationShapes(exponent, parabola, W - exponent - parabola, slower));
    }

    public TraceSet Set { get; }

    public int N { get; }

    public int W { get; }

    public int R { get; }

    public int P { get; }

    public ulong PageSize { get; }

    public double TicksPerSecond { get; }

    public CountReference Reference { get; }

    /// <summary>Node whose counts are the reference, or -1 for the average.</summary>
    public int ReferenceNode { get; }

    public Dictionary<ulong, int> PageIds { get; }

    public ulong[] PageNumbers { get; }

    public int[] PageRegion { get; }

    public int[][] RegionPages { get; }

    public int[] OtherPages { get; }

    /// <summary>T_d(w) in microseconds at [w * N + d].</summary>
    public double[] WindowMicros { get; }

    /// <summary>Time of a window without (weighted) accesses: the minimum over nodes.</summary>
    public double[] FallbackMicros { get; }

    public ulong[] WindowInstructions { get; }

    /// <summary>Entries of window w are [Offsets[w], Offsets[w+1]).</summary>
    public int[] Offsets { get; private set; } = [];

    public int[] EntryPage { get; private set; } = [];

    public double[] EntryReads { get; private set; } = [];

    public double[] EntryWrites { get; private set; } = [];

    /// <summary>Reads + write weight * writes of each entry.</summary>
    public double[] EntryWeight { get; private set; } = [];

    /// <summary>A(w): the weighted accesses of each window.</summary>
    public double[] WindowAccesses { get; private set; } = [];

    /// <summary>S[w * (R + 1) + r]: weighted accesses of window w to region r (index R: pages outside every region).</summary>
    public double[] WindowRegionAccesses { get; private set; } = [];

    /// <summary>G[p * N + d]: microseconds page p contributes when placed on node d.</summary>
    public double[] PageCoeff { get; private set; } = [];

    /// <summary>K[r * N + d]: sum of G over the pages of region r.</summary>
    public double[] RegionCoeff { get; private set; } = [];

    /// <summary>Sum of G over pages outside every region, per node.</summary>
    public double[] OtherCoeff { get; private set; } = [];

    /// <summary>Time of the windows without accesses (placement independent).</summary>
    public double ConstantMicros { get; private set; }

    public int Entries => EntryPage.Length;

    /// <summary>
    /// The pages each window lists first, in the order first-touch places
    /// them: FirstTouchPages[FirstTouchOffsets[w] .. FirstTouchOffsets[w + 1]).
    /// A window's entries are in trace order, not in the order the program
    /// touched them, and when a node fills during a window that order decides
    /// which pages get it. Programs mostly initialise their data in the order
    /// they allocate it, so pages outside any region go first (stacks, the
    /// image), then each region's pages in the order the regions were
    /// created, by address within a region: an mmap region gets a lower
    /// address than the one before it, so address order alone would fill a
    /// node with the data allocated last.
    /// </summary>
    public int[] FirstTouchOffsets { get; private set; } = [];

    /// <summary>Dense page ids, per window, in first-touch order (see <see cref="FirstTouchOffsets"/>).</summary>
    public int[] FirstTouchPages { get; private set; } = [];

    private void BuildFirstTouches()
    {
        var offsets = new int[W + 1];
        var pages = new List<int>(P);
        var seen = new bool[P];
        var order = Comparer<int>.Create((a, b) =>
            PageRegion[a] != PageRegion[b] ? PageRegion[a].CompareTo(PageRegion[b]) : PageNumbers[a].CompareTo(PageNumbers[b]));
        for (var w = 0; w < W; w++)
        {
            var start = offsets[w] = pages.Count;
            for (var e = Offsets[w]; e < Offsets[w + 1]; e++)
            {
                if (!seen[EntryPage[e]])
                {
                    seen[EntryPage[e]] = true;
                    pages.Add(EntryPage[e]);
                }
            }

            pages.Sort(start, pages.Count - start, order);
        }

        offsets[W] = pages.Count;
        (FirstTouchOffsets, FirstTouchPages) = (offsets, pages.ToArray());
    }

    private void BuildReferenceCounts(TraceSet set, double writeWeight)
    {
        var offsets = new int[W + 1];
        var page = new List<int>();
        var reads = new List<double>();
        var writes = new List<double>();
        var slot = new int[P];
        Array.Fill(slot, -1);
        for (var w = 0; w < W; w++)
        {
            offsets[w] = page.Count;
            var start = page.Count;
            for (var d = 0; d < N; d++)
            {
                if (ReferenceNode >= 0 && d != ReferenceNode)
                {
                    continue;
                }

                var scale = ReferenceNode >= 0 ? 1.0 : 1.0 / N;
                var tw = set.Traces[d].Windows[w];
                for (var i = 0; i < tw.Pages.Length; i++)
                {
                    // One entry per page and window (a page migrated within a window is listed per node).
                    var id = PageIds[tw.Pages[i]];
                    if (slot[id] < 0)
                    {
                        slot[id] = page.Count;
                        page.Add(id);
                        reads.Add(0);
                        writes.Add(0);
                    }

                    reads[slot[id]] += tw.Reads[i] * scale;
                    writes[slot[id]] += tw.Writes[i] * scale;
                }
            }

            for (var e = start; e < page.Count; e++)
            {
                slot[page[e]] = -1;
            }
        }

        offsets[W] = page.Count;
        Offsets = offsets;
        EntryPage = page.ToArray();
        EntryReads = reads.ToArray();
        EntryWrites = writes.ToArray();
        EntryWeight = new double[EntryPage.Length];
        WindowAccesses = new double[W];
        for (var w = 0; w < W; w++)
        {
            double a = 0;
            for (var e = offsets[w]; e < offsets[w + 1]; e++)
            {
                EntryWeight[e] = EntryReads[e] + writeWeight * EntryWrites[e];
                a += EntryWeight[e];
            }

            WindowAccesses[w] = a;
        }

        var stride = R + 1;
        WindowRegionAccesses = new double[W * stride];
        for (var w = 0; w < W; w++)
        {
            for (var e = offsets[w]; e < offsets[w + 1]; e++)
            {
                var r = PageRegion[EntryPage[e]];
                WindowRegionAccesses[w * stride + (r < 0 ? R : r)] += EntryWeight[e];
            }
        }
    }

    private void BuildCoefficients()
    {
        var g = new double[P * N];
        double constant = 0;
        for (var w = 0; w < W; w++)
        {
            var a = WindowAccesses[w];
            if (!(a > 0))
            {
                constant += FallbackMicros[w];
                continue;
            }

            var tw = w * N;
            for (var e = Offsets[w]; e < Offsets[w + 1]; e++)
            {
                var f = EntryWeight[e] / a;
                if (f == 0)
                {
                    continue;
                }

                var gp = EntryPage[e] * N;
                for (var d = 0; d < N; d++)
                {
                    g[gp + d] += f * WindowMicros[tw + d];
                }
            }
        }

        PageCoeff = g;
        ConstantMicros = constant;
        RegionCoeff = new double[R * N];
        for (var r = 0; r < R; r++)
        {
            foreach (var p in RegionPages[r])
            {
                for (var d = 0; d < N; d++)
                {
                    RegionCoeff[r * N + d] += g[p * N + d];
                }
            }
        }

        OtherCoeff = new double[N];
        foreach (var p in OtherPages)
        {
            for (var d = 0; d < N; d++)
            {
                OtherCoeff[d] += g[p * N + d];
            }
        }
    }
}
