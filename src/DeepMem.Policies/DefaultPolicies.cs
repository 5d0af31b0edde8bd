using DeepMem.Policies.BuiltIn;

namespace DeepMem.Policies;

/// <summary>The catalogue of built-in policies, by YAML name.</summary>
public static class DefaultPolicies
{
    /// <summary>Linux first touch on a preferred node, spilling when full.</summary>
    public static readonly PolicyDescriptor FirstTouch = new("first-touch",
        "allocate on the preferred (fastest) node until full, then the next node; no migration", typeof(FirstTouchPolicy));

    /// <summary>Bind matched regions to a node.</summary>
    public static readonly PolicyDescriptor Bind = new("bind",
        "bind regions matched by size, creation order or address to a fixed node (mbind MPOL_BIND)", typeof(BindPolicy));

    /// <summary>Page interleave, optionally weighted.</summary>
    public static readonly PolicyDescriptor Interleave = new("interleave",
        "round-robin pages over nodes; weighted by explicit weights or node bandwidth", typeof(InterleavePolicy));

    /// <summary>A region (or page) to node map from a file.</summary>
    public static readonly PolicyDescriptor StaticPlan = new("static-plan",
        "place regions (by creation index, id or address) and pages on the nodes a plan file names, e.g. the estimator's optimum", typeof(StaticPlanPolicy));

    /// <summary>HeMem-like hot/cold thresholds with cooling.</summary>
    public static readonly PolicyDescriptor HeMem = new("hemem",
        "HeMem-like: hot at >= 4 sampled reads or writes, halve counts when one exceeds 10, promote hot pages, demote cold ones when the fast tier is full, every 10ms; MB/s limit", typeof(HeMemPolicy));

    /// <summary>Memtis-like log2 histogram threshold.</summary>
    public static readonly PolicyDescriptor Memtis = new("memtis",
        "Memtis-like: log2 access histogram, hot threshold where the hot set fills the fast tier minus a watermark, cooling by halving, migrations every 500ms; MB/s cap", typeof(MemtisPolicy));

    /// <summary>Linux NUMA balancing tiering / TPP-like recency promotion.</summary>
    public static readonly PolicyDescriptor Tpp = new("tpp",
        "Linux NUMA-balancing tiering / TPP-like: promote slow pages touched again within hot_threshold (1s) at each scan (1s), demote LRU pages to keep 2% free; promotion rate limit", typeof(TppPolicy));

    /// <summary>Colloid-like latency balancing.</summary>
    public static readonly PolicyDescriptor Colloid = new("colloid",
        "Colloid-like: keep the tiers' loaded latencies within 5% by moving the hottest pages toward the lower-latency tier, in proportion to the gap, every 10ms", typeof(ColloidPolicy));

    /// <summary>Tabular Q-learning over migration actions.</summary>
    public static readonly PolicyDescriptor QLearning = new("q-learning",
        "tabular Q-learning over promote/demote/nothing actions, reward = -epoch time; train with 'deepmem train', table saved as JSON", typeof(QLearningPolicy));

    /// <summary>A Python agent (deepmem_agents) in its own process, over JSON lines.</summary>
    public static readonly PolicyDescriptor Python = new("python",
        "a Python agent (module:Class, e.g. a PyTorch DQN trained with deepmem_agents) run in its own process; same observation and actions as the Python env (docs/agents.md)", typeof(PythonAgentPolicy));

    /// <summary>All built-ins, in listing order.</summary>
    public static IReadOnlyList<PolicyDescriptor> All { get; } =
        [FirstTouch, Bind, Interleave, StaticPlan, HeMem, Memtis, Tpp, Colloid, QLearning, Python];

    /// <summary>Finds a built-in by name (case-insensitive); null when unknown.</summary>
    public static PolicyDescriptor? Find(string name) =>
        All.FirstOrDefault(d => string.Equals(d.Name, name, StringComparison.OrdinalIgnoreCase));
}
