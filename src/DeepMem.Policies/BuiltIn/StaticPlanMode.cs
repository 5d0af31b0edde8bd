namespace DeepMem.Policies.BuiltIn;

/// <summary>How <see cref="StaticPlanPolicy"/> places a planned region on its node.</summary>
public enum StaticPlanMode
{
    /// <summary>Only on the node (MPOL_BIND), as the estimator's optimum assumes.</summary>
    Bind,
    /// <summary>On the node, falling back when it is full (MPOL_PREFERRED).</summary>
    Preferred,
}
