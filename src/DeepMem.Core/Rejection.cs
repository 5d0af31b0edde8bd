namespace DeepMem.Core;

/// <summary>One item of a policy decision that the simulator refused.</summary>
/// <param name="Index">Index of the item in the decision (0 for a region placement).</param>
/// <param name="Reason">Why, e.g. "node 7 does not exist (nodes: 2)".</param>
public sealed record Rejection(int Index, string Reason);
