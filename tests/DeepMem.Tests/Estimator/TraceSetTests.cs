using DeepMem.Estimator;
using Xunit;

namespace DeepMem.Tests.Estimator;

public class TraceSetTests
{
    private static readonly TestTraces.Access[][] Windows =
    [
        [new(0x100, 1, 0)],
        [new(0x100, 2, 0)],
    ];

    [Fact]
    public void Traces_are_ordered_by_bound_node_whatever_the_input_order()
    {
        var set = TestTraces.TwoByTwo();
        var swapped = TraceSet.Create([set.Traces[1], set.Traces[0]]);
        Assert.Equal(0, swapped.Traces[0].Header.BoundNode);
        Assert.Equal(1, swapped.Traces[1].Header.BoundNode);
        Assert.Equal(0, swapped.FastestNode);
    }

    private static WindowTrace WithInstructions(WindowTrace t, params ulong[] insts) => t with
    {
        Windows = t.Windows.Select((w, i) => new TraceWindow(i, w.Ticks, insts[i], w.Pages, w.Reads, w.Writes, w.Nodes)).ToList(),
        End = t.End with { Instructions = (ulong)insts.Sum(x => (decimal)x) },
    };

    [Fact]
    public void An_O3_overshoot_of_a_few_instructions_is_tolerated()
    {
        var a = TestTraces.Trace(0, 2, [10, 10], Windows, []);
        var b = WithInstructions(TestTraces.Trace(1, 2, [20, 20], Windows, []), 1005, 995);
        Assert.Equal(2, TraceSet.Create([a, b]).WindowCount);
    }

    [Fact]
    public void Misaligned_windows_are_reported_with_window_and_counts()
    {
        var a = TestTraces.Trace(0, 2, [10, 10], Windows, []);
        var b = WithInstructions(TestTraces.Trace(1, 2, [20, 20], Windows, []), 1000, 1012);
        var e = Assert.Throws<TraceSetException>(() => TraceSet.Create([a, b], instructionTolerance: 0));
        Assert.Contains(e.Problems, p => p == "window 1 is not instruction-aligned: it ends at instruction 2000 in dram.trace.jsonl.gz but 2012 in nvm.trace.jsonl.gz (tolerance 0)");
        Assert.DoesNotContain(e.Problems, p => p.StartsWith("window 0", StringComparison.Ordinal));

        var far = WithInstructions(TestTraces.Trace(1, 2, [20, 20], Windows, []), 1500, 500);
        var e2 = Assert.Throws<TraceSetException>(() => TraceSet.Create([a, far]));
        Assert.Contains(e2.Problems, p => p.StartsWith("window 0 is not instruction-aligned: it ends at instruction 1000 in dram.trace.jsonl.gz but 1500", StringComparison.Ordinal));
    }

    [Fact]
    public void On_several_cores_only_the_programs_end_may_differ_by_a_tenth_of_a_window()
    {
        static WindowTrace Cores(WindowTrace t, int cores) => t with { Header = t.Header with { Cores = cores } };
        var a = Cores(TestTraces.Trace(0, 2, [10, 10], Windows, []), 4);
        // The main thread's barrier and join instructions depend on timing:
        // the last window ends 90 instructions later (a tenth of 1000 is 100).
        var b = Cores(WithInstructions(TestTraces.Trace(1, 2, [20, 20], Windows, []), 1000, 1090), 4);
        Assert.Equal(2, TraceSet.Create([a, b]).WindowCount);

        var beyond = Cores(WithInstructions(TestTraces.Trace(1, 2, [20, 20], Windows, []), 1000, 1110), 4);
        Assert.Contains(Assert.Throws<TraceSetException>(() => TraceSet.Create([a, beyond])).Problems,
            p => p.StartsWith("window 1 is not instruction-aligned", StringComparison.Ordinal) && p.EndsWith("(tolerance 100)", StringComparison.Ordinal));

        var interior = Cores(WithInstructions(TestTraces.Trace(1, 2, [20, 20], Windows, []), 1090, 1000), 4);
        Assert.Contains(Assert.Throws<TraceSetException>(() => TraceSet.Create([a, interior])).Problems,
            p => p.StartsWith("window 0 is not instruction-aligned", StringComparison.Ordinal));

        var oneCore = WithInstructions(TestTraces.Trace(1, 2, [20, 20], Windows, []), 1000, 1090);
        Assert.Throws<TraceSetException>(() => TraceSet.Create([TestTraces.Trace(0, 2, [10, 10], Windows, []), oneCore]));
    }

    [Fact]
    public void Different_window_counts_and_regions_are_all_reported()
    {
        var a = TestTraces.Trace(0, 2, [10, 10], Windows, [TestTraces.Region(1, 0x100, 1)]);
        var b = TestTraces.Trace(1, 2, [20], Windows[..1], [TestTraces.Region(1, 0x180, 1)]);
        var e = Assert.Throws<TraceSetException>(() => TraceSet.Create([a, b]));
        Assert.Contains(e.Problems, p => p.StartsWith("window count differs: 2 in dram.trace.jsonl.gz, 1 in nvm.trace.jsonl.gz", StringComparison.Ordinal));
        Assert.Contains(e.Problems, p => p.StartsWith("region #0 differs", StringComparison.Ordinal));
    }

    [Fact]
    public void A_missing_node_trace_names_the_expected_file()
    {
        var a = TestTraces.Trace(0, 2, [10, 10], Windows, []);
        var e = Assert.Throws<TraceSetException>(() => TraceSet.Create([a]));
        Assert.Contains("no trace is bound to node 1 (nvm): expected nvm.trace.jsonl.gz", e.Message);
    }

    [Fact]
    public void Pages_off_the_bound_node_are_a_warning_not_an_error()
    {
        var set = TestTraces.TwoByTwo();
        Assert.Empty(set.Warnings);
        var t = set.Traces[1];
        var w = t.Windows[0];
        var moved = t with { Windows = [new TraceWindow(0, w.Ticks, w.Instructions, w.Pages, w.Reads, w.Writes, [0, 1]), t.Windows[1]] };
        var warned = TraceSet.Create([set.Traces[0], moved]);
        Assert.Equal("nvm.trace.jsonl.gz: 1 of 4 page entries lived on another node than the bound node 1 (the program's own mbind/set_mempolicy?); the estimator treats every page as placed by the plan", warned.Warnings.Single());
    }

    [Fact]
    public void Two_traces_bound_to_the_same_node_are_refused()
    {
        var a = TestTraces.Trace(0, 2, [10, 10], Windows, []);
        var e = Assert.Throws<TraceSetException>(() => TraceSet.Create([a, a]));
        Assert.Contains("both bound to node 0", e.Message);
    }

    [Fact]
    public void Loading_a_folder_without_traces_says_what_is_missing()
    {
        var dir = Directory.CreateTempSubdirectory("deepmem-empty-").FullName;
        try
        {
            Assert.Contains("holds no *.trace.jsonl.gz", Assert.Throws<TraceSetException>(() => TraceSet.Load(dir)).Message);
            Assert.Contains("missing trace", Assert.Throws<TraceSetException>(() => TraceSet.Load(dir, ["dram"])).Message);
        }
        finally
        {
            Directory.Delete(dir);
        }
    }
}
