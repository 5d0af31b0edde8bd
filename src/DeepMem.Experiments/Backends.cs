using System.Collections.Concurrent;
using DeepMem.Core;

namespace DeepMem.Experiments;

/// <summary>The registry of backends: the built-in ones (estimator, gem5) and any registered later.</summary>
public static class Backends
{
    private static readonly ConcurrentDictionary<string, IBackend> Registered = new(StringComparer.Ordinal);

    static Backends()
    {
        Register(new EstimatorBackend());
        Register(new Gem5Backend());
    }

    /// <summary>The default backend of an experiment that names none.</summary>
    public const string DefaultName = EstimatorBackend.BackendName;

    /// <summary>Names of every registered backend, sorted.</summary>
    public static IReadOnlyList<string> Names => Registered.Keys.Order(StringComparer.Ordinal).ToList();

    /// <summary>Registers <paramref name="backend"/> under its name (replacing one of the same name).</summary>
    public static void Register(IBackend backend)
    {
        ArgumentNullException.ThrowIfNull(backend);
        Registered[backend.Name] = backend;
    }

    /// <summary>The backend called <paramref name="name"/>, or null.</summary>
    public static IBackend? Find(string name) => Registered.GetValueOrDefault(name);

    /// <summary>The backend called <paramref name="name"/>, or <see cref="BackendUnavailableException"/> naming the known ones.</summary>
    public static IBackend Get(string name) => Find(name)
        ?? throw new BackendUnavailableException($"unknown backend '{name}'; allowed: {string.Join(", ", Names)}");

    /// <summary>
    /// The simulator for <paramref name="experiment"/>, or
    /// <see cref="BackendUnavailableException"/> saying what is missing.
    /// </summary>
    public static IMemorySimulator Create(Experiment experiment) => Get(experiment.Backend).Create(experiment);

    /// <summary>Every problem the experiment's backend finds reading what it needs (<c>deepmem validate</c>).</summary>
    public static IReadOnlyList<BackendProblem> Validate(Experiment experiment) =>
        Find(experiment.Backend) is { } backend
            ? backend.Check(experiment, BackendCheck.Full)
            : [BackendProblem.Error("backend", experiment.Backend, $"unknown backend '{experiment.Backend}'; allowed: {string.Join(", ", Names)}")];

    /// <summary>
    /// What each point's backend finds reading what it needs (<c>deepmem
    /// validate</c>), as problems of <paramref name="file"/>; points that
    /// share backend, settings and machine are checked once.
    /// </summary>
    public static IReadOnlyList<ConfigProblem> Validate(IReadOnlyList<Experiment> experiments, string file) =>
        experiments
            .DistinctBy(e => (e.Backend, Find(e.Backend)?.Describe(e), string.Join(",", e.Spec.Nodes.Select(n => n.Name)), e.Spec.PageSize,
                e.Spec.Epoch, e.Spec.Workload.Binary))
            .SelectMany(Validate)
            .Distinct()
            .Select(p => new ConfigProblem(file, 0, 0, p.Key, p.Value, $"backend: {p.Message}", p.Severity))
            .ToList();
}
