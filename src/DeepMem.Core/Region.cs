namespace DeepMem.Core;

/// <summary>A virtual address range of the simulated program.</summary>
/// <param name="Id">Unique id within a run, assigned by the simulator.</param>
/// <param name="Start">First virtual address.</param>
/// <param name="Length">Length in bytes.</param>
/// <param name="Source">How the region was created.</param>
/// <param name="ProgramPolicy">The program's own policy for it (e.g. "MPOL_BIND"), or empty.</param>
/// <param name="Instructions">Committed instructions when it was created.</param>
/// <param name="Tick">Simulated tick when it was created.</param>
public sealed record Region(
    ulong Id,
    ulong Start,
    ulong Length,
    RegionSource Source,
    string ProgramPolicy = "",
    ulong Instructions = 0,
    ulong Tick = 0)
{
    /// <summary>One past the last address.</summary>
    public ulong End => Start + Length;

    /// <summary>First page number for a page size.</summary>
    public ulong FirstPage(ulong pageSize) => Start / pageSize;

    /// <summary>Number of pages the region spans.</summary>
    public ulong PageCount(ulong pageSize) =>
        Length == 0 ? 0 : (End - 1) / pageSize - Start / pageSize + 1;

    /// <summary>True when the page lies in the region.</summary>
    public bool ContainsPage(ulong page, ulong pageSize) =>
        page >= FirstPage(pageSize) && page < FirstPage(pageSize) + PageCount(pageSize);
}
