namespace DeepMem.Core;

/// <summary>
/// Rejected decision items grouped by reason: how many, and the indices of
/// the first few. Bounded whatever the size of the reply that caused them.
/// </summary>
/// <param name="Reason">Why the items were refused, e.g. "node 7 does not exist (nodes: 2)".</param>
/// <param name="Count">Items refused for this reason.</param>
/// <param name="FirstIndices">Indices (in their reply) of the first few of them.</param>
public sealed record RejectionSummary(string Reason, ulong Count, IReadOnlyList<int> FirstIndices);
