using DeepMem.Core;
using DeepMem.Estimator;
using Proto = DeepMem.Protocol.V1;

namespace DeepMem.Server;

/// <summary>
/// The checks and words patched gem5 uses on a controller's replies
/// (gem5-patches/python/deepmem/checks.py, after DeepMemNuma in
/// deepmem_numa.cc), so a controller gets the same verdict, in the same
/// words, from the estimator's server as from gem5.
/// </summary>
public static class Gem5Checks
{
    /// <summary>"node 7 out of range (nodes: 2)", or null.</summary>
    public static string? NodeProblem(long node, int nodes) =>
        node < 0 || node >= nodes ? $"node {node} out of range (nodes: {nodes})" : null;

    /// <summary>The first reason gem5 refuses a placement, or null; a placement mode it does not know included.</summary>
    public static string? PlacementProblem(Proto.RegionPlacement p, int nodes, bool regionKnown)
    {
        if (p.Mode is not (Proto.PlacementMode.Default or Proto.PlacementMode.Bind or Proto.PlacementMode.Preferred or Proto.PlacementMode.Interleave))
        {
            return $"placement mode {(int)p.Mode} is not one of DEFAULT, BIND, PREFERRED, INTERLEAVE";
        }

        if (!regionKnown)
        {
            return $"region {p.RegionId} is unknown";
        }

        foreach (var n in p.Nodes)
        {
            if (NodeProblem(n, nodes) is { } why)
            {
                return why;
            }
        }

        if (p.Weights.Count > 0 && p.Weights.Count != p.Nodes.Count)
        {
            return $"{p.Weights.Count} weights for {p.Nodes.Count} nodes";
        }

        if (p.Mode == Proto.PlacementMode.Default)
        {
            return null;
        }

        var mode = p.Mode switch
        {
            Proto.PlacementMode.Bind => "bind",
            Proto.PlacementMode.Preferred => "preferred",
            _ => p.Weights.Count > 0 ? "weighted-interleave" : "interleave",
        };
        if (p.Nodes.Count == 0)
        {
            return $"mode '{mode}' needs at least one node";
        }

        if (mode == "preferred" && p.Nodes.Distinct().Count() != 1)
        {
            return "mode 'preferred' takes exactly one node";
        }

        for (var i = 0; i < p.Weights.Count; i++)
        {
            if (p.Weights[i] == 0)
            {
                return $"weight of node {p.Nodes[i]} is 0";
            }
        }

        return null;
    }

    /// <summary>A placement gem5 accepted, as the estimator's policy answer.</summary>
    public static RegionPlacement ToPlacement(Proto.RegionPlacement p) => p.Mode switch
    {
        Proto.PlacementMode.Bind => new RegionPlacement(PlacementMode.Bind, p.Nodes.Select(x => (int)x).ToList(), []),
        Proto.PlacementMode.Preferred => RegionPlacement.Preferred((int)p.Nodes[0]),
        Proto.PlacementMode.Interleave => RegionPlacement.Interleave(p.Nodes.Select(x => (int)x).ToList(), p.Weights.Select(x => (int)x).ToList()),
        _ => RegionPlacement.Default,
    };

    /// <summary>The estimator's refusal of one migration, in gem5's words.</summary>
    public static string MigrationProblem(MigrationRefusal refusal, Proto.PageMigration item, int nodes) => refusal.Problem switch
    {
        Estimator.MigrationProblem.NoSuchNode => $"node {item.TargetNode} out of range (nodes: {nodes})",
        Estimator.MigrationProblem.NotMapped => $"page 0x{item.PageNumber:x} is not mapped",
        _ => $"node {item.TargetNode} is full",
    };
}
