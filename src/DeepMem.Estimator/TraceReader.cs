using System.IO.Compression;
using System.Text.Json;
using DeepMem.Core;

namespace DeepMem.Estimator;

/// <summary>
/// Streaming reader of window traces (JSON lines, gzip-compressed or
/// plain; detected from the first bytes). The header is read by the
/// constructor; <see cref="Read"/> then returns one record at a time.
/// Every problem is a <see cref="TraceFormatException"/> naming the line.
/// Unknown fields are ignored.
/// </summary>
public sealed class TraceReader : IDisposable
{
    private readonly StreamReader _reader;
    private readonly HashSet<ulong> _regionIds = [];
    private readonly HashSet<ulong> _pageSeen = [];
    private int _windows;
    private ulong _sumTicks;
    private ulong _sumInsts;
    private bool _ended;
    private TraceRegion? _region;
    private TraceWindow? _window;
    private TraceEnd? _end;

    /// <summary>Opens a trace on <paramref name="stream"/> and reads its header.</summary>
    /// <param name="stream">The trace bytes (gzip or plain).</param>
    /// <param name="source">Name used in messages, usually the file path.</param>
    /// <param name="leaveOpen">Whether disposing the reader leaves the stream open.</param>
    public TraceReader(Stream stream, string source, bool leaveOpen = false)
    {
        SourceName = source;
        var buffered = new BufferedStream(stream, 1 << 16);
        Stream text = buffered;
        try
        {
            var b0 = buffered.ReadByte();
            var b1 = b0 < 0 ? -1 : buffered.ReadByte();
            var prefix = new List<byte>();
            if (b0 >= 0)
            {
                prefix.Add((byte)b0);
            }

            if (b1 >= 0)
            {
                prefix.Add((byte)b1);
            }

            Stream rest = new PrefixedStream(prefix.ToArray(), buffered, leaveOpen);
            text = b0 == 0x1f && b1 == 0x8b ? new GZipStream(rest, CompressionMode.Decompress) : rest;
        }
        catch (IOException e)
        {
            throw new TraceFormatException(source, 0, "cannot read the trace: " + e.Message, e);
        }

        _reader = new StreamReader(text, System.Text.Encoding.UTF8, false, 1 << 16);
        Header = ReadHeader();
    }

    /// <summary>Name of the trace in messages.</summary>
    public string SourceName { get; }

    /// <summary>The header (line 1).</summary>
    public TraceHeader Header { get; }

    /// <summary>1-based number of the last line read.</summary>
    public long LineNumber { get; private set; }

    /// <summary>The region read by the last <see cref="Read"/> that returned <see cref="TraceRecordKind.Region"/>.</summary>
    public TraceRegion Region => _region ?? throw new InvalidOperationException("no region line was read");

    /// <summary>The window read by the last <see cref="Read"/> that returned <see cref="TraceRecordKind.Window"/>.</summary>
    public TraceWindow Window => _window ?? throw new InvalidOperationException("no window line was read");

    /// <summary>The end record, once read.</summary>
    public TraceEnd End => _end ?? throw new InvalidOperationException("the end line was not read yet");

