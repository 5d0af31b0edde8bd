using System.IO.Compression;
using System.Text.Json;

namespace DeepMem.Estimator;

/// <summary>
/// Writes window traces in the format <see cref="TraceReader"/> reads:
/// header, then regions and windows in order, then the end line. Used for
/// tests and synthetic data; gem5 writes the real ones.
/// </summary>
public sealed class TraceWriter : IDisposable
{
    private readonly Stream _stream;
    private readonly Utf8JsonWriter _json;
    private readonly TraceHeader _header;
    private int _windows;
    private ulong _ticks;
    private ulong _insts;
    private bool _ended;

    /// <summary>Starts a trace on <paramref name="stream"/> and writes the header.</summary>
    /// <param name="stream">Destination.</param>
    /// <param name="header">The header line.</param>
    /// <param name="compress">Gzip the output (the file format); false writes plain JSON lines.</param>
    /// <param name="leaveOpen">Whether disposing the writer leaves <paramref name="stream"/> open.</param>
    public TraceWriter(Stream stream, TraceHeader header, bool compress = true, bool leaveOpen = false)
    {
        _stream = compress ? new GZipStream(stream, CompressionLevel.Fastest, leaveOpen) : leaveOpen ? new NonClosingStream(stream) : stream;
        _json = new Utf8JsonWriter(_stream, new JsonWriterOptions { SkipValidation = true });
        _header = header;
        WriteHeader(header);
    }

    /// <summary>Creates (or replaces) a gzip trace file and writes the header.</summary>
    public static TraceWriter Create(string path, TraceHeader header) =>
        new(File.Create(path), header, compress: !path.EndsWith(".jsonl", StringComparison.Ordinal));

    /// <summary>Writes a whole trace to a file (gzip unless the name ends in ".jsonl").</summary>
    public static void WriteFile(string path, WindowTrace trace)
    {
        using var writer = Create(path, trace.Header);
        writer.WriteAll(trace);
    }

    /// <summary>Writes a whole trace to a stream.</summary>
    public static void Write(Stream stream, WindowTrace trace, bool compress = true)
    {
        using var writer = new TraceWriter(stream, trace.Header, compress, leaveOpen: true);
        writer.WriteAll(trace);
    }

    /// <summary>Writes a region line.</summary>
    public void WriteRegion(TraceRegion region)
    {
        CheckOpen();
        _json.WriteStartObject();
        _json.WriteStartObject(TraceFormat.Keys.Region);
        _json.WriteNumber(TraceFormat.Keys.Id, region.Id);
        _json.WriteNumber(TraceFormat.Keys.Start, region.Start);
        _json.WriteNumber(TraceFormat.Keys.Length, region.Length);
        _json.WriteString(TraceFormat.Keys.Source, region.Source.ToString().ToLowerInvariant());
        _json.WriteEndObject();
        _json.WriteEndObject();
        EndLine();
    }

    /// <summary>Writes a window line; windows must come in index order.</summary>
    public void WriteWindow(TraceWindow window)
    {
        CheckOpen();
        if (window.Index != _windows)
        {
            throw new InvalidOperationException($"window {window.Index} written out of order: expected {_windows}");
        }

        _json.WriteStartObject();
        _json.WriteNumber(TraceFormat.Keys.Window, window.Index);
        _json.WriteNumber(TraceFormat.Keys.Ticks, window.Ticks);
        _json.WriteNumber(TraceFormat.Keys.Insts, window.Instructions);
        WriteArray(TraceFormat.Keys.Pages, window.Pages);
        WriteArray(TraceFormat.Keys.Reads, window.Reads);
        WriteArray(TraceFormat.Keys.Writes, window.Writes);
        WriteArray(TraceFormat.Keys.Nodes, window.Nodes);
        if (window.Resident is { } resident)
        {
            WriteArray(TraceFormat.Keys.Resident, resident);
        }

        if (window.MigratedPages > 0)
        {
            _json.WriteStartArray(TraceFormat.Keys.Migrated);
            _json.WriteNumberValue(window.MigratedPages);
            _json.WriteNumberValue(window.MigrationTicks);
            _json.WriteEndArray();
        }

        if (window.Memory is { } memory)
        {
            _json.WriteStartArray(TraceFormat.Keys.Mem);
            foreach (var m in memory)
            {
                _json.WriteStartArray();
                _json.WriteNumberValue(m.Reads);
                _json.WriteNumberValue(m.Writes);
                _json.WriteNumberValue(m.ReadLatencyTicks);
                _json.WriteNumberValue(m.QueueTicks);
                _json.WriteEndArray();
            }

            _json.WriteEndArray();
        }

        if (window.Touches is { } touches)
        {
            WriteArray(TraceFormat.Keys.CpuPages, touches.Pages);
            WriteArray(TraceFormat.Keys.CpuLines, touches.Lines);
        }

        _json.WriteEndObject();
        EndLine();
        _windows++;
        _ticks += window.Ticks;
        _insts += window.Instructions;
    }

