namespace DeepMem.Policies;

/// <summary>
/// Marks a string option of a built-in policy as a file path: the
/// experiment loader resolves a relative value against the experiment
/// file's folder, as it does for every other path in the file.
/// </summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class PathOptionAttribute : Attribute;