    /// <summary>Opens a trace file.</summary>
    public static TraceReader Open(string path)
    {
        FileStream stream;
        try
        {
            stream = File.OpenRead(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new TraceFormatException(path, 0, "cannot open the trace: " + e.Message, e);
        }

        try
        {
            return new TraceReader(stream, path);
        }
        catch
        {
            stream.Dispose();
            throw;
        }
    }

    /// <summary>Reads a whole trace file into memory.</summary>
    public static WindowTrace ReadFile(string path)
    {
        using var reader = Open(path);
        return reader.ReadToEnd();
    }

    /// <summary>Reads a whole trace from a stream into memory.</summary>
    public static WindowTrace ReadStream(Stream stream, string source)
    {
        using var reader = new TraceReader(stream, source, leaveOpen: true);
        return reader.ReadToEnd();
    }

    /// <summary>Reads the remaining records into a <see cref="WindowTrace"/>.</summary>
    public WindowTrace ReadToEnd()
    {
        var regions = new List<TraceRegion>();
        var windows = new List<TraceWindow>();
        while (true)
        {
            switch (Read())
            {
                case TraceRecordKind.Region:
                    regions.Add(Region);
                    break;
                case TraceRecordKind.Window:
                    windows.Add(Window);
                    break;
                case TraceRecordKind.End:
                    break;
                default:
                    return new WindowTrace(Header, regions, windows, End, SourceName);
            }
        }
    }

    /// <summary>Reads the next record.</summary>
    public TraceRecordKind Read()
    {
        while (true)
        {
            var line = NextLine();
            if (line is null)
            {
                if (!_ended)
                {
                    throw Error($"the trace ends without an end line after {_windows} window(s) (truncated file?)");
                }

                return TraceRecordKind.EndOfFile;
            }

            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            if (_ended)
            {
                throw Error("content after the end line");
            }

            using var doc = Parse(line);
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw Error($"expected a JSON object, found {root.ValueKind}");
            }

            if (root.TryGetProperty(TraceFormat.Keys.Region, out var region))
            {
                _region = ParseRegion(region);
                return TraceRecordKind.Region;
            }

            if (root.TryGetProperty(TraceFormat.Keys.Window, out _))
            {
                _window = ParseWindow(root);
                return TraceRecordKind.Window;
            }

            if (root.TryGetProperty(TraceFormat.Keys.End, out _))
            {
                _end = ParseEnd(root);
                _ended = true;
                return TraceRecordKind.End;
            }

            throw Error("unknown record: expected an object with \"region\", \"w\" or \"end\"");
        }
    }

    /// <inheritdoc />
    public void Dispose() => _reader.Dispose();

    private string? NextLine()
    {
        try
        {
            var line = _reader.ReadLine();
            LineNumber++;
            return line;
        }
        catch (InvalidDataException e)
        {
            throw new TraceFormatException(SourceName, LineNumber + 1, "corrupt gzip data: " + e.Message, e);
        }
        catch (IOException e)
        {
            throw new TraceFormatException(SourceName, LineNumber + 1, "cannot read the trace: " + e.Message, e);
        }
    }

    private JsonDocument Parse(string line)
    {
        try
        {
            return JsonDocument.Parse(line);
        }
        catch (JsonException e)
        {
            throw Error("invalid JSON: " + e.Message, e);
        }
    }

