namespace DeepMem.Estimator;

/// <summary>
/// One instruction-aligned window of a trace: its duration, its
/// instructions (both per window, not cumulative) and the sparse
/// memory-side accesses per virtual page.
/// </summary>
public sealed class TraceWindow
{
    /// <summary>Creates a window; the four page arrays must have the same length.</summary>
    public TraceWindow(int index, ulong ticks, ulong instructions, ulong[] pages, uint[] reads, uint[] writes, int[] nodes)
    {
        if (reads.Length != pages.Length || writes.Length != pages.Length || nodes.Length != pages.Length)
        {
            throw new ArgumentException(
                $"window {index}: page arrays differ in length (pages {pages.Length}, reads {reads.Length}, writes {writes.Length}, nodes {nodes.Length})");
        }

        Index = index;
        Ticks = ticks;
        Instructions = instructions;
        Pages = pages;
        Reads = reads;
        Writes = writes;
        Nodes = nodes;
    }

    /// <summary>
    /// Frames the process held per node at the window's end, traced or not
    /// (program image, stack, page tables); null in traces that predate it.
    /// </summary>
    public ulong[]? Resident { get; init; }

    /// <summary>Pages migrated at the window's start (0 in single-device traces and in traces that predate the field).</summary>
    public ulong MigratedPages { get; init; }

    /// <summary>Ticks gem5 stalled the program for those migrations; part of <see cref="Ticks"/>.</summary>
    public ulong MigrationTicks { get; init; }

    /// <summary>
    /// Per node, what its memory interface served in the window (reads,
    /// writes, read latency); null in traces that predate it.
    /// </summary>
    public MemoryCounters[]? Memory { get; init; }

    /// <summary>
    /// The CPU's data accesses in the window: pages touched (sorted, unique)
    /// and how many of each page's cache lines were touched, cache hits
    /// included; null in traces recorded without <c>--trace-touches</c>.
    /// </summary>
    public CpuTouches? Touches { get; init; }

    /// <summary>Window index (0-based, consecutive).</summary>
    public int Index { get; }

    /// <summary>Simulated ticks the window took.</summary>
    public ulong Ticks { get; }

    /// <summary>Instructions committed in the window.</summary>
    public ulong Instructions { get; }

    /// <summary>Virtual page numbers with at least one access; a page appears once per node it lived on in the window.</summary>
    public ulong[] Pages { get; }

    /// <summary>Memory-side reads per page.</summary>
    public uint[] Reads { get; }

    /// <summary>Memory-side writes per page.</summary>
    public uint[] Writes { get; }

    /// <summary>Node each page lived on during the window.</summary>
    public int[] Nodes { get; }
}

/// <summary>Pages the CPU touched in a window and how many cache lines of each (trace fields <c>cpu_pages</c>, <c>cpu_lines</c>).</summary>
/// <param name="Pages">Virtual page numbers, sorted and unique.</param>
/// <param name="Lines">Distinct cache lines touched per page, 1 to 64.</param>
public sealed record CpuTouches(ulong[] Pages, byte[] Lines);
