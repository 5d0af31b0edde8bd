namespace DeepMem.Core.Tiering;

/// <summary>
/// Per-page state of a tiering policy, kept from the epoch reports and from
/// the policy's own migrations: a page's node is the node the last report
/// gave, or the target of a migration issued since. Migrations the simulator
/// rejected (listed in the next report) are undone here.
/// </summary>
public sealed class PageTracker
{
    private readonly Dictionary<ulong, PageState> _pages = [];
    private readonly List<PageState> _touched = [];
    private List<(PageState Page, int From)> _issued = [];

    /// <summary>Every page seen so far, by page number.</summary>
    public IReadOnlyDictionary<ulong, PageState> Pages => _pages;

    /// <summary>Pages touched in the latest epoch, in page-number order.</summary>
    public IReadOnlyList<PageState> Touched => _touched;

    /// <summary>Epoch of the latest report.</summary>
    public ulong Epoch { get; private set; }

    /// <summary>Migrations issued so far that the simulator accepted (as far as reported).</summary>
    public ulong Accepted { get; private set; }

    /// <summary>Migrations the simulator rejected so far.</summary>
    public ulong Rejected { get; private set; }

    /// <summary>
    /// Takes in a report: undoes rejected migrations of the previous epoch,
    /// then records each touched page's node and counts.
    /// </summary>
    public void Observe(EpochReport report)
    {
        foreach (var r in report.RejectedMigrations)
        {
            if (r.Index >= 0 && r.Index < _issued.Count)
            {
                var (page, from) = _issued[r.Index];
                page.Node = from;
                Rejected++;
            }
        }

        Accepted += (ulong)Math.Max(0, _issued.Count - report.RejectedMigrations.Count);
        _issued = [];
        foreach (var p in _touched)
        {
            p.EpochReads = 0;
            p.EpochWrites = 0;
        }

        _touched.Clear();
        Epoch = report.Epoch;
        var counts = report.Pages;
        for (var i = 0; i < counts.Count; i++)
        {
            var vpn = counts.PageNumbers[i];
            if (!_pages.TryGetValue(vpn, out var state))
            {
                state = new PageState(vpn, counts.Nodes[i]);
                _pages.Add(vpn, state);
            }
            else
            {
                state.PreviousTouchEpoch = state.LastTouchEpoch;
                state.PreviousTouchTick = state.LastTouchTick;
            }

            state.Node = counts.Nodes[i];
            state.EpochReads = counts.Reads[i];
            state.EpochWrites = counts.Writes[i];
            state.LastTouchEpoch = report.Epoch;
            state.LastTouchTick = report.EndTick;
            state.LastTouchStartTick = report.StartTick;
            state.Touches++;
            _touched.Add(state);
        }

        _touched.Sort((a, b) => a.Page.CompareTo(b.Page));
    }

    /// <summary>Pages believed to be on <paramref name="node"/>, in page-number order.</summary>
    public List<PageState> OnNode(int node)
    {
        var list = _pages.Values.Where(p => p.Node == node).ToList();
        list.Sort((a, b) => a.Page.CompareTo(b.Page));
        return list;
    }

    /// <summary>
    /// Commits a plan: every planned page takes its target node, and the
    /// list is remembered so that rejections in the next report are undone.
    /// Returns the migrations to hand to the simulator.
    /// </summary>
    public IReadOnlyList<PageMigration> Commit(MigrationPlan plan)
    {
        _issued = plan.Moves.Select(m => (m.Page, m.From)).ToList();
        foreach (var m in plan.Moves)
        {
            m.Page.Node = m.To;
        }

        return plan.Moves.Select(m => new PageMigration(m.Page.Page, m.To)).ToList();
    }
}