    private TraceHeader ReadHeader()
    {
        var line = NextLine();
        if (line is null || string.IsNullOrWhiteSpace(line))
        {
            throw Error("empty first line: expected the trace header");
        }

        using var doc = Parse(line);
        var h = doc.RootElement;
        if (h.ValueKind != JsonValueKind.Object)
        {
            throw Error($"the header must be a JSON object, found {h.ValueKind}");
        }

        var format = RequiredString(h, TraceFormat.Keys.Format, "header");
        if (format != TraceFormat.Name)
        {
            throw Error($"header format is \"{format}\", expected \"{TraceFormat.Name}\"");
        }

        var version = (int)RequiredUInt(h, TraceFormat.Keys.Version, "header");
        if (version < 1 || version > TraceFormat.Version)
        {
            throw Error($"header version {version} is not supported (this reader reads versions 1..{TraceFormat.Version})");
        }

        var pageSize = RequiredUInt(h, TraceFormat.Keys.PageSize, "header");
        if (pageSize == 0 || (pageSize & (pageSize - 1)) != 0)
        {
            throw Error($"header page_size must be a power of two greater than zero (was {pageSize})");
        }

        var windowInsts = RequiredUInt(h, TraceFormat.Keys.WindowInstructions, "header");
        if (windowInsts == 0)
        {
            throw Error("header window_instructions must be greater than zero (was 0)");
        }

        var tps = (double)Gem5Defaults.TicksPerSecond;
        if (h.TryGetProperty(TraceFormat.Keys.TicksPerSecond, out var tpsEl))
        {
            if (tpsEl.ValueKind != JsonValueKind.Number || !tpsEl.TryGetDouble(out tps) || !(tps > 0))
            {
                throw Error($"header ticks_per_second must be a number greater than zero (was {tpsEl.GetRawText()})");
            }
        }

        var cpu = h.TryGetProperty(TraceFormat.Keys.Cpu, out var cpuEl) && cpuEl.ValueKind == JsonValueKind.String ? cpuEl.GetString()! : "";
        var cores = 1;
        if (h.TryGetProperty(TraceFormat.Keys.Cores, out _))
        {
            var c = RequiredUInt(h, TraceFormat.Keys.Cores, "header");
            if (c is < 1 or > CpuSpec.MaxCores)
            {
                throw Error($"header cores must be a whole number from 1 to {CpuSpec.MaxCores} (was {c})");
            }

            cores = (int)c;
        }

        if (!h.TryGetProperty(TraceFormat.Keys.Nodes, out var nodesEl) || nodesEl.ValueKind != JsonValueKind.Array || nodesEl.GetArrayLength() == 0)
        {
            throw Error("header nodes must be a non-empty array of {\"id\",\"name\",\"kind\",\"capacity_bytes\"}");
        }

        var nodes = new List<TraceNode>();
        foreach (var n in nodesEl.EnumerateArray())
        {
            var what = $"header nodes[{nodes.Count}]";
            if (n.ValueKind != JsonValueKind.Object)
            {
                throw Error($"{what} must be an object");
            }

            var id = (int)RequiredUInt(n, TraceFormat.Keys.Id, what);
            if (id != nodes.Count)
            {
                throw Error($"{what}.id is {id}, expected {nodes.Count} (nodes are listed in id order from 0)");
            }

            var name = RequiredString(n, TraceFormat.Keys.Name, what);
            var kind = n.TryGetProperty(TraceFormat.Keys.Kind, out var k) && k.ValueKind == JsonValueKind.String ? k.GetString()! : "";
            var cap = n.TryGetProperty(TraceFormat.Keys.CapacityBytes, out _) ? RequiredUInt(n, TraceFormat.Keys.CapacityBytes, what) : 0;
            var bandwidth = n.TryGetProperty(TraceFormat.Keys.BandwidthGbps, out var b) && b.ValueKind == JsonValueKind.Number && b.TryGetDouble(out var gbps)
                && gbps > 0 && double.IsFinite(gbps) ? gbps : 0;
            nodes.Add(new TraceNode(id, name, kind, cap) { BandwidthGbps = bandwidth });
        }

        int? boundNode = null;
        if (!h.TryGetProperty(TraceFormat.Keys.BoundNode, out var boundEl))
        {
            throw Error("header: missing \"bound_node\" (a node id, or null)");
        }

        if (boundEl.ValueKind != JsonValueKind.Null)
        {
            var bound = RequiredUInt(h, TraceFormat.Keys.BoundNode, "header");
            if (bound >= (ulong)nodes.Count)
            {
                throw Error($"header bound_node {bound} does not exist (nodes: {nodes.Count})");
            }

            boundNode = (int)bound;
        }

        var workload = new TraceWorkload("", []);
        if (h.TryGetProperty(TraceFormat.Keys.Workload, out var wl) && wl.ValueKind == JsonValueKind.Object)
        {
            var binary = wl.TryGetProperty(TraceFormat.Keys.Binary, out var b) && b.ValueKind == JsonValueKind.String ? b.GetString()! : "";
            var args = new List<string>();
            if (wl.TryGetProperty(TraceFormat.Keys.Args, out var a) && a.ValueKind == JsonValueKind.Array)
            {
                foreach (var x in a.EnumerateArray())
                {
                    args.Add(x.ValueKind == JsonValueKind.String ? x.GetString()! : x.GetRawText());
                }
            }

            workload = new TraceWorkload(binary, args);
        }

        return new TraceHeader
        {
            Version = version,
            PageSize = pageSize,
            WindowInstructions = windowInsts,
            TicksPerSecond = tps,
            Cpu = cpu,
            Cores = cores,
            Nodes = nodes,
            BoundNode = boundNode,
            Workload = workload,
        };
    }

