namespace DeepMem.Core;

/// <summary>Move one virtual page to a node.</summary>
/// <param name="PageNumber">Virtual page number (address / page size).</param>
/// <param name="TargetNode">Destination node id.</param>
public readonly record struct PageMigration(ulong PageNumber, int TargetNode);
