using DeepMem.Core;
using DeepMem.Policies;
using DeepMem.Policies.BuiltIn;

namespace DeepMem.Experiments.Training;

/// <summary>What to train: episodes, where the table goes, the seed and exploration.</summary>
/// <param name="Episodes">Training episodes (one replay of the workload each), at least 1.</param>
/// <param name="TablePath">The Q table file (written at the end; read first with <paramref name="Resume"/>).</param>
/// <param name="Seed">Seed of the first episode (episode i uses seed + i); null: the policy's seed option.</param>
/// <param name="Epsilon">Exploration of the first episode, decaying linearly to a tenth of it at the last; in [0, 1].</param>
/// <param name="Resume">Continue from the table in <paramref name="TablePath"/> instead of zeros.</param>
public sealed record TrainingRequest(int Episodes, string TablePath, int? Seed, double Epsilon, bool Resume);

/// <summary>The baseline run before training (first touch).</summary>
/// <param name="Experiment">The experiment's name.</param>
/// <param name="Baseline">The first-touch run.</param>
/// <param name="Episodes">Episodes to come.</param>
public sealed record TrainingStart(string Experiment, RunResult Baseline, int Episodes);

/// <summary>One finished episode.</summary>
/// <param name="Number">1-based.</param>
/// <param name="Of">Episodes in all.</param>
/// <param name="Result">The episode's run.</param>
/// <param name="Epsilon">Its exploration.</param>
/// <param name="Reward">The learner's total reward.</param>
/// <param name="Shown">True for every tenth of the episodes and the last (the ones worth a line).</param>
public sealed record TrainingEpisode(int Number, int Of, RunResult Result, double Epsilon, double Reward, bool Shown);

/// <summary>The trained table and how its greedy policy did against first touch.</summary>
/// <param name="Baseline">The first-touch run.</param>
/// <param name="Greedy">The greedy run of the trained table.</param>
/// <param name="VisitedStates">States the table has visited.</param>
/// <param name="States">States in all.</param>
/// <param name="Elapsed">Host time of the training.</param>
/// <param name="TablePath">Where the table was written (full path).</param>
public sealed record TrainingResult(RunResult Baseline, RunResult Greedy, int VisitedStates, int States, TimeSpan Elapsed, string TablePath);

