using DeepMem.Core;

namespace DeepMem.Experiments;

/// <summary>
/// One backend an experiment can name (<c>backend:</c>): how to check an
/// experiment against it, what of it counts in a result's key, and how to
/// make its <see cref="IMemorySimulator"/>. Registered in <see cref="Backends"/>;
/// adding a backend is one class implementing this and its registration.
/// </summary>
public interface IBackend
{
    /// <summary>The name as written in experiment files and <c>--backend</c>.</summary>
    string Name { get; }

    /// <summary>
    /// What stands in the way of running <paramref name="experiment"/> here.
    /// <see cref="BackendCheck.Load"/> is what every load checks,
    /// <see cref="BackendCheck.Files"/> adds that the files it reads are there
    /// (<c>run</c> without <c>--backend</c>), <see cref="BackendCheck.Full"/>
    /// reads them (<c>deepmem validate</c>). Empty when nothing does.
    /// </summary>
    IReadOnlyList<BackendProblem> Check(Experiment experiment, BackendCheck depth);

    /// <summary>
    /// Adds the backend's inputs of a run of <paramref name="experiment"/> (file
    /// digests) to <paramref name="inputs"/> and returns its settings that
    /// count (serialized into the key).
    /// </summary>
    object KeyInputs(Experiment experiment, IDictionary<string, string> inputs);

    /// <summary>
    /// The simulator for <paramref name="experiment"/>, or
    /// <see cref="BackendUnavailableException"/> saying what is missing;
    /// <paramref name="log"/> gets its notable lines (null: standard error).
    /// </summary>
    IMemorySimulator Create(Experiment experiment, Action<string>? log = null);

    /// <summary>The backend's settings of <paramref name="experiment"/> as one YAML-like line (what <c>validate</c> prints).</summary>
    string Describe(Experiment experiment);
}

/// <summary>How far <see cref="IBackend.Check"/> looks.</summary>
public enum BackendCheck
{
    /// <summary>What every load checks (cheap, no files read).</summary>
    Load,

    /// <summary>Also that the files the backend reads exist.</summary>
    Files,

    /// <summary>Also read them: that they fit the experiment, and that the tools it runs are there.</summary>
    Full,
}

/// <summary>One problem a backend finds with an experiment.</summary>
/// <param name="Severity">Error (cannot run) or warning.</param>
/// <param name="Key">The experiment key it is about, dotted (e.g. <c>estimator.traces</c>).</param>
/// <param name="Value">The value it is about, when there is one.</param>
/// <param name="Message">What is wrong and what to do.</param>
public sealed record BackendProblem(Severity Severity, string Key, string? Value, string Message)
{
    /// <summary>An error.</summary>
    public static BackendProblem Error(string key, string? value, string message) => new(Severity.Error, key, value, message);

    /// <summary>A warning.</summary>
    public static BackendProblem Warning(string key, string? value, string message) => new(Severity.Warning, key, value, message);
}
