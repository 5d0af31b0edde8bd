using DeepMem.Bridge;
using DeepMem.Core;

namespace DeepMem.Experiments;

/// <summary>gem5 with the patches of gem5-patches, driven over the bridge: the reference.</summary>
public sealed class Gem5Backend : IBackend
{
    /// <summary>Its name in experiment files.</summary>
    public const string BackendName = "gem5";

    /// <inheritdoc />
    public string Name => BackendName;

    /// <inheritdoc />
    public IReadOnlyList<BackendProblem> Check(Experiment experiment, BackendCheck depth)
    {
        var problems = new List<BackendProblem>();
        var workload = experiment.Spec.Workload.Binary;
        if (!File.Exists(workload))
        {
            problems.Add(BackendProblem.Warning("workload.binary", workload,
                $"binary '{workload}' does not exist yet (build the workloads: make -C tests/workloads)"));
        }

        if (depth != BackendCheck.Full)
        {
            return problems;
        }

        if (BinaryProblem(experiment.Gem5) is { } binary)
        {
            problems.Add(BackendProblem.Error("gem5.binary", experiment.Gem5.ResolveBinary(), binary));
        }

        if (!File.Exists(experiment.Gem5.ConfigScript))
        {
            problems.Add(BackendProblem.Error("gem5.config", experiment.Gem5.ConfigScript, $"gem5 config script '{experiment.Gem5.ConfigScript}' does not exist"));
        }

        if (!Directory.Exists(experiment.Gem5.PythonPath))
        {
            problems.Add(BackendProblem.Error("gem5", experiment.Gem5.PythonPath, $"the gem5-side Python folder '{experiment.Gem5.PythonPath}' does not exist"));
        }

        return problems;
    }

    /// <summary>Why gem5 cannot start with <paramref name="options"/>: no binary, a missing one, or one not executable; null when it can.</summary>
    public static string? BinaryProblem(Gem5Options options) => options.ResolveBinary() switch
    {
        null or "" => "no gem5 binary: set gem5.binary in the experiment or DEEPMEM_GEM5 to a gem5.opt built with gem5-patches (see README)",
        var b when !File.Exists(b) => $"gem5 binary '{b}' does not exist",
        var b when !OperatingSystem.IsWindows() && (File.GetUnixFileMode(b) & (UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute)) == 0
            => $"gem5 binary '{b}' is not executable (chmod +x it)",
        _ => null,
    };

    /// <inheritdoc />
    public object KeyInputs(Experiment experiment, IDictionary<string, string> inputs)
    {
        var gem5 = experiment.Gem5;
        inputs["workload binary"] = ContentDigest.OfFile(experiment.Spec.Workload.Binary);
        inputs["gem5 binary"] = gem5.ResolveBinary() is { } b ? ContentDigest.OfFile(b) : ContentDigest.Missing;
        inputs["gem5 config script"] = ContentDigest.OfFile(gem5.ConfigScript);
        inputs["gem5-side python"] = ContentDigest.OfFolder(gem5.PythonPath, "*.py", SearchOption.AllDirectories);
        return new
        {
            gem5.DefaultPolicy,
            Fallback = gem5.Fallback.ToString(),
            // A run that records a window trace is stored with it.
            TraceWindow = experiment.Spec.WindowTrace?.WindowInstructions ?? 0,
        };
    }

    /// <inheritdoc />
    public IMemorySimulator Create(Experiment experiment, Action<string>? log = null) =>
        new Gem5Simulator(experiment.Gem5, log ?? (line => Console.Error.WriteLine($"{experiment.Name}/{experiment.PointId}: {line}")));

    /// <inheritdoc />
    public string Describe(Experiment experiment)
    {
        var g = experiment.Gem5;
        return $"gem5: {{ binary: {g.ResolveBinary() ?? "(DEEPMEM_GEM5 unset)"}, config: {g.ConfigScript}, reply_deadline: {g.ReplyDeadline.TotalSeconds}s, event_deadline: {g.EventDeadline.TotalSeconds}s, run_timeout: {g.RunTimeout.TotalSeconds}s, fallback: {g.Fallback.ToString().ToLowerInvariant()}, bind: {g.Bind} }}";
    }
}