    private TraceRegion ParseRegion(JsonElement r)
    {
        if (r.ValueKind != JsonValueKind.Object)
        {
            throw Error("\"region\" must be an object with id, start, length and source");
        }

        var id = RequiredUInt(r, TraceFormat.Keys.Id, "region");
        var start = RequiredUInt(r, TraceFormat.Keys.Start, "region");
        var length = RequiredUInt(r, TraceFormat.Keys.Length, "region");
        var source = RegionSource.Mmap;
        if (r.TryGetProperty(TraceFormat.Keys.Source, out var s))
        {
            var text = s.ValueKind == JsonValueKind.String ? s.GetString()! : s.GetRawText();
            if (!Enum.TryParse(text, ignoreCase: true, out source) || !Enum.IsDefined(source) || int.TryParse(text, out _))
            {
                throw Error($"region {id}: source \"{text}\" is unknown (known: mmap, brk, mbind, startup)");
            }
        }

        if (!_regionIds.Add(id))
        {
            throw Error($"region id {id} appears twice");
        }

        if (start > ulong.MaxValue - length)
        {
            throw Error($"region {id}: start 0x{start:x} + length {length} overflows the address space");
        }

        return new TraceRegion(id, start, length, source, _windows);
    }

    private TraceWindow ParseWindow(JsonElement o)
    {
        var index = RequiredUInt(o, TraceFormat.Keys.Window, "window");
        if (index != (ulong)_windows)
        {
            throw Error($"window index {index} out of order: expected {_windows}");
        }

        var what = $"window {index}";
        var ticks = RequiredUInt(o, TraceFormat.Keys.Ticks, what);
        var insts = RequiredUInt(o, TraceFormat.Keys.Insts, what);
        var pages = UIntArray(o, TraceFormat.Keys.Pages, what, ulong.MaxValue);
        var reads = UIntArray(o, TraceFormat.Keys.Reads, what, uint.MaxValue);
        var writes = UIntArray(o, TraceFormat.Keys.Writes, what, uint.MaxValue);
        if (reads.Length != pages.Length || writes.Length != pages.Length)
        {
            throw Error($"{what}: pages, reads and writes differ in length ({pages.Length}, {reads.Length}, {writes.Length})");
        }

        var nodes = new int[pages.Length];
        if (o.TryGetProperty(TraceFormat.Keys.Nodes, out _))
        {
            var raw = UIntArray(o, TraceFormat.Keys.Nodes, what, (ulong)Header.Nodes.Count - 1);
            if (raw.Length != pages.Length)
            {
                throw Error($"{what}: nodes has {raw.Length} entries, pages has {pages.Length}");
            }

            for (var i = 0; i < raw.Length; i++)
            {
                nodes[i] = (int)raw[i];
            }
        }
        else if (Header.BoundNode is { } bound)
        {
            Array.Fill(nodes, bound);
        }
        else
        {
            throw Error($"{what}: missing \"nodes\" (required when the header's bound_node is null)");
        }

        // A page migrated within a window appears once per node, so only
        // (page, node) pairs must be unique.
        _pageSeen.Clear();
        var r = new uint[pages.Length];
        var wr = new uint[pages.Length];
        for (var i = 0; i < pages.Length; i++)
        {
            if (!_pageSeen.Add(((ulong)nodes[i] << 56) ^ pages[i]) && Duplicate(pages, nodes, i))
            {
                throw Error($"{what}: page {pages[i]} (0x{pages[i]:x}) is listed twice for node {nodes[i]}");
            }

            r[i] = (uint)reads[i];
            wr[i] = (uint)writes[i];
        }

        _windows++;
        _sumTicks += ticks;
        _sumInsts += insts;
        ulong[]? resident = null;
        if (o.TryGetProperty(TraceFormat.Keys.Resident, out _))
        {
            resident = UIntArray(o, TraceFormat.Keys.Resident, what, ulong.MaxValue);
            if (resident.Length != Header.Nodes.Count)
            {
                throw Error($"{what}: resident has {resident.Length} entries, the header has {Header.Nodes.Count} nodes");
            }
        }

        ulong migrated = 0, migrationTicks = 0;
        if (o.TryGetProperty(TraceFormat.Keys.Migrated, out _))
        {
            var m = UIntArray(o, TraceFormat.Keys.Migrated, what, ulong.MaxValue);
            if (m.Length != 2)
            {
                throw Error($"{what}: migrated must be [pages, ticks], found {m.Length} numbers");
            }

            (migrated, migrationTicks) = (m[0], m[1]);
            if (migrationTicks > ticks)
            {
                throw Error($"{what}: migration ticks ({migrationTicks}) exceed the window's ticks ({ticks})");
            }
        }

        return new TraceWindow((int)index, ticks, insts, pages, r, wr, nodes)
        {
            Resident = resident, MigratedPages = migrated, MigrationTicks = migrationTicks, Memory = ParseMemory(o, what), Touches = ParseTouches(o, what),
        };
    }

