namespace DeepMem.Core;

/// <summary>The kind of memory device behind a node.</summary>
public enum DeviceKind
{
    /// <summary>DDR-class DRAM.</summary>
    Dram,
    /// <summary>Non-volatile memory (Optane-like; slow writes).</summary>
    Nvm,
    /// <summary>High-bandwidth memory.</summary>
    Hbm,
    /// <summary>DRAM behind an added link latency (CXL.mem expander).</summary>
    Cxl,
}
