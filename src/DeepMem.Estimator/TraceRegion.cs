using DeepMem.Core;

namespace DeepMem.Estimator;

/// <summary>A region line of a window trace.</summary>
/// <param name="Id">Region id, unique in the run.</param>
/// <param name="Start">First virtual address.</param>
/// <param name="Length">Length in bytes.</param>
/// <param name="Source">How the region was created.</param>
/// <param name="FirstWindow">
/// Index of the first window recorded after the region line, i.e. the
/// region existed before that window started (0 for regions listed before
/// any window).
/// </param>
public sealed record TraceRegion(ulong Id, ulong Start, ulong Length, RegionSource Source, int FirstWindow = 0)
{
    /// <summary>The Core region a policy sees (creation tick and instructions are filled by the replayer).</summary>
    public Region ToRegion(ulong instructions = 0, ulong tick = 0) =>
        new(Id, Start, Length, Source, "", instructions, tick);
}