    private CpuTouches? ParseTouches(JsonElement o, string what)
    {
        var hasPages = o.TryGetProperty(TraceFormat.Keys.CpuPages, out _);
        if (hasPages != o.TryGetProperty(TraceFormat.Keys.CpuLines, out _))
        {
            throw Error($"{what}: cpu_pages and cpu_lines go together; only {(hasPages ? "cpu_pages" : "cpu_lines")} is there");
        }

        if (!hasPages)
        {
            return null;
        }

        var pages = UIntArray(o, TraceFormat.Keys.CpuPages, what, ulong.MaxValue);
        var raw = UIntArray(o, TraceFormat.Keys.CpuLines, what, 64);
        if (raw.Length != pages.Length)
        {
            throw Error($"{what}: cpu_lines has {raw.Length} entries, cpu_pages has {pages.Length}");
        }

        var lines = new byte[raw.Length];
        for (var i = 0; i < raw.Length; i++)
        {
            if (i > 0 && pages[i] <= pages[i - 1])
            {
                throw Error($"{what}: cpu_pages must be sorted and unique (page {pages[i]} after {pages[i - 1]})");
            }

            if (raw[i] == 0)
            {
                throw Error($"{what}: cpu_lines[{i}] is 0; a page the CPU touched has 1 to 64 lines");
            }

            lines[i] = (byte)raw[i];
        }

        return new CpuTouches(pages, lines);
    }

    private MemoryCounters[]? ParseMemory(JsonElement o, string what)
    {
        if (!o.TryGetProperty(TraceFormat.Keys.Mem, out var v))
        {
            return null;
        }

        if (v.ValueKind != JsonValueKind.Array || v.GetArrayLength() != Header.Nodes.Count)
        {
            throw Error($"{what}: mem must be an array with one [reads, writes, read_latency_ticks, queue_ticks] per node ({Header.Nodes.Count}), was {Short(v.GetRawText())}");
        }

        var result = new MemoryCounters[Header.Nodes.Count];
        var i = 0;
        foreach (var node in v.EnumerateArray())
        {
            var c = new ulong[4];
            var k = 0;
            if (node.ValueKind == JsonValueKind.Array && node.GetArrayLength() == 4)
            {
                foreach (var x in node.EnumerateArray())
                {
                    if (!TryUInt(x, out c[k]))
                    {
                        break;
                    }

                    k++;
                }
            }

            if (k != 4 || c[3] > c[2])
            {
                throw Error($"{what}: mem[{i}] must be [reads, writes, read_latency_ticks, queue_ticks], whole numbers with queue <= latency (was {Short(node.GetRawText())})");
            }

            result[i++] = new MemoryCounters(c[0], c[1], c[2], c[3]);
        }

        return result;
    }

