using DeepMem.Core;

namespace DeepMem.Tests.Gem5;

/// <summary>
/// A simple hot-page migration policy written against IPlacementPolicy only:
/// every epoch, pages of the slow node with at least <c>threshold</c>
/// accesses move to the fast node; when the fast node has too few free
/// frames, pages of regions that saw no access this epoch are demoted first.
/// </summary>
internal sealed class HotPagePolicy(int threshold = 2, int maxPerEpoch = 256) : IPlacementPolicy
{
    private readonly List<Region> _regions = [];
    private Topology _t = null!;
    private int _fast;
    private int _slow;

    public int Promoted { get; private set; }

    public int Rejected { get; private set; }

    public void Initialize(Topology topology)
    {
        _t = topology;
        _fast = topology.FastestNode.Id;
        _slow = topology.NodesFastestFirst[^1].Id;
    }

    public RegionPlacement PlaceRegion(Region region)
    {
        _regions.Add(region);
        return RegionPlacement.Default;
    }

    public IReadOnlyList<PageMigration> OnEpoch(EpochReport report)
    {
        Rejected += report.RejectedMigrations.Count;
        var hot = new List<ulong>();
        var touched = new HashSet<ulong>();
        for (var i = 0; i < report.Pages.Count; i++)
        {
            touched.Add(report.Pages.PageNumbers[i]);
            if (report.Pages.Nodes[i] == _slow && report.Pages.Reads[i] + report.Pages.Writes[i] >= threshold)
            {
                hot.Add(report.Pages.PageNumbers[i]);
            }
        }

        if (hot.Count == 0)
        {
            return [];
        }

        hot = hot.Take(maxPerEpoch).ToList();
        var free = report.Nodes.FirstOrDefault(n => n.Node == _fast)?.FreePages ?? 0;
        var moves = new List<PageMigration>();
        var needed = hot.Count - (long)free;
        foreach (var region in _regions.Where(r => r.Source != RegionSource.Startup).OrderByDescending(r => r.Length))
        {
            var first = region.FirstPage(_t.PageSize);
            for (ulong p = first; p < first + region.PageCount(_t.PageSize) && needed > 0; p++)
            {
                if (!touched.Contains(p))
                {
                    moves.Add(new PageMigration(p, _slow));
                    needed--;
                }
            }
        }

        moves.AddRange(hot.Select(p => new PageMigration(p, _fast)));
        Promoted += hot.Count;
        return moves;
    }
}
