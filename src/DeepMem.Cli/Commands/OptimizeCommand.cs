using System.CommandLine;
using System.Globalization;
using DeepMem.Core;
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

        OptimizedPlan plan;
        try
        {
            plan = PlacementOptimizer.Optimize(loaded.Experiments[0], file.ToString(), capacityText, fastName, planFile?.FullName);
        }
        catch (ExperimentFailureException f)
        {
            return CommandSupport.Fail(f, stderr);
        }

        var inv = CultureInfo.InvariantCulture;
        var capacity = Units.FormatSize(plan.CapacityBytes);
        stdout.WriteLine(string.Create(inv, $"plan for {plan.Experiment}: fast node {plan.FastNode}, capacity {capacity}, {plan.Method}{(plan.ProvenOptimal ? " (proven optimal)" : "")}, {plan.ExploredNodes} {(plan.Method == "exhaustive" || plan.Method.EndsWith("+local", StringComparison.Ordinal) ? "placements estimated" : "nodes explored")} in {plan.SearchSeconds * 1e3:F1} ms"));
        var table = new MarkdownTable(MarkdownTable.Number("region"), MarkdownTable.Number("start"), MarkdownTable.Number("length"), MarkdownTable.Text("node"));
        foreach (var region in plan.Regions)
        {
            table.Add(region.Index.ToString(inv), string.Create(inv, $"0x{region.Start:x}"), Units.FormatSize(region.Length), region.Node);
        }

        stdout.Write(table.ToString());

        stdout.WriteLine(string.Create(inv, $"estimate: {plan.Microseconds:F1} us (all on {plan.FastNode}: {plan.AllFastMicroseconds:F1} us, slowest single node: {plan.SlowestMicroseconds:F1} us); {Units.FormatSize(plan.FastBytesUsed)} of {capacity} used on {plan.FastNode}"));
        stdout.WriteLine($"plan: {plan.PlanPath} (use it with policy: {{ name: static-plan, options: {{ plan: {plan.PlanPath} }} }})");
        return ExitCodes.Ok;
    }
}
