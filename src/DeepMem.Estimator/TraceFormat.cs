namespace DeepMem.Estimator;

/// <summary>
/// The window-trace format, version 1, on the C# side: its name, version,
/// file names and every JSON key. The format is described in
/// docs/trace-format.md; the gem5 side writes it with
/// gem5-patches/python/deepmem/trace.py, and <see cref="TraceReader"/> and
/// <see cref="TraceWriter"/> spell the keys only through this class.
/// </summary>
public static class TraceFormat
{
    /// <summary>The header's <c>format</c> value.</summary>
    public const string Name = "deepmem-window-trace";

    /// <summary>The highest format version this side reads and the one it writes.</summary>
    public const int Version = 1;

    /// <summary>Ending of a trace file's name: gzip-compressed JSON lines.</summary>
    public const string FileSuffix = ".trace.jsonl.gz";

    /// <summary>Search pattern of the trace files in a folder.</summary>
    public const string FilePattern = "*" + FileSuffix;

    /// <summary>Name of the calibration run's trace in a trace folder (every page interleaved 1:1 over two nodes).</summary>
    public const string CalibrationFile = "calibration" + FileSuffix;

    /// <summary>
    /// True for a calibration run's trace: <c>calibration.trace.jsonl.gz</c>
    /// (1:1) or <c>calibration-a-b.trace.jsonl.gz</c> (the mix a:b).
    /// </summary>
    public static bool IsCalibrationFile(string fileName) =>
        fileName == CalibrationFile || (fileName.StartsWith("calibration-", StringComparison.Ordinal) && fileName.EndsWith(FileSuffix, StringComparison.Ordinal));

    /// <summary>File name of a node's single-device trace in a trace folder.</summary>
    public static string NodeFile(string node) => node + FileSuffix;

    /// <summary>The JSON keys, by the line they appear in.</summary>
    public static class Keys
    {
        // Header line.
#pragma warning disable CS1591 // each constant is its own JSON key, described in docs/trace-format.md
        public const string Format = "format";
        public const string Version = "version";
        public const string PageSize = "page_size";
        public const string WindowInstructions = "window_instructions";
        public const string TicksPerSecond = "ticks_per_second";
        public const string Cpu = "cpu";
        public const string Cores = "cores";
        public const string Nodes = "nodes";
        public const string BoundNode = "bound_node";
        public const string DefaultPolicy = "default_policy";
        public const string Workload = "workload";

        // A header node; the workload.
        public const string Id = "id";
        public const string Name = "name";
        public const string Kind = "kind";
        public const string CapacityBytes = "capacity_bytes";
        public const string BandwidthGbps = "bandwidth_gbps";
        public const string Binary = "binary";
        public const string Args = "args";

        // Region line: {"region": {...}}.
        public const string Region = "region";
        public const string Start = "start";
        public const string Length = "length";
        public const string Source = "source";

        // Window line (also "nodes": the node of each page).
        public const string Window = "w";
        public const string Ticks = "ticks";
        public const string Insts = "insts";
        public const string Pages = "pages";
        public const string Reads = "reads";
        public const string Writes = "writes";
        public const string Resident = "resident";
        public const string Migrated = "migrated";
        public const string Mem = "mem";
        public const string CpuPages = "cpu_pages";
        public const string CpuLines = "cpu_lines";

        // End line (also "ticks", "insts").
        public const string End = "end";
        public const string ExitCode = "exit_code";
#pragma warning restore CS1591
    }
}
