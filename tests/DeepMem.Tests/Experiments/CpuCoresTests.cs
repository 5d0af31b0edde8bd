using DeepMem.Bridge;
using DeepMem.Core;
using DeepMem.Estimator;
using DeepMem.Experiments;
using DeepMem.Tests.Contracts;
using DeepMem.Tests.Policies;

namespace DeepMem.Tests.Experiments;

/// <summary>
/// <c>cpu.cores</c>: parsed with file:line:col errors, on the gem5 command
/// line and in the result key only when more than one core (single-core
/// lines and keys stay as they were), and refused by the estimator for
/// traces recorded with another core count.
/// </summary>
public class CpuCoresTests
{
    private const string Base = """
        name: demo
        memory:
          nodes:
            - { name: dram, preset: ddr4, capacity: 64MiB }
            - { name: nvm, preset: nvm, capacity: 256MiB }
        cpu:
          model: timing
        workload:
          binary: bin/stream
        epoch: 1M
        backend: gem5
        """;

    private static LoadResult Load(string yaml) => ExperimentLoader.LoadText(yaml, "/tmp/exp/cores.yaml");

    private static Experiment One(string yaml)
    {
        var r = Load(yaml);
        Assert.True(r.Ok, string.Join("\n", r.Problems));
        return Assert.Single(r.Experiments);
    }

    private static string WithCores(string cores) => Base.Replace("  model: timing", "  model: timing\n  cores: " + cores);

    [Fact]
    public void Cores_default_to_one_and_take_a_whole_number_up_to_64()
    {
        Assert.Equal(1, One(Base).Spec.Cpu.Cores);
        Assert.Equal(4, One(WithCores("4")).Spec.Cpu.Cores);
        Assert.Equal(64, One(WithCores("64")).Spec.Cpu.Cores);
        var printed = new StringWriter();
        ExperimentPrinter.Print([One(WithCores("4"))], printed);
        Assert.Contains("l2: 1MiB, cores: 4 }", printed.ToString());
    }

    [Theory]
    [InlineData("0")]
    [InlineData("65")]
    [InlineData("four")]
    [InlineData("2.5")]
    [InlineData("-1")]
    public void A_bad_core_count_is_an_error_at_its_line_and_column_with_the_allowed_range(string value)
    {
        var r = Load(WithCores(value));
        var p = Assert.Single(r.Problems, x => x.Severity == Severity.Error);
        Assert.Equal("cpu.cores", p.Key);
        Assert.Equal(8, p.Line);
        Assert.Equal(10, p.Column);
        Assert.Contains("from 1 to 64", p.Message);
        Assert.Contains($"cores.yaml:8:10", p.ToString());
    }

    private static Gem5Options Options => new() { ConfigScript = "configs/gem5/deepmem_se.py", PythonPath = "py" };

    [Fact]
    public void The_gem5_command_line_says_cores_only_when_more_than_one()
    {
        var one = One(Base).Spec;
        var four = One(WithCores("4")).Spec;
        var argsOne = Gem5CommandLine.ForRun(Options, one).ToArguments();
        Assert.DoesNotContain("--cores", argsOne);
        // An explicit "cores: 1" builds the very same line as none.
        Assert.Equal(argsOne, Gem5CommandLine.ForRun(Options, One(WithCores("1")).Spec).ToArguments());

        var argsFour = Gem5CommandLine.ForRun(Options, four).ToArguments().ToList();
        var at = argsFour.IndexOf("--cores");
        Assert.True(at > 0, string.Join(' ', argsFour));
        Assert.Equal("4", argsFour[at + 1]);
        // Nothing else changes.
        argsFour.RemoveRange(at, 2);
        Assert.Equal(argsOne, argsFour);
    }

    [Fact]
    public void The_result_key_changes_with_more_than_one_core_only()
    {
        var none = ResultKey.Of(One(Base));
        Assert.Equal(none.Value, ResultKey.Of(One(WithCores("1"))).Value);
        var four = ResultKey.Of(One(WithCores("4")));
        Assert.NotEqual(none.Value, four.Value);
        Assert.Equal([ResultKey.Settings], four.ChangedSince(none.Inputs));
        Assert.NotEqual(four.Value, ResultKey.Of(One(WithCores("8"))).Value);
    }

    [Fact]
    public void The_estimator_refuses_single_core_traces_for_a_multi_core_experiment_and_takes_traces_of_the_same_count()
    {
        var traces = PolicyTestKit.Synthetic();
        var spec = PolicyTestKit.Spec() with { Cpu = PolicyTestKit.Spec().Cpu with { Cores = 4 } };
        var problem = Assert.Single(EstimatorSimulator.Check(spec, traces));
        Assert.Contains("4 cores (cpu.cores)", problem);
        Assert.Contains("recorded with 1 (single-core traces)", problem);
        Assert.Empty(EstimatorSimulator.Check(PolicyTestKit.Spec(), traces));

        var fourCoreTraces = TraceSet.Create(traces.Traces.Select(t => t with { Header = t.Header with { Cores = 4 } }).ToList());
        Assert.Empty(EstimatorSimulator.Check(spec, fourCoreTraces));
        Assert.Contains(EstimatorSimulator.Check(PolicyTestKit.Spec(), fourCoreTraces), p => p.Contains("recorded with 4"));
    }

    [Fact]
    public void Validate_refuses_the_committed_single_core_traces_for_the_quickstart_on_four_cores()
    {
        var file = Path.Combine(PythonSide.Root, "configs", "experiments", "quickstart.yaml");
        var text = File.ReadAllText(file);
        var four = ExperimentLoader.LoadText(text.Replace("  l2: 256KiB", "  l2: 256KiB\n  cores: 4", StringComparison.Ordinal), file,
            new LoadOptions { CheckBackendFiles = true, OutputFromCommandLine = true });
        Assert.True(four.Ok, string.Join("\n", four.Problems));
        Assert.All(four.Experiments, e => Assert.Equal(4, e.Spec.Cpu.Cores));
        var problem = Assert.Single(Backends.Validate(four.Experiments, file), p => p.Severity == Severity.Error);
        Assert.Equal("estimator.traces", problem.Key);
        Assert.Contains("4 cores (cpu.cores) but the traces were recorded with 1", problem.Message);

        var one = ExperimentLoader.LoadText(text, file, new LoadOptions { CheckBackendFiles = true, OutputFromCommandLine = true });
        Assert.DoesNotContain(Backends.Validate(one.Experiments, file), p => p.Severity == Severity.Error);
    }

    [Fact]
    public void A_trace_header_keeps_its_core_count_through_the_writer_and_reader_and_a_set_needs_one_count()
    {
        var dir = Directory.CreateTempSubdirectory("deepmem-cores-").FullName;
        try
        {
            var traces = PolicyTestKit.Synthetic().Traces;
            var path = Path.Combine(dir, "t" + TraceFormat.FileSuffix);
            TraceWriter.WriteFile(path, traces[0] with { Header = traces[0].Header with { Cores = 8 } });
            Assert.Equal(8, TraceReader.ReadFile(path).Header.Cores);

            var mixed = Assert.Throws<TraceSetException>(() => TraceSet.Create(
                [traces[0], traces[1] with { Header = traces[1].Header with { Cores = 2 } }]));
            Assert.Contains("cores differ: 1", mixed.Message);
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }
}
