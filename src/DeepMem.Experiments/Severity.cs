namespace DeepMem.Experiments;

/// <summary>How bad a configuration problem is.</summary>
public enum Severity
{
    /// <summary>The experiment cannot run.</summary>
    Error,
    /// <summary>It can run, but probably not as meant.</summary>
    Warning,
}
