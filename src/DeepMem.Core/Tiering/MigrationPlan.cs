namespace DeepMem.Core.Tiering;

/// <summary>
/// The migrations of one epoch under construction, with capacity accounting:
/// each node's free pages start from the report and follow the planned moves
/// in order, so a move is only planned when its target has room at that
/// point (the simulator applies the list in order). A page moves at most once.
/// </summary>
public sealed class MigrationPlan
{
    private readonly long[] _free;
    private readonly HashSet<ulong> _moved = [];
    private readonly List<(PageState Page, int From, int To)> _moves = [];

    /// <summary>Starts a plan from the free pages each node reported.</summary>
    public MigrationPlan(EpochReport report, Topology topology)
    {
        _free = new long[topology.Nodes.Count];
        for (var d = 0; d < _free.Length; d++)
        {
            var stats = report.Nodes.FirstOrDefault(n => n.Node == d);
            _free[d] = stats is not null
                ? (long)Math.Min(stats.FreePages, topology.CapacityPages(d))
                : 0;
        }
    }

    /// <summary>Planned moves, in order.</summary>
    public IReadOnlyList<(PageState Page, int From, int To)> Moves => _moves;

    /// <summary>Number of planned moves.</summary>
    public int Count => _moves.Count;

    /// <summary>Free pages of a node after the moves planned so far.</summary>
    public long Free(int node) => _free[node];

    /// <summary>True when the page is already part of the plan.</summary>
    public bool Contains(PageState page) => _moved.Contains(page.Page);

    /// <summary>
    /// Plans moving <paramref name="page"/> to <paramref name="target"/> when
    /// the target has a free page, the page is not on it already, has not
    /// moved in this plan, and <paramref name="budget"/> (if any) has a page left.
    /// </summary>
    public bool TryMove(PageState page, int target, MigrationBudget? budget)
    {
        if (page.Node == target || target < 0 || target >= _free.Length || _free[target] <= 0 || _moved.Contains(page.Page))
        {
            return false;
        }

        if (budget is not null && !budget.TryTake())
        {
            return false;
        }

        _free[target]--;
        if (page.Node >= 0 && page.Node < _free.Length)
        {
            _free[page.Node]++;
        }

        _moved.Add(page.Page);
        _moves.Add((page, page.Node, target));
        return true;
    }
}
