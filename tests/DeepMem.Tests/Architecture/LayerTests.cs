using ArchUnitNET.Fluent.Syntax.Elements.Types;
using ArchUnitNET.Loader;
using ArchUnitNET.xUnit;
using static ArchUnitNET.Fluent.ArchRuleDefinition;

namespace DeepMem.Tests.Architecture;

/// <summary>
/// The layers: Core at the bottom (what a plug-in references); Estimator,
/// Policies and Bridge on it, none reaching another; Experiments over them;
/// Server (the estimator as a deepmem.v1 simulator) over Experiments; the
/// CLI on top, standing on Experiments, Server and the Core types Experiments
/// exposes (specs, results, units), never on Estimator, Bridge or Policies
/// directly. A type that reaches above its layer, or past the one below, fails here.
/// </summary>
public class LayerTests
{
    private static readonly ArchUnitNET.Domain.Architecture Architecture = new ArchLoader().LoadAssemblies(
        typeof(global::DeepMem.Core.RunResult).Assembly,
        typeof(global::DeepMem.Estimator.DifferentialEstimator).Assembly,
        typeof(global::DeepMem.Policies.PolicyFactory).Assembly,
        typeof(global::DeepMem.Bridge.Gem5Simulator).Assembly,
        typeof(global::DeepMem.Experiments.ExperimentRunner).Assembly,
        typeof(global::DeepMem.Server.EstimatorServer).Assembly,
        typeof(global::DeepMem.Cli.DeepMemCommand).Assembly).Build();

    private static GivenTypesConjunctionWithDescription LayerTree(string ns) => Types().That().ResideInNamespaceOrBelow(ns).As(ns);

    [Fact]
    public void Core_depends_on_no_other_layer()
    {
        foreach (var above in new[] { "DeepMem.Estimator", "DeepMem.Policies", "DeepMem.Bridge", "DeepMem.Experiments", "DeepMem.Server", "DeepMem.Cli" })
        {
            Types().That().Are(LayerTree("DeepMem.Core")).Should().NotDependOnAny(LayerTree(above)).Check(Architecture);
        }
    }

    [Fact]
    public void Estimator_Policies_and_Bridge_stand_on_Core_alone()
    {
        var middle = new[] { "DeepMem.Estimator", "DeepMem.Policies", "DeepMem.Bridge" };
        foreach (var layer in middle)
        {
            foreach (var other in middle.Where(m => m != layer).Concat(["DeepMem.Experiments", "DeepMem.Server", "DeepMem.Cli"]))
            {
                Types().That().Are(LayerTree(layer)).Should().NotDependOnAny(LayerTree(other)).Check(Architecture);
            }
        }
    }

    [Fact]
    public void Experiments_never_reach_the_command_line()
    {
        Types().That().Are(LayerTree("DeepMem.Experiments")).Should().NotDependOnAny(LayerTree("DeepMem.Cli")).Check(Architecture);
        Types().That().Are(LayerTree("DeepMem.Experiments")).Should().NotDependOnAny(LayerTree("DeepMem.Server")).Check(Architecture);
    }

    [Fact]
    public void The_server_stands_on_Experiments_and_never_reaches_the_command_line()
    {
        Types().That().Are(LayerTree("DeepMem.Server")).Should().NotDependOnAny(LayerTree("DeepMem.Cli")).Check(Architecture);
        Types().That().HaveFullName("DeepMem.Server.EstimatorServer").Should().DependOnAny(LayerTree("DeepMem.Experiments")).Check(Architecture);
        Types().That().HaveFullName("DeepMem.Cli.Commands.ServeCommand").Should().DependOnAny(LayerTree("DeepMem.Server")).Check(Architecture);
    }

    [Fact]
    public void The_command_line_only_parses_and_prints_reaching_the_work_through_Experiments()
    {
        // Core types that Experiments hands out (SimulationSpec, RunResult, Units, IMemorySimulator) are fine;
        // the estimator, the bridge and the policies (QTable, DifferentialEstimator, TraceRecorder, PolicySpec) are not.
        foreach (var below in new[] { "DeepMem.Estimator", "DeepMem.Bridge", "DeepMem.Policies" })
        {
            Types().That().Are(LayerTree("DeepMem.Cli")).Should().NotDependOnAny(LayerTree(below)).Check(Architecture);
        }
    }

    [Fact]
    public void The_command_line_rule_would_see_a_reach_past_Experiments()
    {
        // Not vacuous: the same rule fails for the layer that does use them (Experiments on the estimator and the policies).
        foreach (var below in new[] { "DeepMem.Estimator", "DeepMem.Bridge", "DeepMem.Policies" })
        {
            Assert.False(Types().That().Are(LayerTree("DeepMem.Experiments")).Should().NotDependOnAny(LayerTree(below)).HasNoViolations(Architecture),
                $"Experiments should be seen to use {below}");
        }

        Types().That().HaveFullName("DeepMem.Cli.Commands.TraceCommand").Should().DependOnAny(LayerTree("DeepMem.Core")).Check(Architecture);
    }

    [Fact]
    public void The_rules_see_real_dependencies()
    {
        // Not vacuous: the loader sees that the CLI stands on Experiments and Experiments on Core.
        Types().That().HaveFullName("DeepMem.Cli.Commands.RunCommand").Should().DependOnAny(LayerTree("DeepMem.Experiments")).Check(Architecture);
        Types().That().HaveFullName("DeepMem.Experiments.ExperimentRunner").Should().DependOnAny(LayerTree("DeepMem.Core")).Check(Architecture);
    }
}
