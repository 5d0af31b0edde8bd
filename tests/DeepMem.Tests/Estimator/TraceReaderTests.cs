using System.IO.Compression;
using System.Text;
using DeepMem.Core;
using DeepMem.Estimator;
using Xunit;

namespace DeepMem.Tests.Estimator;

public class TraceReaderTests
{
    private const string Header =
        """{"format":"deepmem-window-trace","version":1,"page_size":4096,"window_instructions":1000,"ticks_per_second":1e12,"cpu":"O3","nodes":[{"id":0,"name":"dram","kind":"dram","capacity_bytes":1073741824,"bandwidth_gbps":19.2},{"id":1,"name":"nvm","kind":"nvm","capacity_bytes":4294967296}],"bound_node":1,"default_policy":{"mode":"bind","nodes":[1],"weights":[]},"workload":{"binary":"/bin/stream","args":["100"]}}""";

    private static WindowTrace ReadText(string text, bool gzip = true)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        var ms = new MemoryStream();
        if (gzip)
        {
            using (var gz = new GZipStream(ms, CompressionLevel.Fastest, leaveOpen: true))
            {
                gz.Write(bytes);
            }
        }
        else
        {
            ms.Write(bytes);
        }

        ms.Position = 0;
        return TraceReader.ReadStream(ms, "t.trace.jsonl.gz");
    }

    private static TraceFormatException Bad(string text) => Assert.Throws<TraceFormatException>(() => ReadText(text));

    [Fact]
    public void A_well_formed_trace_is_read_with_unknown_fields_ignored()
    {
        var text = Header.Replace("\"cpu\"", "\"future_field\":[1,2],\"cpu\"") + "\n"
            + """{"region":{"id":7,"start":4096000,"length":8192,"source":"mmap","extra":1}}""" + "\n"
            + """{"w":0,"ticks":500,"insts":1000,"pages":[1000,1001],"reads":[3,4],"writes":[0,1],"nodes":[1,1],"misses":9}""" + "\n"
            + """{"region":{"id":8,"start":8192000,"length":4096,"source":"brk"}}""" + "\n"
            + """{"w":1,"ticks":700,"insts":990,"pages":[2000],"reads":[1],"writes":[2]}""" + "\n"
            + """{"end":true,"ticks":1200,"insts":1990,"exit_code":3}""" + "\n";
        var t = ReadText(text);

        Assert.Equal(4096UL, t.Header.PageSize);
        Assert.Equal(1, t.Header.BoundNode);
        Assert.Equal(["dram", "nvm"], t.Header.Nodes.Select(n => n.Name));
        Assert.Equal("/bin/stream", t.Header.Workload.Binary);
        Assert.Equal(2, t.Regions.Count);
        Assert.Equal(new TraceRegion(7, 4096000, 8192, RegionSource.Mmap, 0), t.Regions[0]);
        Assert.Equal(new TraceRegion(8, 8192000, 4096, RegionSource.Brk, 1), t.Regions[1]);
        Assert.Equal(2, t.Windows.Count);
        Assert.Equal([1000UL, 1001UL], t.Windows[0].Pages);
        Assert.Equal([0U, 1U], t.Windows[0].Writes);
        Assert.Equal([1], t.Windows[1].Nodes); // absent nodes = the bound node
        Assert.Equal(new TraceEnd(1200, 1990, 3), t.End);
        Assert.Equal(1200e-12, t.Seconds, 15);
    }

    [Fact]
    public void Plain_uncompressed_json_lines_are_read_too()
    {
        var text = Header + "\n" + """{"end":true,"ticks":0,"insts":0,"exit_code":0}""" + "\n";
        Assert.Empty(ReadText(text, gzip: false).Windows);
    }

    [Fact]
    public void Writer_output_reads_back_identically()
    {
        var set = TestTraces.TwoByTwo();
        var original = set.Traces[1];
        var ms = new MemoryStream();
        TraceWriter.Write(ms, original);
        ms.Position = 0;
        var back = TraceReader.ReadStream(ms, "x");

        Assert.Equal(original.Header.Nodes, back.Header.Nodes);
        Assert.Equal(original.Header.BoundNode, back.Header.BoundNode);
        Assert.Equal(original.Header.TicksPerSecond, back.Header.TicksPerSecond);
        Assert.Equal(original.Header.Workload.Args, back.Header.Workload.Args);
        Assert.Equal(original.Regions, back.Regions);
        Assert.Equal(original.End, back.End);
        for (var w = 0; w < original.Windows.Count; w++)
        {
            Assert.Equal(original.Windows[w].Pages, back.Windows[w].Pages);
            Assert.Equal(original.Windows[w].Reads, back.Windows[w].Reads);
            Assert.Equal(original.Windows[w].Writes, back.Windows[w].Writes);
            Assert.Equal(original.Windows[w].Nodes, back.Windows[w].Nodes);
            Assert.Equal(original.Windows[w].Ticks, back.Windows[w].Ticks);
        }
    }

    [Fact]
    public void Writer_places_mid_run_regions_before_their_first_window()
    {
        var set = TestTraces.Set([[10, 10], [20, 20]],
            [[new(0x100, 1, 0)], [new(0x200, 1, 0)]],
            [TestTraces.Region(1, 0x100, 1), TestTraces.Region(2, 0x200, 1, firstWindow: 1)]);
        var ms = new MemoryStream();
        TraceWriter.Write(ms, set.Traces[0]);
        ms.Position = 0;
        Assert.Equal(1, TraceReader.ReadStream(ms, "x").Regions[1].FirstWindow);
    }

    [Fact]
    public void Resident_frames_and_migrations_round_trip_and_bad_migrations_are_rejected()
    {
        var t = TestTraces.TwoByTwo().Traces[0];
        var w0 = t.Windows[0];
        var moved = new TraceWindow(0, w0.Ticks, w0.Instructions, w0.Pages, w0.Reads, w0.Writes, w0.Nodes)
        {
            Resident = [5, 2],
            MigratedPages = 3,
            MigrationTicks = 40,
        };
        var ms = new MemoryStream();
        TraceWriter.Write(ms, t with { Windows = [moved, t.Windows[1]] });
        ms.Position = 0;
        var back = TraceReader.ReadStream(ms, "x");
        Assert.Equal([5UL, 2UL], back.Windows[0].Resident!);
        Assert.Equal((3UL, 40UL), (back.Windows[0].MigratedPages, back.Windows[0].MigrationTicks));
        Assert.Equal((0UL, 0UL), (back.Windows[1].MigratedPages, back.Windows[1].MigrationTicks));

        const string Window = """{"w":0,"ticks":100,"insts":1000,"pages":[1],"reads":[1],"writes":[0],"nodes":[1],"migrated":MIG}""";
        Assert.Contains("migrated must be [pages, ticks]", Bad(Header + "\n" + Window.Replace("MIG", "[1]")).Message);
        Assert.Contains("exceed the window's ticks", Bad(Header + "\n" + Window.Replace("MIG", "[1,200]")).Message);
    }

    [Fact]
    public void Memory_counters_round_trip_and_bad_ones_are_rejected()
    {
        var t = TestTraces.TwoByTwo().Traces[0];
        var w0 = t.Windows[0];
        var withMem = new TraceWindow(0, w0.Ticks, w0.Instructions, w0.Pages, w0.Reads, w0.Writes, w0.Nodes)
        {
            Memory = [new MemoryCounters(10, 4, 5_000, 1_000), new MemoryCounters(0, 0, 0, 0)],
        };
        var ms = new MemoryStream();
        TraceWriter.Write(ms, t with { Windows = [withMem, t.Windows[1]] });
        ms.Position = 0;
        var back = TraceReader.ReadStream(ms, "x");
        Assert.Equal(withMem.Memory, back.Windows[0].Memory);
        Assert.Null(back.Windows[1].Memory);
        Assert.Equal(500.0, back.Windows[0].Memory![0].MeanReadLatency);
        Assert.Equal(5_000.0 / w0.Ticks, back.Windows[0].Memory![0].ReadsInFlight(w0.Ticks));

        const string Window = """{"w":0,"ticks":100,"insts":1000,"pages":[1],"reads":[1],"writes":[0],"nodes":[1],"mem":MEM}""";
        Assert.Contains("one [reads, writes, read_latency_ticks, queue_ticks] per node (2)", Bad(Header + "\n" + Window.Replace("MEM", "[[1,0,5,1]]")).Message);
        Assert.Contains("mem[1] must be", Bad(Header + "\n" + Window.Replace("MEM", "[[1,0,5,1],[1,0,5]]")).Message);
        Assert.Contains("queue <= latency", Bad(Header + "\n" + Window.Replace("MEM", "[[1,0,5,1],[1,0,5,6]]")).Message);
        Assert.Contains("mem[0] must be", Bad(Header + "\n" + Window.Replace("MEM", "[[1,0,-5,1],[1,0,5,1]]")).Message);
    }

    [Fact]
    public void Cpu_touches_round_trip_and_bad_ones_are_rejected()
    {
        var t = TestTraces.TwoByTwo().Traces[0];
        var w0 = t.Windows[0];
        var withTouches = new TraceWindow(0, w0.Ticks, w0.Instructions, w0.Pages, w0.Reads, w0.Writes, w0.Nodes)
        {
            Touches = new CpuTouches([0x100, 0x101, 0x200], [64, 1, 7]),
        };
        var ms = new MemoryStream();
        TraceWriter.Write(ms, t with { Windows = [withTouches, t.Windows[1]] });
        ms.Position = 0;
        var back = TraceReader.ReadStream(ms, "x");
        Assert.Equal(withTouches.Touches.Pages, back.Windows[0].Touches!.Pages);
        Assert.Equal(withTouches.Touches.Lines, back.Windows[0].Touches!.Lines);
        Assert.Null(back.Windows[1].Touches);

        const string Window = """{"w":0,"ticks":100,"insts":1000,"pages":[1],"reads":[1],"writes":[0],"nodes":[1]TOUCH}""";
        string W(string touch) => Header + "\n" + Window.Replace("TOUCH", touch);
        Assert.Contains("cpu_pages and cpu_lines go together; only cpu_pages", Bad(W(""","cpu_pages":[1]""")).Message);
        Assert.Contains("cpu_lines has 1 entries, cpu_pages has 2", Bad(W(""","cpu_pages":[1,2],"cpu_lines":[3]""")).Message);
        Assert.Contains("sorted and unique (page 1 after 2)", Bad(W(""","cpu_pages":[2,1],"cpu_lines":[3,3]""")).Message);
        Assert.Contains("cpu_lines[0] is 0", Bad(W(""","cpu_pages":[1],"cpu_lines":[0]""")).Message);
        Assert.Contains("cpu_lines[0] must be a whole number in 0..64", Bad(W(""","cpu_pages":[1],"cpu_lines":[65]""")).Message);
    }

    [Fact]
    public void Files_round_trip_through_the_file_name_convention()
    {
        var dir = Directory.CreateTempSubdirectory("deepmem-trace-").FullName;
        try
        {
            var set = TestTraces.TwoByTwo();
            foreach (var t in set.Traces)
            {
                TraceWriter.WriteFile(Path.Combine(dir, WindowTrace.FileNameFor(t.Header.Nodes[t.Header.BoundNode!.Value].Name)), t);
            }

            var loaded = TraceSet.Load(dir, ["dram", "nvm"]);
            Assert.Equal(2, loaded.NodeCount);
            Assert.Equal(300UL, loaded.Traces[0].End.Ticks);
            Assert.Equal(900UL, loaded.Traces[1].End.Ticks);
            Assert.Equal(2, TraceSet.Load(dir).NodeCount);
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    [Theory]
    [InlineData("", 1, "empty first line")]
    [InlineData("{not json\n", 1, "invalid JSON")]
    [InlineData("{\"format\":\"other\"}\n", 1, "expected \"deepmem-window-trace\"")]
    public void A_bad_header_is_reported_on_line_1(string text, long line, string fragment)
    {
        var e = Bad(text);
        Assert.Equal(line, e.LineNumber);
        Assert.Contains(fragment, e.Message);
        Assert.StartsWith("t.trace.jsonl.gz:1:", e.Message);
    }

    [Fact]
    public void A_newer_version_is_refused_by_name()
    {
        var e = Bad(Header.Replace("\"version\":1", "\"version\":2") + "\n");
        Assert.Contains("version 2 is not supported", e.Message);
    }

    [Fact]
    public void A_bound_node_out_of_range_is_refused()
    {
        var e = Bad(Header.Replace("\"bound_node\":1", "\"bound_node\":5") + "\n");
        Assert.Contains("bound_node 5 does not exist (nodes: 2)", e.Message);
    }

    [Theory]
    [InlineData("""{"w":0,"ticks":5,"insts":1000,"pages":[1,2],"reads":[1],"writes":[0,0]}""", "differ in length")]
    [InlineData("""{"w":1,"ticks":5,"insts":1000,"pages":[],"reads":[],"writes":[]}""", "window index 1 out of order: expected 0")]
    [InlineData("""{"w":0,"ticks":-5,"insts":1000,"pages":[],"reads":[],"writes":[]}""", "\"ticks\" must be a whole number")]
    [InlineData("""{"w":0,"ticks":5,"insts":1000,"pages":[3,3],"reads":[1,1],"writes":[0,0]}""", "listed twice")]
    [InlineData("""{"w":0,"ticks":5,"insts":1000,"pages":[3],"reads":[1],"writes":[0],"nodes":[2]}""", "nodes[0] must be a whole number in 0..1")]
    [InlineData("""{"w":0,"ticks":5,"insts":1000,"pages":[3],"reads":[4294967296],"writes":[0]}""", "reads[0]")]
    [InlineData("""{"w":0,"ticks":5,"pages":[],"reads":[],"writes":[]}""", "missing \"insts\"")]
    [InlineData("""{"region":{"id":1,"start":0,"length":4096,"source":"heap"}}""", "source \"heap\" is unknown")]
    [InlineData("""{"hello":1}""", "unknown record")]
    [InlineData("""[1,2]""", "expected a JSON object")]
    [InlineData("""{"w":0,"ticks":5,"insts":1000,"pages":[1],"reads":[1],"writes":[0]""", "invalid JSON")]
    public void A_bad_record_is_reported_with_its_line_number(string record, string fragment)
    {
        var text = Header + "\n"
            + """{"region":{"id":1,"start":409600,"length":4096,"source":"mmap"}}""" + "\n"
            + record + "\n"
            + """{"end":true,"ticks":5,"insts":1000,"exit_code":0}""" + "\n";
        var e = Bad(text);
        Assert.Equal(3, e.LineNumber);
        Assert.Contains(fragment, e.Message);
        Assert.StartsWith("t.trace.jsonl.gz:3:", e.Message);
    }

    [Fact]
    public void A_page_migrated_within_a_window_may_appear_once_per_node()
    {
        var text = Header + "\n"
            + """{"w":0,"ticks":5,"insts":1000,"pages":[3,3],"reads":[1,2],"writes":[0,1],"nodes":[0,1]}""" + "\n"
            + """{"end":true,"ticks":5,"insts":1000,"exit_code":0}""" + "\n";
        var w = ReadText(text).Windows[0];
        Assert.Equal([3UL, 3UL], w.Pages);
        Assert.Equal([0, 1], w.Nodes);
    }

    [Fact]
    public void A_null_bound_node_is_read_but_needs_per_page_nodes()
    {
        var header = Header.Replace("\"bound_node\":1", "\"bound_node\":null");
        var ok = ReadText(header + "\n" + """{"end":true,"ticks":0,"insts":0,"exit_code":0}""" + "\n");
        Assert.Null(ok.Header.BoundNode);
        var e = Bad(header + "\n" + """{"w":0,"ticks":5,"insts":1000,"pages":[3],"reads":[1],"writes":[0]}""" + "\n");
        Assert.Contains("missing \"nodes\"", e.Message);
        Assert.Equal(2, e.LineNumber);

        var set = TestTraces.TwoByTwo();
        var unbound = set.Traces[1] with { Header = set.Traces[1].Header with { BoundNode = null } };
        var se = Assert.Throws<TraceSetException>(() => TraceSet.Create([set.Traces[0], unbound]));
        Assert.Contains("nvm.trace.jsonl.gz is not a single-device trace (bound_node is null)", se.Message);
    }

    [Fact]
    public void End_totals_must_match_the_windows()
    {
        var text = Header + "\n"
            + """{"w":0,"ticks":5,"insts":1000,"pages":[],"reads":[],"writes":[]}""" + "\n"
            + """{"end":true,"ticks":6,"insts":1000,"exit_code":0}""" + "\n";
        var e = Bad(text);
        Assert.Equal(3, e.LineNumber);
        Assert.Contains("end totals (ticks 6, insts 1000) differ from the sums over the 1 window(s) (ticks 5, insts 1000)", e.Message);
    }

    [Fact]
    public void A_truncated_trace_says_so()
    {
        var text = Header + "\n" + """{"w":0,"ticks":5,"insts":1000,"pages":[],"reads":[],"writes":[]}""" + "\n";
        var e = Bad(text);
        Assert.Contains("without an end line after 1 window(s)", e.Message);
    }

    [Fact]
    public void Content_after_the_end_line_is_refused()
    {
        var text = Header + "\n" + """{"end":true,"ticks":0,"insts":0,"exit_code":0}""" + "\n\n"
            + """{"w":0,"ticks":5,"insts":1000,"pages":[],"reads":[],"writes":[]}""" + "\n";
        var e = Bad(text);
        Assert.Equal(4, e.LineNumber);
        Assert.Contains("after the end line", e.Message);
    }

    [Fact]
    public void Duplicate_region_ids_are_refused()
    {
        var text = Header + "\n"
            + """{"region":{"id":1,"start":0,"length":4096}}""" + "\n"
            + """{"region":{"id":1,"start":8192,"length":4096}}""" + "\n";
        var e = Bad(text);
        Assert.Equal(3, e.LineNumber);
        Assert.Contains("region id 1 appears twice", e.Message);
    }

    [Fact]
    public void Corrupt_gzip_is_reported_as_a_trace_error()
    {
        var ms = new MemoryStream();
        using (var gz = new GZipStream(ms, CompressionLevel.Fastest, leaveOpen: true))
        {
            gz.Write(Encoding.UTF8.GetBytes(Header + "\n" + new string('x', 5000)));
        }

        var bytes = ms.ToArray();
        for (var i = 20; i < bytes.Length - 8; i += 3)
        {
            bytes[i] ^= 0x5a;
        }

        Assert.Throws<TraceFormatException>(() => TraceReader.ReadStream(new MemoryStream(bytes), "corrupt"));
    }
}
