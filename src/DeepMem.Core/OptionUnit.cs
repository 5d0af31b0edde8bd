namespace DeepMem.Core;

/// <summary>Unit of a numeric option; the property holds the base unit.</summary>
public enum OptionUnit
{
    /// <summary>A plain number.</summary>
    None,
    /// <summary>Bytes; YAML may say "64MiB".</summary>
    Bytes,
    /// <summary>Nanoseconds; YAML may say "2us".</summary>
    Nanoseconds,
    /// <summary>Bytes per second; YAML may say "100MB/s".</summary>
    BytesPerSecond,
    /// <summary>A count; YAML may say "1M" or "10k".</summary>
    Count,
}
