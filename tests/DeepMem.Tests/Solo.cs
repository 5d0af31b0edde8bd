namespace DeepMem.Tests;

/// <summary>Tests that measure the whole process (heap size) and so must not run beside others.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class Solo
{
    /// <summary>The collection's name.</summary>
    public const string Name = "solo";
}