/// <summary>
/// Trains the q-learning policy's table over many episodes on the estimator
/// backend (each episode replays the workload's traces once, through
/// <see cref="IMemorySimulator"/>), then evaluates the greedy policy against
/// first touch. Problems end it with <see cref="ExperimentFailureException"/>.
/// </summary>
public static class Trainer
{
    /// <summary>
    /// Trains on <paramref name="experiment"/> (its workload and memory; its
    /// q-learning options when its policy is q-learning). Notes go to
    /// <paramref name="note"/>, the baseline to <paramref name="started"/>, each episode to <paramref name="episode"/>.
    /// </summary>
    public static async Task<TrainingResult> TrainAsync(Experiment experiment, string file, TrainingRequest request, Action<string> note,
        Action<TrainingStart> started, Action<TrainingEpisode> episode, CancellationToken ct)
    {
        Check(request);
        var options = new QLearningOptions();
        if (string.Equals(experiment.Policy.Name, DefaultPolicies.QLearning.Name, StringComparison.OrdinalIgnoreCase))
        {
            var problems = new List<(string Key, string Message)>();
            options = (QLearningOptions?)OptionsBinder.Bind(typeof(QLearningOptions), experiment.Policy.Options, problems) ?? options;
            if (problems.Count > 0)
            {
                throw new ExperimentFailureException(FailureKind.BadInput, string.Join("\n", problems.Select(p => $"error: {file}: policy.options: {p.Message}")));
            }
        }
        else
        {
            note($"note: {file}: the experiment's policy is '{experiment.Policy.DisplayName}'; training q-learning with its default options on its workload and memory");
        }

        if (experiment.Estimator.TraceDir is null || !Directory.Exists(experiment.Estimator.TraceDir))
        {
            throw new ExperimentFailureException(FailureKind.Failed,
                $"error: {file}: training runs on the estimator backend and needs estimator.traces, a folder of window traces "
                + $"({(experiment.Estimator.TraceDir is null ? "not set" : $"'{experiment.Estimator.TraceDir}' does not exist")}); record them with 'deepmem trace'");
        }

        var output = Path.GetFullPath(request.TablePath);
        if (request.Resume && !File.Exists(output))
        {
            throw new ExperimentFailureException(FailureKind.BadInput,
                $"error: --resume: the table '{request.TablePath}' does not exist, so there is nothing to resume; drop --resume to start from an all-zero table");
        }

        var actions = Enum.GetValues<QLearningAction>().Length;
        QTable table;
        try
        {
            table = request.Resume
                ? QTable.Load(output, QLearningPolicy.Features, QLearningPolicy.StateCount, actions)
                : new QTable(QLearningPolicy.StateCount, actions) { Features = QLearningPolicy.Features };
        }
        catch (ArgumentException e)
        {
            throw new ExperimentFailureException(FailureKind.BadInput, $"error: --resume: {e.Message}");
        }

        // The training's inputs under the same key as run's (the table option
        // itself left out: it is the output); a resumed table trained on
        // other inputs is named, not silently mixed.
        var trainingPolicy = experiment.Policy with
        {
            Name = DefaultPolicies.QLearning.Name, Assembly = null, Type = null,
            Options = experiment.Policy.Options.Where(kv => kv.Key != "table").ToDictionary(kv => kv.Key, kv => kv.Value),
        };
        var onEstimator = experiment with { Backend = EstimatorBackend.BackendName };
        var key = ResultKey.For(onEstimator, "q-learning training", trainingPolicy);
        if (request.Resume && table.Episodes > 0 && key.ChangedSince(table.TrainedOn) is { Count: > 0 } changed)
        {
            note($"note: --resume: {Path.GetFileName(output)} was trained on other inputs (changed: {string.Join(", ", changed)}); training goes on from it");
        }

        IMemorySimulator simulator;
        try
        {
            simulator = Backends.Create(onEstimator);
        }
        catch (BackendUnavailableException e)
        {
            throw new ExperimentFailureException(FailureKind.Failed, $"error: {file}: {e.Message}");
        }

        var spec = experiment.Spec;
        var firstSeed = request.Seed ?? options.Seed;

        async Task<RunResult> Run(IPlacementPolicy policy, string what)
        {
            var result = await simulator.RunAsync(spec, new GuardedPolicy(what, policy), null, ct).ConfigureAwait(false);
            if (result.Status == RunStatus.Succeeded)
            {
                return result;
            }

            throw new ExperimentFailureException(ct.IsCancellationRequested ? FailureKind.Cancelled : FailureKind.Failed,
                $"error: {what}: {result.Status.ToString().ToLowerInvariant()}: {result.FailureReason}");
        }

        var baseline = await Run(new FirstTouchPolicy(new FirstTouchOptions()), "first-touch").ConfigureAwait(false);
        started(new TrainingStart(experiment.Name, baseline, request.Episodes));
        var episodes = request.Episodes;
        var every = Math.Max(1, episodes / 10);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        for (var i = 0; i < episodes; i++)
        {
            if (ct.IsCancellationRequested)
            {
                throw new ExperimentFailureException(FailureKind.Cancelled, $"cancelled after {i} episodes; table not written");
            }

            var eps = episodes == 1 ? request.Epsilon : request.Epsilon * (1 - 0.9 * i / (episodes - 1));
            var learner = new QLearningPolicy(CopyOf(options, learn: true, eps, firstSeed + i), table);
            var result = await Run(learner, $"q-learning episode {i + 1}").ConfigureAwait(false);
            table.Episodes++;
            episode(new TrainingEpisode(i + 1, episodes, result, eps, learner.TotalReward, (i + 1) % every == 0 || i == episodes - 1));
        }

        var greedy = await Run(new QLearningPolicy(CopyOf(options, learn: false, 0, firstSeed), table), "q-learning (greedy)").ConfigureAwait(false);
        table.TrainedOn = new Dictionary<string, string>(key.Inputs);
        table.Save(output);
        var visited = table.Visits.Count(row => row.Any(v => v > 0));
        return new TrainingResult(baseline, greedy, visited, table.States, clock.Elapsed, output);
    }

    /// <summary>The request's own checks (episodes, epsilon), before any file is read: <see cref="ExperimentFailureException"/> when one fails.</summary>
    public static void Check(TrainingRequest request)
    {
        if (request.Episodes < 1)
        {
            throw new ExperimentFailureException(FailureKind.BadInput, $"error: --episodes must be at least 1 (was {request.Episodes})");
        }

        if (request.Epsilon is < 0 or > 1)
        {
            throw new ExperimentFailureException(FailureKind.BadInput,
                string.Create(System.Globalization.CultureInfo.InvariantCulture, $"error: --epsilon must be in [0, 1] (was {request.Epsilon})"));
        }
    }

    private static QLearningOptions CopyOf(QLearningOptions o, bool learn, double epsilon, int seed) => new()
    {
        Table = "",
        Learn = learn,
        Save = false,
        Epsilon = epsilon,
        Alpha = o.Alpha,
        Gamma = o.Gamma,
        BatchFraction = o.BatchFraction,
        MigrationRate = o.MigrationRate,
        Seed = seed,
        FastNode = o.FastNode,
    };
}
