using DeepMem.Bridge;
using DeepMem.Core;
using DeepMem.Estimator;

namespace DeepMem.Tests.Contracts;

/// <summary>
/// The window-trace format (docs/trace-format.md) across the languages:
/// traces written by the gem5 side's writer (deepmem.trace, driven under
/// /usr/bin/python3 without gem5) are read by the C# reader with every
/// field intact and load as a trace set; every committed trace set under
/// configs/traces loads.
/// </summary>
public sealed class TraceFormatContractTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("deepmem-trace-contract-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>
    /// Writes, with deepmem.trace: OUT/set/{dram,nvm}.trace.jsonl.gz (bound
    /// to one node each), OUT/set/calibration.trace.jsonl.gz (interleaved),
    /// and OUT/full.trace.jsonl.gz with every optional window field.
    /// </summary>
    private const string Writer = """
        import os, sys
        from deepmem.trace import (CALIBRATION_FILE, FILE_SUFFIX, TraceWriter,
                                   header, read_trace)
        out = sys.argv[1]
        nodes = [{"name": "dram", "kind": "dram", "capacity_bytes": 1 << 20,
                  "bandwidth_gbps": 19.2},
                 {"name": "nvm", "kind": "nvm", "capacity_bytes": 1 << 24,
                  "bandwidth_gbps": 2.3}]
        pages = [0x400, 0x401, 0x800]

        def write(path, bound, mode, ticks, extras=False):
            policy = {"mode": mode, "nodes": [] if bound is None else [bound],
                      "weights": []}
            w = TraceWriter(path, header(4096, 1000, 10**12, "O3", nodes,
                                         bound, policy, "tests/workloads/k",
                                         ["a", "1"], cores=4 if extras else 1))
            w.region(1, 0x400000, 2 * 4096, "mmap")
            w.region(2, 0x800000, 4096, "brk")
            insts = [1000, 1000, 200]
            for i, (t, n) in enumerate(zip(ticks, insts)):
                on = [bound] * 3 if bound is not None else [0, 1, 0]
                kw = {}
                if extras:
                    kw = dict(resident=[3 + i, 7], migrated=[2, 100] if i else [0, 0],
                              mem=[[10, 2, 900, 300], [1, 0, 150, 0]],
                              touches=[(0x400, 64), (0x801, 3)])
                w.window(t, n, pages, [10 + i, 3, 1], [2, 0, i], on, **kw)
            w.end(sum(ticks), sum(insts), 0)
            read_trace(path)  # the Python side's own check

        os.makedirs(os.path.join(out, "set"))
        write(os.path.join(out, "set", "dram" + FILE_SUFFIX), 0, "bind", [5000, 6000, 1000])
        write(os.path.join(out, "set", "nvm" + FILE_SUFFIX), 1, "bind", [9000, 9500, 1800])
        write(os.path.join(out, "set", CALIBRATION_FILE), None, "interleave", [7000, 7500, 1400])
        write(os.path.join(out, "full" + FILE_SUFFIX), None, "local", [5000, 6000, 1000], extras=True)
        print(FILE_SUFFIX, CALIBRATION_FILE)
        """;

    private string WritePython()
    {
        var names = PythonSide.Run(["-c", Writer, _dir]).Trim();
        // The file names are part of the contract too.
        Assert.Equal($"{TraceFormat.FileSuffix} {TraceFormat.CalibrationFile}", names);
        return _dir;
    }

    [Fact]
    public void A_trace_written_by_the_python_writer_is_read_by_the_CSharp_reader_field_by_field()
    {
        var trace = TraceReader.ReadFile(Path.Combine(WritePython(), "full" + TraceFormat.FileSuffix));

        var h = trace.Header;
        Assert.Equal(TraceFormat.Version, h.Version);
        Assert.Equal(4096UL, h.PageSize);
        Assert.Equal(1000UL, h.WindowInstructions);
        Assert.Equal(1e12, h.TicksPerSecond);
        Assert.Equal("O3", h.Cpu);
        Assert.Equal(4, h.Cores);
        Assert.Equal([new TraceNode(0, "dram", "dram", 1 << 20) { BandwidthGbps = 19.2 }, new TraceNode(1, "nvm", "nvm", 1 << 24) { BandwidthGbps = 2.3 }], h.Nodes);
        Assert.Null(h.BoundNode);
        Assert.Equal("tests/workloads/k", h.Workload.Binary);
        Assert.Equal(["a", "1"], h.Workload.Args);

        Assert.Equal([(1UL, 0x400000UL, 8192UL, RegionSource.Mmap), (2UL, 0x800000UL, 4096UL, RegionSource.Brk)],
            trace.Regions.Select(r => (r.Id, r.Start, r.Length, r.Source)));

        Assert.Equal([0, 1, 2], trace.Windows.Select(w => w.Index));
        Assert.Equal([5000UL, 6000UL, 1000UL], trace.Windows.Select(w => w.Ticks));
        Assert.Equal([1000UL, 1000UL, 200UL], trace.Windows.Select(w => w.Instructions));
        var w1 = trace.Windows[1];
        Assert.Equal([0x400UL, 0x401UL, 0x800UL], w1.Pages);
        Assert.Equal([11U, 3U, 1U], w1.Reads);
        Assert.Equal([2U, 0U, 1U], w1.Writes);
        Assert.Equal([0, 1, 0], w1.Nodes);
        Assert.Equal([4UL, 7UL], w1.Resident!);
        Assert.Equal((2UL, 100UL), (w1.MigratedPages, w1.MigrationTicks));
        Assert.Equal(0UL, trace.Windows[0].MigratedPages);
        Assert.Equal([new MemoryCounters(10, 2, 900, 300), new MemoryCounters(1, 0, 150, 0)], w1.Memory!);
        Assert.Equal([0x400UL, 0x801UL], w1.Touches!.Pages);
        Assert.Equal([(byte)64, (byte)3], w1.Touches.Lines);

        Assert.Equal(new TraceEnd(12000, 2200, 0), trace.End);
    }

    [Fact]
    public void A_trace_set_written_by_the_python_writer_loads_with_its_calibration()
    {
        var set = TraceSet.Load(Path.Combine(WritePython(), "set"), ["dram", "nvm"]);
        Assert.Equal(2, set.NodeCount);
        Assert.Equal(3, set.WindowCount);
        Assert.Equal([0, 1], set.Traces.Select(t => t.Header.BoundNode ?? -1));
        // Written without "cores" (single-core runs), read as 1.
        Assert.All(set.Traces, t => Assert.Equal(1, t.Header.Cores));
        Assert.NotNull(set.Calibration);
        // The recorder names the files as the format does.
        Assert.Equal(TraceFormat.CalibrationFile, TraceRecorder.CalibrationFileName);
        Assert.Equal(TraceFormat.NodeFile("dram"), TraceRecorder.TraceFileName("dram"));
    }

    public static TheoryData<string> CommittedSets()
    {
        var data = new TheoryData<string>();
        foreach (var dir in Directory.GetDirectories(Path.Combine(PythonSide.Root, "configs", "traces")).Order())
        {
            data.Add(Path.GetFileName(dir));
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(CommittedSets))]
    public void Every_committed_trace_set_loads(string name)
    {
        var dir = Path.Combine(PythonSide.Root, "configs", "traces", name);
        var set = TraceSet.Load(dir);
        Assert.True(set.NodeCount >= 2, $"{name}: {set.NodeCount} node trace(s)");
        Assert.True(set.WindowCount > 0);
        Assert.All(set.Traces, t => Assert.Equal(TraceFormat.Version, t.Header.Version));
        Assert.Equal(File.Exists(Path.Combine(dir, TraceFormat.CalibrationFile)), set.Calibration is not null);
    }

    [Fact]
    public void The_committed_trace_sets_are_found()
    {
        Assert.True(CommittedSets().Count >= 1, "no trace set under configs/traces");
    }
}
