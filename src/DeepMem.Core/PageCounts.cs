namespace DeepMem.Core;

/// <summary>
/// Sparse per-page access counts of one epoch: entry i describes page
/// <c>PageNumbers[i]</c>. Only pages with an access are listed.
/// </summary>
public sealed class PageCounts
{
    /// <summary>An empty set of counts.</summary>
    public static PageCounts Empty { get; } = new([], [], [], []);

    /// <summary>Creates counts; all arrays must have the same length.</summary>
    public PageCounts(ulong[] pageNumbers, uint[] reads, uint[] writes, int[] nodes)
    {
        if (reads.Length != pageNumbers.Length || writes.Length != pageNumbers.Length || nodes.Length != pageNumbers.Length)
        {
            throw new ArgumentException(
                $"page count arrays differ in length (pages {pageNumbers.Length}, reads {reads.Length}, writes {writes.Length}, nodes {nodes.Length})");
        }

        PageNumbers = pageNumbers;
        Reads = reads;
        Writes = writes;
        Nodes = nodes;
    }

    /// <summary>Virtual page numbers.</summary>
    public ulong[] PageNumbers { get; }

    /// <summary>Memory-side reads per page.</summary>
    public uint[] Reads { get; }

    /// <summary>Memory-side writes per page.</summary>
    public uint[] Writes { get; }

    /// <summary>Node each page lived on at the end of the epoch.</summary>
    public int[] Nodes { get; }

    /// <summary>Number of entries.</summary>
    public int Count => PageNumbers.Length;
}
