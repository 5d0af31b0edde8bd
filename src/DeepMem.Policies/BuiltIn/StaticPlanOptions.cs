using System.ComponentModel.DataAnnotations;
using DeepMem.Core;

namespace DeepMem.Policies.BuiltIn;

/// <summary>Options of <see cref="StaticPlanPolicy"/>.</summary>
public sealed class StaticPlanOptions
{
    /// <summary>The plan file (JSON); a relative path in YAML is relative to the experiment file.</summary>
    [PolicyOption("plan file (JSON; a relative path is relative to the experiment file): region_nodes [...], regions [{index|id|address, node}], pages [{page, node}]; see the class docs")]
    [PathOption]
    [Required(ErrorMessage = "option 'plan' is required: the path of a plan file (JSON)")]
    public string Plan { get; set; } = "";

    /// <summary>How planned regions are placed.</summary>
    [PolicyOption("placement of planned regions: bind (as the estimator's optimum) or preferred (spill when full)")]
    public StaticPlanMode Mode { get; set; } = StaticPlanMode.Bind;

    /// <summary>Node for regions the plan does not name; -1 = default placement.</summary>
    [PolicyOption("node for regions the plan does not name; -1 = the simulator's default placement")]
    [Range(-1, int.MaxValue)]
    public int Otherwise { get; set; } = -1;

    /// <summary>Migration limit for page entries, in bytes per second of simulated time; 0 = unlimited.</summary>
    [PolicyOption("rate limit of the migrations that move planned pages to their nodes; 0 = unlimited", Unit = OptionUnit.BytesPerSecond)]
    [Range(0.0, double.MaxValue)]
    public double MigrationRate { get; set; }
}