    /// <summary>An array of non-negative whole numbers under <paramref name="name"/>.</summary>
    private void WriteArray<T>(string name, T[] values)
        where T : System.Numerics.IBinaryInteger<T>
    {
        _json.WriteStartArray(name);
        foreach (var v in values)
        {
            _json.WriteNumberValue(ulong.CreateChecked(v));
        }

        _json.WriteEndArray();
    }

    /// <summary>Writes the end line with the totals of the windows written.</summary>
    public void WriteEnd(int exitCode)
    {
        CheckOpen();
        _json.WriteStartObject();
        _json.WriteBoolean(TraceFormat.Keys.End, true);
        _json.WriteNumber(TraceFormat.Keys.Ticks, _ticks);
        _json.WriteNumber(TraceFormat.Keys.Insts, _insts);
        _json.WriteNumber(TraceFormat.Keys.ExitCode, exitCode);
        _json.WriteEndObject();
        EndLine();
        _ended = true;
    }

    /// <summary>Flushes and closes the output.</summary>
    public void Dispose()
    {
        _json.Flush();
        _json.Dispose();
        _stream.Dispose();
    }

    private void WriteAll(WindowTrace trace)
    {
        var regions = trace.Regions.OrderBy(r => r.FirstWindow).ToList();
        var next = 0;
        foreach (var w in trace.Windows)
        {
            while (next < regions.Count && regions[next].FirstWindow <= w.Index)
            {
                WriteRegion(regions[next++]);
            }

            WriteWindow(w);
        }

        while (next < regions.Count)
        {
            WriteRegion(regions[next++]);
        }

        WriteEnd(trace.End.ExitCode);
    }

    private void WriteHeader(TraceHeader h)
    {
        _json.WriteStartObject();
        _json.WriteString(TraceFormat.Keys.Format, TraceFormat.Name);
        _json.WriteNumber(TraceFormat.Keys.Version, h.Version);
        _json.WriteNumber(TraceFormat.Keys.PageSize, h.PageSize);
        _json.WriteNumber(TraceFormat.Keys.WindowInstructions, h.WindowInstructions);
        _json.WriteNumber(TraceFormat.Keys.TicksPerSecond, h.TicksPerSecond);
        _json.WriteString(TraceFormat.Keys.Cpu, h.Cpu);
        if (h.Cores != 1)
        {
            _json.WriteNumber(TraceFormat.Keys.Cores, h.Cores);
        }
        _json.WriteStartArray(TraceFormat.Keys.Nodes);
        foreach (var n in h.Nodes)
        {
            _json.WriteStartObject();
            _json.WriteNumber(TraceFormat.Keys.Id, n.Id);
            _json.WriteString(TraceFormat.Keys.Name, n.Name);
            _json.WriteString(TraceFormat.Keys.Kind, n.Kind);
            _json.WriteNumber(TraceFormat.Keys.CapacityBytes, n.CapacityBytes);
            if (n.BandwidthGbps > 0)
            {
                _json.WriteNumber(TraceFormat.Keys.BandwidthGbps, n.BandwidthGbps);
            }
            _json.WriteEndObject();
        }

        _json.WriteEndArray();
        if (h.BoundNode is { } bound)
        {
            _json.WriteNumber(TraceFormat.Keys.BoundNode, bound);
        }
        else
        {
            _json.WriteNull(TraceFormat.Keys.BoundNode);
        }

        _json.WriteStartObject(TraceFormat.Keys.Workload);
        _json.WriteString(TraceFormat.Keys.Binary, h.Workload.Binary);
        _json.WriteStartArray(TraceFormat.Keys.Args);
        foreach (var a in h.Workload.Args)
        {
            _json.WriteStringValue(a);
        }

        _json.WriteEndArray();
        _json.WriteEndObject();
        _json.WriteEndObject();
        EndLine();
    }

    private void EndLine()
    {
        _json.Flush();
        _json.Reset();
        _stream.WriteByte((byte)'\n');
    }

    private void CheckOpen()
    {
        if (_ended)
        {
            throw new InvalidOperationException($"the end line was written already (trace of {_header.Workload.Binary})");
        }
    }
}
