using DeepMem.Core;

namespace DeepMem.Estimator;

/// <summary>
/// The differential estimator over N single-device traces.
/// </summary>
/// <remarks>
/// <para>
/// Per window w and node d, T_d(w) is the window's time in the trace with
/// all data on d. A placement puts each page p on a node n(p). With c_p(w)
/// the reference accesses of p in w (reads + <see cref="EstimatorOptions.WriteWeight"/>
/// × writes; the reference is the average of the traces' counts or the
/// fastest trace's, see <see cref="CountReference"/>), A(w) = Σ_p c_p(w) and
/// A_d(w) = Σ_{p: n(p)=d} c_p(w), the window estimate is
/// T(w) = Σ_d T_d(w) · A_d(w) / A(w), and T(w) = min_d T_d(w) when A(w) = 0.
/// </para>
/// <para>
/// Linearity: A(w) does not depend on the placement, so
/// Σ_w T(w) = C + Σ_p G[p, n(p)] with
/// C = Σ_{w: A(w)=0} min_d T_d(w) and G[p, d] = Σ_{w: A(w)&gt;0} c_p(w) T_d(w) / A(w).
/// Summing G over the pages of region r gives K[r, d], so a region→node
/// placement costs C + K_other[n_other] + Σ_r K[r, n_r]: O(regions) after a
/// single O(entries × nodes) precomputation. An interleaved region with a
/// pattern of period P (the sum of the weights) costs O(P): G is summed per
/// residue of the virtual page number modulo P once per (region, P) and
/// cached (the interleave index Linux and the patched gem5 use).
/// The per-window breakdown uses per-window per-region access sums,
/// O(windows × regions), or O(entries) when a region is interleaved.
/// Placing every page on d gives exactly Σ_w T_d(w) for windows with
/// accesses, i.e. the d trace's total when every window has accesses.
/// </para>
/// <para>
/// Calibration (two nodes): with a calibration run in the trace set (every
/// page interleaved 1:1) the window estimate becomes
/// T(w) = T_0(w) + (T_1(w) − T_0(w)) · x(w)^γ(w), x(w) = A_1(w) / A(w), with
/// γ(w) fitted so that the formula meets the calibration run's window. It
/// models the overlap the linear form misses (slow accesses hiding behind
/// fast ones while the slow device is not saturated). Estimates then sum the
/// windows, O(windows × regions); the placement search still ranks with the
/// linear coefficients and reports the calibrated estimate of its plan.
/// </para>
/// </remarks>
public sealed class DifferentialEstimator
{
    /// <summary>Precomputes the estimator for <paramref name="traces"/>.</summary>
    public DifferentialEstimator(TraceSet traces, EstimatorOptions? options = null)
    {
        Options = options ?? new EstimatorOptions();
        Index = new TraceIndex(traces, Options);
    }

    /// <summary>
    /// The estimator over the traces in <see cref="EstimatorOptions.TraceDir"/>,
    /// one file per node of <paramref name="nodeNames"/>: the one place a trace
    /// folder becomes an estimator.
    /// </summary>
    /// <exception cref="ArgumentException">No trace folder is set.</exception>
    /// <exception cref="TraceFormatException">A file is malformed.</exception>
    /// <exception cref="TraceSetException">The files do not fit together, or files are missing.</exception>
    public static DifferentialEstimator Load(EstimatorOptions options, IReadOnlyList<string> nodeNames)
    {
        if (string.IsNullOrEmpty(options.TraceDir))
        {
            throw new ArgumentException("no trace folder set (estimator.traces in the experiment)");
        }

        return new DifferentialEstimator(TraceSet.Load(options.TraceDir, nodeNames), options);
    }

    /// <summary>The traces.</summary>
    public TraceSet Traces => Index.Set;

    /// <summary>The settings used.</summary>
    public EstimatorOptions Options { get; }

    /// <summary>Number of nodes.</summary>
    public int NodeCount => Index.N;

    /// <summary>Number of regions (placements list one per region).</summary>
    public int RegionCount => Index.R;

    /// <summary>Number of windows.</summary>
    public int WindowCount => Index.W;

    /// <summary>The regions, in trace order.</summary>
    public IReadOnlyList<TraceRegion> Regions => Index.Set.Regions;

    /// <summary>Distinct pages touched in any trace.</summary>
    public int TouchedPages => Index.P;

    /// <summary>
    /// True when the traces came with a calibration run and the options use
    /// it: estimates then follow the calibrated window formula (see
    /// <see cref="EstimatorOptions.UseCalibration"/>), which is not linear in
    /// the placement, and cost O(windows × regions) instead of O(regions).
    /// </summary>
    public bool Calibrated => Index.Calibrated;

