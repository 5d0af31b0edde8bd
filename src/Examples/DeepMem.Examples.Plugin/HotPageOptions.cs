using DeepMem.Core;
using DeepMem.Core.Tiering;

namespace DeepMem.Examples.Plugin;

/// <summary>
/// Options of <see cref="HotPagePolicy"/>. Each public settable property is
/// one YAML option, named in snake_case (<c>MaxPerEpoch</c> is <c>max_per_epoch</c>);
/// <see cref="TieringOptions"/> adds <c>fast_node</c>.
/// </summary>
public sealed class HotPageOptions : TieringOptions
{
    /// <summary>Accesses in one epoch at which a slow page is promoted.</summary>
    [PolicyOption("accesses (reads + writes) in one epoch at which a slow-node page is promoted")]
    public int Threshold { get; set; } = 8;

    /// <summary>Most pages promoted per epoch.</summary>
    [PolicyOption("most pages promoted per epoch", Unit = OptionUnit.Count)]
    public int MaxPerEpoch { get; set; } = 64;

    /// <summary>Node new regions prefer; -1 = the fast node.</summary>
    [PolicyOption("node that new regions prefer (falling back when full); -1 = the fast node")]
    public int PlaceNode { get; set; } = -1;

    /// <summary>Throw at this epoch (-1: never), to see how the host reports a failing plug-in.</summary>
    [PolicyOption("throw an exception at this epoch (-1 = never): shows how the host reports a failing plug-in")]
    public long FailAtEpoch { get; set; } = -1;
}