    private TraceEnd ParseEnd(JsonElement o)
    {
        var ticks = RequiredUInt(o, TraceFormat.Keys.Ticks, "end");
        var insts = RequiredUInt(o, TraceFormat.Keys.Insts, "end");
        var exit = 0;
        if (o.TryGetProperty(TraceFormat.Keys.ExitCode, out var e))
        {
            if (e.ValueKind != JsonValueKind.Number || !e.TryGetInt32(out exit))
            {
                throw Error($"end exit_code must be an integer (was {e.GetRawText()})");
            }
        }

        if (ticks != _sumTicks || insts != _sumInsts)
        {
            var hint = exit == -1 ? " (exit_code -1: the run failed before its last window was written)" : "";
            throw Error($"end totals (ticks {ticks}, insts {insts}) differ from the sums over the {_windows} window(s) (ticks {_sumTicks}, insts {_sumInsts}){hint}");
        }

        return new TraceEnd(ticks, insts, exit);
    }

    private string RequiredString(JsonElement o, string name, string what)
    {
        if (!o.TryGetProperty(name, out var v))
        {
            throw Error($"{what}: missing \"{name}\"");
        }

        if (v.ValueKind != JsonValueKind.String)
        {
            throw Error($"{what}: \"{name}\" must be a string (was {v.GetRawText()})");
        }

        return v.GetString()!;
    }

    private ulong RequiredUInt(JsonElement o, string name, string what)
    {
        if (!o.TryGetProperty(name, out var v))
        {
            throw Error($"{what}: missing \"{name}\"");
        }

        if (!TryUInt(v, out var value))
        {
            throw Error($"{what}: \"{name}\" must be a whole number >= 0 (was {Short(v.GetRawText())})");
        }

        return value;
    }

    private ulong[] UIntArray(JsonElement o, string name, string what, ulong max)
    {
        if (!o.TryGetProperty(name, out var v))
        {
            throw Error($"{what}: missing \"{name}\"");
        }

        if (v.ValueKind != JsonValueKind.Array)
        {
            throw Error($"{what}: \"{name}\" must be an array (was {Short(v.GetRawText())})");
        }

        var result = new ulong[v.GetArrayLength()];
        var i = 0;
        foreach (var x in v.EnumerateArray())
        {
            if (!TryUInt(x, out var value) || value > max)
            {
                throw Error($"{what}: {name}[{i}] must be a whole number in 0..{max} (was {Short(x.GetRawText())})");
            }

            result[i++] = value;
        }

        return result;
    }

    private static bool Duplicate(ulong[] pages, int[] nodes, int i)
    {
        for (var j = 0; j < i; j++)
        {
            if (pages[j] == pages[i] && nodes[j] == nodes[i])
            {
                return true;
            }
        }

        return false;
    }

    private static bool TryUInt(JsonElement v, out ulong value)
    {
        value = 0;
        if (v.ValueKind != JsonValueKind.Number)
        {
            return false;
        }

        if (v.TryGetUInt64(out value))
        {
            return true;
        }

        // Accept integral values written in exponent form, e.g. 1e12.
        if (v.TryGetDouble(out var d) && d >= 0 && d == Math.Floor(d) && d < 1.8e19)
        {
            value = (ulong)d;
            return true;
        }

        return false;
    }

    private static string Short(string text) => text.Length <= 40 ? text : text[..40] + "...";

    private TraceFormatException Error(string problem, Exception? inner = null) =>
        new(SourceName, LineNumber, problem, inner);
}