    /// <summary>How many windows take each shape of the calibrated formula; null when not <see cref="Calibrated"/>.</summary>
    public CalibrationShapes? CalibrationShapes => Index.CalibrationShapes;

    /// <summary>
    /// True when estimates follow a window formula that is not linear in the
    /// placement (calibrated, or the loaded-latency model): they then sum
    /// the windows, O(windows × regions), and the placement search ranks
    /// with the linear coefficients.
    /// </summary>
    public bool Nonlinear => Index.Calibrated || Index.LoadedModel;

    /// <summary>The window formula in use, in words, for reports: "calibrated", "loaded latency (proportional, K of W windows)" or "linear".</summary>
    public string WindowModel => Index.Calibrated ? "calibrated"
        : Index.LoadedModel ? $"loaded latency ({Index.LoadedShape.ToString().ToLowerInvariant()}, {Index.LoadedWindows} of {Index.W} windows)"
        : "linear";

    /// <summary>Time of the windows without accesses, which no placement changes (C above).</summary>
    public double ConstantMicroseconds => Index.ConstantMicros;

    internal TraceIndex Index { get; }

    private const int MaxCachedPeriod = 4096;

    private readonly System.Collections.Concurrent.ConcurrentDictionary<(int Region, int Period), double[]> _residueSums = new();

    /// <summary>Total time of the trace bound to <paramref name="node"/>, in microseconds.</summary>
    public double TraceMicroseconds(int node)
    {
        CheckNode(node);
        return Index.Set.Traces[node].End.Ticks / Index.TicksPerSecond * 1e6;
    }

    /// <summary>K[r, d]: microseconds region <paramref name="region"/> contributes when all of it is on <paramref name="node"/>.</summary>
    public double RegionTerm(int region, int node)
    {
        CheckNode(node);
        if ((uint)region >= (uint)Index.R)
        {
            throw new ArgumentOutOfRangeException(nameof(region), $"region {region} does not exist (regions: {Index.R})");
        }

        return Index.RegionCoeff[region * Index.N + node];
    }

    /// <summary>Microseconds the pages outside every region contribute when on <paramref name="node"/>.</summary>
    public double OtherTerm(int node)
    {
        CheckNode(node);
        return Index.OtherCoeff[node];
    }

    /// <summary>Touched pages of region <paramref name="region"/> (its footprint under first-touch allocation).</summary>
    public int RegionTouchedPages(int region)
    {
        if ((uint)region >= (uint)Index.R)
        {
            throw new ArgumentOutOfRangeException(nameof(region), $"region {region} does not exist (regions: {Index.R})");
        }

        return Index.RegionPages[region].Length;
    }

    /// <summary>Weighted memory-side accesses (reads + write weight × writes) to region <paramref name="region"/> over the whole reference trace.</summary>
    public double RegionAccesses(int region)
    {
        if ((uint)region >= (uint)Index.R)
        {
            throw new ArgumentOutOfRangeException(nameof(region), $"region {region} does not exist (regions: {Index.R})");
        }

        double sum = 0;
        for (var w = 0; w < Index.W; w++)
        {
            sum += Index.WindowRegionAccesses[w * (Index.R + 1) + region];
        }

        return sum;
    }

    /// <summary>Weighted memory-side accesses of the whole reference trace.</summary>
    public double TotalAccesses => Index.WindowAccesses.Sum();

    /// <summary>Touched pages outside every region.</summary>
    public int OtherTouchedPages => Index.OtherPages.Length;

    /// <summary>
    /// O(regions) estimate of region i on <paramref name="regionNodes"/>[i]
    /// and other pages on <paramref name="otherNode"/>, in microseconds
    /// (O(windows × regions) when <see cref="Calibrated"/>).
    /// </summary>
    public double EstimateRegionNodes(ReadOnlySpan<int> regionNodes, int otherNode = 0)
    {
        if (regionNodes.Length != Index.R)
        {
            throw new ArgumentException($"{regionNodes.Length} region nodes given for {Index.R} regions");
        }

        CheckNode(otherNode);
        if (Nonlinear)
        {
            var placement = StaticPlacement.FromNodes(regionNodes.ToArray(), otherNode);
            Check(placement);
            return PerWindow(placement).Sum();
        }

        var n = Index.N;
        var k = Index.RegionCoeff;
        var total = Index.ConstantMicros + Index.OtherCoeff[otherNode];
        for (var r = 0; r < regionNodes.Length; r++)
        {
            var d = regionNodes[r];
            if ((uint)d >= (uint)n)
            {
                throw new ArgumentException($"region {r}: node {d} does not exist (nodes: {n})");
            }

            total += k[r * n + d];
        }

        return total;
    }

