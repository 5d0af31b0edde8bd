using DeepMem.Estimator;
using DeepMem.Policies;

namespace DeepMem.Experiments.CrossCheck;

/// <summary>One placement or policy of the validation protocol.</summary>
/// <param name="Id">Folder-safe id, e.g. "all-dram", "random-03", "policy-hemem".</param>
/// <param name="Kind">"static" (one placement for the whole run) or "dynamic" (a migrating policy).</param>
/// <param name="Description">What it is, for the table.</param>
/// <param name="Static">The placement, for static cases.</param>
/// <param name="Policy">The policy, for dynamic cases.</param>
public sealed record CrossCheckCase(string Id, string Kind, string Description, StaticPlacement? Static, PolicySpec? Policy);
