namespace DeepMem.Core;

/// <summary>How a virtual region came to exist.</summary>
public enum RegionSource
{
    /// <summary>An anonymous or file mmap.</summary>
    Mmap,
    /// <summary>Heap growth through brk.</summary>
    Brk,
    /// <summary>A range the program itself mbind-ed.</summary>
    Mbind,
    /// <summary>Program image, stack and other load-time regions.</summary>
    Startup,
}