    /// <summary>
    /// Estimates a static placement. Bind/Preferred/Default regions cost
    /// O(1) each, interleaved regions O(their touched pages). With
    /// <paramref name="perWindow"/>, also returns each window's estimate
    /// (O(entries)).
    /// </summary>
    public StaticEstimate EstimateStatic(StaticPlacement placement, bool perWindow = false)
    {
        Check(placement);
        if (Nonlinear)
        {
            // The calibrated or loaded-latency formula is not linear in the placement: sum the windows.
            var windows = PerWindow(placement);
            return new StaticEstimate(windows.Sum(), perWindow ? windows : null);
        }

        var n = Index.N;
        var total = Index.ConstantMicros + Index.OtherCoeff[placement.OtherNode];
        for (var r = 0; r < Index.R; r++)
        {
            var rp = placement.Regions[r];
            if (rp.Mode != PlacementMode.Interleave)
            {
                total += Index.RegionCoeff[r * n + SingleNode(rp)];
                continue;
            }

            total += InterleaveTerm(r, InterleavePattern.SlotTable(rp));
        }

        return new StaticEstimate(total, perWindow ? PerWindow(placement) : null);
    }

    /// <summary>
    /// Estimates an arbitrary page→node placement: <paramref name="pageNode"/>
    /// is asked once per touched page (virtual page number). O(touched pages),
    /// plus O(entries) with <paramref name="perWindow"/>.
    /// </summary>
    public StaticEstimate EstimatePages(Func<ulong, int> pageNode, bool perWindow = false)
    {
        var nodes = new int[Index.P];
        for (var p = 0; p < Index.P; p++)
        {
            var d = pageNode(Index.PageNumbers[p]);
            if ((uint)d >= (uint)Index.N)
            {
                throw new ArgumentException($"page {Index.PageNumbers[p]} (0x{Index.PageNumbers[p]:x}): node {d} does not exist (nodes: {Index.N})");
            }

            nodes[p] = d;
        }

        return EstimateDense(nodes, perWindow);
    }

    /// <summary>
    /// Per-window estimate of a placement that may change from window to
    /// window: <paramref name="nodeOf"/>(window, page) gives the node of each
    /// page the traces touch in that window. Used to score the window
    /// formula on the placement another run actually had (the cross-check's
    /// window diagnosis). It is called window by window in ascending order.
    /// O(entries).
    /// </summary>
    public double[] EstimateWindows(Func<int, ulong, int> nodeOf) => PerWindow((w, p) =>
    {
        var page = Index.PageNumbers[p];
        var d = nodeOf(w, page);
        return (uint)d < (uint)Index.N
            ? d
            : throw new ArgumentException($"window {w}, page {page} (0x{page:x}): node {d} does not exist (nodes: {Index.N})");
    });

    /// <summary>Measured microseconds of window <paramref name="window"/> in the trace bound to <paramref name="node"/>.</summary>
    public double TraceWindowMicroseconds(int node, int window)
    {
        CheckNode(node);
        return Index.WindowMicros[window * Index.N + node];
    }

    /// <summary>Memory-side accesses of window <paramref name="window"/> as the estimator counts them (the reference trace's counts).</summary>
    public double WindowAccesses(int window) => Index.WindowAccesses[window];

    /// <summary>The page→node map a static placement implies, for touched pages (virtual page number → node).</summary>
    public IReadOnlyDictionary<ulong, int> PagePlacement(StaticPlacement placement)
    {
        Check(placement);
        var nodes = PageNodes(placement);
        var map = new Dictionary<ulong, int>(Index.P);
        for (var p = 0; p < Index.P; p++)
        {
            map[Index.PageNumbers[p]] = nodes[p];
        }

        return map;
    }

    /// <summary>
    /// Term of region r interleaved with the slot table: per pattern period,
    /// the coefficients are summed once by residue (cached), so a placement
    /// costs O(period) instead of O(pages).
    /// </summary>
    private double InterleaveTerm(int r, int[] table)
    {
        var n = Index.N;
        var period = table.Length;
        if (period > MaxCachedPeriod)
        {
            double direct = 0;
            foreach (var p in Index.RegionPages[r])
            {
                direct += Index.PageCoeff[p * n + table[(int)(Index.PageNumbers[p] % (ulong)period)]];
            }

            return direct;
        }

        var sums = _residueSums.GetOrAdd((r, period), key =>
        {
            var s = new double[key.Period * n];
            foreach (var p in Index.RegionPages[key.Region])
            {
                var k = (int)(Index.PageNumbers[p] % (ulong)key.Period);
                for (var d = 0; d < n; d++)
                {
                    s[k * n + d] += Index.PageCoeff[p * n + d];
                }
            }

            return s;
        });
        double total = 0;
        for (var k = 0; k < period; k++)
        {
            total += sums[k * n + table[k]];
        }

        return total;
    }

