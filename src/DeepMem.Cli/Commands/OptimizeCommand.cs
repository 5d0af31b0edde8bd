using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using DeepMem.Core;
using DeepMem.Estimator;
using DeepMem.Experiments;
using DeepMem.Experiments.Exporters;

namespace DeepMem.Cli.Commands;

/// <summary><c>deepmem optimize</c>: the best static region placement under the fast node's capacity.</summary>
public static class OptimizeCommand
{
    /// <summary>Builds the verb.</summary>
    public static Command Create()
    {
        var file = SharedOptions.ExperimentFile();
        var capacity = new Option<string?>("--capacity") { Description = "fast-node capacity for the plan, e.g. 8MiB (default: the fast node's capacity)" };
        var fastNode = new Option<string?>("--fast-node") { Description = "name of the fast node (default: the node whose single-device trace ran shortest)" };
        var output = new Option<FileInfo?>("--plan", "-o") { Description = "where to write the plan JSON (default: <output>/plan.json); usable with policy static-plan" };
        var command = new Command("optimize", "find the best static region placement under a fast-node capacity limit with the estimator")
        {
            file, capacity, fastNode, output,
        };
        command.SetAction(parse => Execute(parse.GetValue(file)!, parse.GetValue(capacity), parse.GetValue(fastNode), parse.GetValue(output), Console.Out, Console.Error));
        return command;
    }

    /// <summary>Searches; returns the exit code.</summary>
    public static int Execute(FileInfo file, string? capacityText, string? fastName, FileInfo? planFile, TextWriter stdout, TextWriter stderr)
    {
        var loaded = CommandSupport.Load(file.ToString(), stderr);
        if (loaded is null)
        {
            return ExitCodes.BadInput;
        }

        var e = loaded.Experiments[0];
        if (e.Estimator.TraceDir is null)
        {
            stderr.WriteLine($"error: {file}: estimator.traces is not set (record traces with: deepmem trace {file})");
            return ExitCodes.BadInput;
        }

        var topology = e.Spec.ToTopology();
        NodeInfo? fast = null;
        if (fastName is not null)
        {
            fast = topology.Nodes.FirstOrDefault(n => n.Name == fastName)!;
            if (fast is null)
            {
                stderr.WriteLine($"error: --fast-node '{fastName}' is not a node; nodes: {string.Join(", ", topology.Nodes.Select(n => n.Name))}");
                return ExitCodes.BadInput;
            }
        }

        DifferentialEstimator estimator;
        try
        {
            estimator = new DifferentialEstimator(TraceSet.Load(e.Estimator.TraceDir, e.Spec.Nodes.Select(n => n.Name).ToList()), e.Estimator);
        }
        catch (Exception ex) when (ex is TraceFormatException or TraceSetException or IOException)
        {
            stderr.WriteLine($"error: cannot load traces from {e.Estimator.TraceDir}: {ex.Message}");
            return ExitCodes.Failed;
        }

        // Default: the node whose single-device trace ran shortest (measured, not nominal).
        fast ??= topology.Nodes.MinBy(n => estimator.TraceMicroseconds(n.Id))!;
        var capacity = fast.CapacityBytes;
        if (capacityText is not null && !Units.TryParseSize(capacityText, out capacity))
        {
            stderr.WriteLine($"error: --capacity '{capacityText}' is not {Units.SizeHelp}");
            return ExitCodes.BadInput;
        }

        var clock = Stopwatch.StartNew();
        var plan = PlacementSearch.FindBest(estimator, PlacementSearchOptions.UnderLocalDefault(fast.Id, capacity));
        var seconds = clock.Elapsed.TotalSeconds;
        var inv = CultureInfo.InvariantCulture;
        stdout.WriteLine(string.Create(inv, $"plan for {e.Name}: fast node {fast.Name}, capacity {Units.FormatSize(capacity)}, {plan.Method}{(plan.ProvenOptimal ? " (proven optimal)" : "")}, {plan.ExploredNodes} nodes explored in {seconds * 1e3:F1} ms"));
        var table = new MarkdownTable(MarkdownTable.Number("region"), MarkdownTable.Number("start"), MarkdownTable.Number("length"), MarkdownTable.Text("node"));
        for (var r = 0; r < plan.RegionNodes.Count; r++)
        {
            var region = estimator.Regions[r];
            table.Add(r.ToString(inv), string.Create(inv, $"0x{region.Start:x}"), Units.FormatSize(region.Length), topology.Nodes[plan.RegionNodes[r]].Name);
        }

        stdout.Write(table.ToString());

        var allFast = estimator.TraceMicroseconds(fast.Id);
        var slowest = topology.Nodes.Max(n => estimator.TraceMicroseconds(n.Id));
        stdout.WriteLine(string.Create(inv, $"estimate: {plan.Microseconds:F1} us (all on {fast.Name}: {allFast:F1} us, slowest single node: {slowest:F1} us); {Units.FormatSize(plan.FastBytesUsed)} of {Units.FormatSize(capacity)} used on {fast.Name}"));
        var path = planFile?.FullName ?? Path.Combine(e.ResultsRoot, "plan.json");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, JsonSerializer.Serialize(plan, ResultStore.Json));
        stdout.WriteLine($"plan: {path} (use it with policy: {{ name: static-plan, options: {{ plan: {path} }} }})");
        return ExitCodes.Ok;
    }
}
