using System.Diagnostics;
using System.Text.Json;
using DeepMem.Core;
using DeepMem.Estimator;

namespace DeepMem.Experiments;

/// <summary>A region of an optimized plan and the node it goes to.</summary>
/// <param name="Index">Region number.</param>
/// <param name="Start">Its start address.</param>
/// <param name="Length">Its length in bytes.</param>
/// <param name="Node">The node's name.</param>
public sealed record PlannedRegion(int Index, ulong Start, ulong Length, string Node);

/// <summary>The best static placement <c>optimize</c> found, and what it is estimated to take.</summary>
/// <param name="Experiment">The experiment's name.</param>
/// <param name="FastNode">The fast node's name.</param>
/// <param name="CapacityBytes">The fast node's capacity for the plan.</param>
/// <param name="Method">How it was found.</param>
/// <param name="ProvenOptimal">True when the search proved it optimal.</param>
/// <param name="ExploredNodes">Search nodes explored.</param>
/// <param name="SearchSeconds">Host time of the search.</param>
/// <param name="Regions">Each region's node.</param>
/// <param name="Microseconds">The plan's estimate.</param>
/// <param name="AllFastMicroseconds">Everything on the fast node.</param>
/// <param name="SlowestMicroseconds">The slowest single node.</param>
/// <param name="FastBytesUsed">Bytes the plan puts on the fast node.</param>
/// <param name="PlanPath">Where the plan's JSON went.</param>
public sealed record OptimizedPlan(string Experiment, string FastNode, ulong CapacityBytes, string Method, bool ProvenOptimal, long ExploredNodes,
    double SearchSeconds, IReadOnlyList<PlannedRegion> Regions, double Microseconds, double AllFastMicroseconds, double SlowestMicroseconds,
    ulong FastBytesUsed, string PlanPath);

/// <summary><c>optimize</c>: the best static region placement under the fast node's capacity, found on the estimator.</summary>
public static class PlacementOptimizer
{
    /// <summary>
    /// Searches the plan for <paramref name="e"/> (from <paramref name="file"/>)
    /// with the fast node <paramref name="fastName"/> (null: the node whose
    /// single-device trace ran shortest) holding at most <paramref name="capacityText"/>
    /// (null: its capacity), and writes it to <paramref name="planPath"/>
    /// (null: &lt;output&gt;/plan.json). Ends short with <see cref="ExperimentFailureException"/>.
    /// </summary>
    public static OptimizedPlan Optimize(Experiment e, string file, string? capacityText, string? fastName, string? planPath)
    {
        if (e.Estimator.TraceDir is null)
        {
            throw new ExperimentFailureException(FailureKind.BadInput, $"error: {file}: estimator.traces is not set (record traces with: deepmem trace {file})");
        }

        var topology = e.Spec.ToTopology();
        NodeInfo? fast = null;
        if (fastName is not null)
        {
            fast = topology.Nodes.FirstOrDefault(n => n.Name == fastName)
                ?? throw new ExperimentFailureException(FailureKind.BadInput,
                    $"error: --fast-node '{fastName}' is not a node; nodes: {string.Join(", ", topology.Nodes.Select(n => n.Name))}");
        }

        DifferentialEstimator estimator;
        try
        {
            estimator = EstimatorBackend.Load(e);
        }
        catch (BackendUnavailableException ex)
        {
            throw new ExperimentFailureException(FailureKind.Failed, $"error: cannot load traces from {e.Estimator.TraceDir}: {ex.Message}");
        }

        // Default: the node whose single-device trace ran shortest (measured, not nominal).
        fast ??= topology.Nodes.MinBy(n => estimator.TraceMicroseconds(n.Id))!;
        var capacity = fast.CapacityBytes;
        if (capacityText is not null && !Units.TryParseSize(capacityText, out capacity))
        {
            throw new ExperimentFailureException(FailureKind.BadInput, $"error: --capacity '{capacityText}' is not {Units.SizeHelp}");
        }

        var clock = Stopwatch.StartNew();
        var plan = PlacementSearch.FindBest(estimator, PlacementSearchOptions.UnderLocalDefault(fast.Id, capacity));
        var seconds = clock.Elapsed.TotalSeconds;
        var regions = plan.RegionNodes.Select((node, r) => new PlannedRegion(r, estimator.Regions[r].Start, estimator.Regions[r].Length, topology.Nodes[node].Name)).ToList();
        var path = planPath ?? Path.Combine(e.ResultsRoot, "plan.json");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, JsonSerializer.Serialize(plan, ResultStore.Json));
        return new OptimizedPlan(e.Name, fast.Name, capacity, plan.Method, plan.ProvenOptimal, plan.ExploredNodes, seconds, regions, plan.Microseconds,
            estimator.TraceMicroseconds(fast.Id), topology.Nodes.Max(n => estimator.TraceMicroseconds(n.Id)), plan.FastBytesUsed, path);
    }
}