    /// <summary>Per-window estimate of a static placement: O(windows × regions) without interleave, else O(entries).</summary>
    private double[] PerWindow(StaticPlacement placement)
    {
        var ix = Index;
        for (var r = 0; r < ix.R; r++)
        {
            if (placement.Regions[r].Mode == PlacementMode.Interleave)
            {
                return PerWindow(PageNodes(placement));
            }
        }

        var n = ix.N;
        var stride = ix.R + 1;
        var itemNode = new int[stride];
        for (var r = 0; r < ix.R; r++)
        {
            itemNode[r] = SingleNode(placement.Regions[r]);
        }

        itemNode[ix.R] = placement.OtherNode;
        var result = new double[ix.W];
        var share = new double[n];
        for (var w = 0; w < ix.W; w++)
        {
            var a = ix.WindowAccesses[w];
            if (!(a > 0))
            {
                result[w] = ix.FallbackMicros[w];
                continue;
            }

            Array.Clear(share);
            var row = w * stride;
            for (var i = 0; i < stride; i++)
            {
                share[itemNode[i]] += ix.WindowRegionAccesses[row + i];
            }

            result[w] = Index.Mix(w, share, a);
        }

        return result;
    }

    internal StaticEstimate EstimateDense(int[] nodes, bool perWindow)
    {
        if (Nonlinear)
        {
            var windows = PerWindow(nodes);
            return new StaticEstimate(windows.Sum(), perWindow ? windows : null);
        }

        var n = Index.N;
        var total = Index.ConstantMicros;
        for (var p = 0; p < nodes.Length; p++)
        {
            total += Index.PageCoeff[p * n + nodes[p]];
        }

        return new StaticEstimate(total, perWindow ? PerWindow(nodes) : null);
    }

    /// <summary>Per-window estimate for a dense page→node array (direct evaluation of the window formula).</summary>
    internal double[] PerWindow(int[] nodes) => PerWindow((_, p) => nodes[p]);

    /// <summary>The window formula, window by window in ascending order, with the node of page id p in window w from <paramref name="nodeOf"/>.</summary>
    private double[] PerWindow(Func<int, int, int> nodeOf)
    {
        var ix = Index;
        var result = new double[ix.W];
        var share = new double[ix.N];
        for (var w = 0; w < ix.W; w++)
        {
            var a = ix.WindowAccesses[w];
            if (!(a > 0))
            {
                result[w] = ix.FallbackMicros[w];
                continue;
            }

            Array.Clear(share);
            for (var e = ix.Offsets[w]; e < ix.Offsets[w + 1]; e++)
            {
                share[nodeOf(w, ix.EntryPage[e])] += ix.EntryWeight[e];
            }

            result[w] = Index.Mix(w, share, a);
        }

        return result;
    }

    private int[] PageNodes(StaticPlacement placement)
    {
        var nodes = new int[Index.P];
        for (var p = 0; p < Index.P; p++)
        {
            var r = Index.PageRegion[p];
            if (r < 0)
            {
                nodes[p] = placement.OtherNode;
                continue;
            }

            var rp = placement.Regions[r];
            nodes[p] = rp.Mode == PlacementMode.Interleave
                ? InterleavePattern.Node(rp, Index.PageNumbers[p])
                : SingleNode(rp);
        }

        return nodes;
    }

    private static int SingleNode(RegionPlacement rp) => rp.Mode == PlacementMode.Default ? 0 : rp.Nodes[0];

    private void Check(StaticPlacement placement)
    {
        if (placement.Regions.Count != Index.R)
        {
            throw new ArgumentException($"the placement lists {placement.Regions.Count} regions, the traces have {Index.R}");
        }

        CheckNode(placement.OtherNode);
        for (var r = 0; r < Index.R; r++)
        {
            if (InterleavePattern.Check(placement.Regions[r], Index.N) is { } problem)
            {
                throw new ArgumentException($"region {r}: {problem}");
            }
        }
    }

    private void CheckNode(int node)
    {
        if ((uint)node >= (uint)Index.N)
        {
            throw new ArgumentOutOfRangeException(nameof(node), $"node {node} does not exist (nodes: {Index.N})");
        }
    }
}
