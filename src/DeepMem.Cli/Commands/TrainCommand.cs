using System.CommandLine;
using System.Globalization;
using DeepMem.Core;
using DeepMem.Estimator;
using DeepMem.Experiments;
using DeepMem.Policies;
using DeepMem.Policies.BuiltIn;

namespace DeepMem.Cli.Commands;

/// <summary>
/// <c>deepmem train</c>: trains the q-learning policy's table over many
/// episodes on the estimator backend (each episode replays the workload's
/// traces once), then evaluates the greedy policy against first touch.
/// </summary>
public static class TrainCommand
{
    /// <summary>Builds the verb.</summary>
    public static Command Create()
    {
        var file = SharedOptions.ExperimentFile();
        var episodes = new Option<int>("--episodes", "-n")
        {
            Description = "training episodes (one replay of the workload each)",
            DefaultValueFactory = _ => 50,
        };
        var output = new Option<FileInfo>("--out")
        {
            Description = "file to write the trained Q table to (JSON)",
            Required = true,
        };
        var seed = new Option<int?>("--seed") { Description = "seed of the first episode (episode i uses seed + i); default: the policy's seed option" };
        var epsilon = new Option<double>("--epsilon")
        {
            Description = "exploration of the first episode, decaying linearly to a tenth of it at the last",
            DefaultValueFactory = _ => 0.3,
        };
        var resume = new Option<bool>("--resume") { Description = "continue from the table already in --out instead of zeros" };
        var command = new Command("train",
            "train the q-learning policy on the estimator backend (many episodes, seconds) and save its Q table")
        {
            file, episodes, output, seed, epsilon, resume,
        };
        command.SetAction((parse, ct) => Task.FromResult(Execute(parse.GetValue(file)!, parse.GetValue(episodes), parse.GetValue(output)!,
            parse.GetValue(seed), parse.GetValue(epsilon), parse.GetValue(resume), Console.Out, Console.Error, ct)));
        return command;
    }

    /// <summary>Trains; returns the exit code.</summary>
    public static int Execute(FileInfo file, int episodes, FileInfo output, int? seed, double epsilon, bool resume,
        TextWriter stdout, TextWriter stderr, CancellationToken ct)
    {
        var inv = CultureInfo.InvariantCulture;
        if (episodes < 1)
        {
            stderr.WriteLine($"error: --episodes must be at least 1 (was {episodes})");
            return ExitCodes.BadInput;
        }

        if (epsilon is < 0 or > 1)
        {
            stderr.WriteLine(string.Create(inv, $"error: --epsilon must be in [0, 1] (was {epsilon})"));
            return ExitCodes.BadInput;
        }

        var loaded = CommandSupport.Load(file.ToString(), stderr, ct: ct);
        if (loaded is null)
        {
            return ExitCodes.BadInput;
        }

        var experiment = loaded.Experiments[0];
        if (loaded.Experiments.Count > 1)
        {
            stderr.WriteLine($"note: {file}: training on the first of {loaded.Experiments.Count} sweep points ({experiment.PointId})");
        }

        var options = new QLearningOptions();
        if (string.Equals(experiment.Policy.Name, DefaultPolicies.QLearning.Name, StringComparison.OrdinalIgnoreCase))
        {
            var problems = new List<(string Key, string Message)>();
            options = (QLearningOptions?)OptionsBinder.Bind(typeof(QLearningOptions), experiment.Policy.Options, problems) ?? options;
            foreach (var (_, message) in problems)
            {
                stderr.WriteLine($"error: {file}: policy.options: {message}");
            }

            if (problems.Count > 0)
            {
                return ExitCodes.BadInput;
            }
        }
        else
        {
            stderr.WriteLine($"note: {file}: the experiment's policy is '{experiment.Policy.DisplayName}'; training q-learning with its default options on its workload and memory");
        }

        if (experiment.Estimator.TraceDir is null || !Directory.Exists(experiment.Estimator.TraceDir))
        {
            stderr.WriteLine($"error: {file}: training runs on the estimator backend and needs estimator.traces, a folder of window traces "
                             + $"({(experiment.Estimator.TraceDir is null ? "not set" : $"'{experiment.Estimator.TraceDir}' does not exist")}); record them with 'deepmem trace'");
            return ExitCodes.Failed;
        }

        if (resume && !output.Exists)
        {
            stderr.WriteLine($"error: --resume: the table '{output}' does not exist, so there is nothing to resume; drop --resume to start from an all-zero table");
            return ExitCodes.BadInput;
        }

        QTable table;
        try
        {
            table = resume
                ? QTable.Load(output.FullName, QLearningPolicy.Features, QLearningPolicy.StateCount, Enum.GetValues<QLearningAction>().Length)
                : new QTable(QLearningPolicy.StateCount, Enum.GetValues<QLearningAction>().Length) { Features = QLearningPolicy.Features };
        }
        catch (ArgumentException e)
        {
            stderr.WriteLine($"error: --resume: {e.Message}");
            return ExitCodes.BadInput;
        }

        // The training's inputs under the same key as run's (the table option
        // itself left out: it is the output); a resumed table trained on
        // other inputs is named, not silently mixed.
        var trainingPolicy = experiment.Policy with
        {
            Name = DefaultPolicies.QLearning.Name, Assembly = null, Type = null,
            Options = experiment.Policy.Options.Where(kv => kv.Key != "table").ToDictionary(kv => kv.Key, kv => kv.Value),
        };
        var key = ResultKey.For(experiment.Spec, "estimator", "q-learning training", trainingPolicy, experiment.Gem5, experiment.Estimator);
        if (resume && table.Episodes > 0 && key.ChangedSince(table.TrainedOn) is { Count: > 0 } changed)
        {
            stderr.WriteLine($"note: --resume: {output.Name} was trained on other inputs (changed: {string.Join(", ", changed)}); training goes on from it");
        }

        var simulator = new EstimatorSimulator(experiment.Estimator);
        var spec = experiment.Spec;
        var firstSeed = seed ?? options.Seed;

        RunResult? Run(IPlacementPolicy policy, string what)
        {
            var result = simulator.Run(spec, new GuardedPolicy(what, policy), null, ct).Result;
            if (result.Status == RunStatus.Succeeded)
            {
                return result;
            }

            stderr.WriteLine($"error: {what}: {result.Status.ToString().ToLowerInvariant()}: {result.FailureReason}");
            return null;
        }

        var baseline = Run(new FirstTouchPolicy(new FirstTouchOptions()), "first-touch");
        if (baseline is null)
        {
            return ct.IsCancellationRequested ? ExitCodes.Cancelled : ExitCodes.Failed;
        }

        stdout.WriteLine(string.Create(inv, $"{experiment.Name}: first-touch {baseline.SimulatedSeconds * 1e6:F1} us on the estimator; training {episodes} episodes"));
        var every = Math.Max(1, episodes / 10);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        for (var i = 0; i < episodes; i++)
        {
            if (ct.IsCancellationRequested)
            {
                stderr.WriteLine($"cancelled after {i} episodes; table not written");
                return ExitCodes.Cancelled;
            }

            var eps = episodes == 1 ? epsilon : epsilon * (1 - 0.9 * i / (episodes - 1));
            var learner = new QLearningPolicy(CopyOf(options, learn: true, eps, firstSeed + i), table);
            var result = Run(learner, $"q-learning episode {i + 1}");
            if (result is null)
            {
                return ct.IsCancellationRequested ? ExitCodes.Cancelled : ExitCodes.Failed;
            }

            table.Episodes++;
            if ((i + 1) % every == 0 || i == episodes - 1)
            {
                stdout.WriteLine(string.Create(inv,
                    $"  episode {i + 1}/{episodes}: {result.SimulatedSeconds * 1e6:F1} us, {result.MigratedPages} pages migrated, epsilon {eps:F3}, reward {learner.TotalReward:F1}"));
            }
        }

        var greedy = Run(new QLearningPolicy(CopyOf(options, learn: false, 0, firstSeed), table), "q-learning (greedy)");
        if (greedy is null)
        {
            return ct.IsCancellationRequested ? ExitCodes.Cancelled : ExitCodes.Failed;
        }

        table.TrainedOn = new Dictionary<string, string>(key.Inputs);
        table.Save(output.FullName);
        var visited = table.Visits.Count(row => row.Any(v => v > 0));
        stdout.WriteLine(string.Create(inv,
            $"trained in {clock.Elapsed.TotalSeconds:F2} s: greedy {greedy.SimulatedSeconds * 1e6:F1} us vs first-touch {baseline.SimulatedSeconds * 1e6:F1} us ({baseline.SimulatedSeconds / greedy.SimulatedSeconds:F3}x), {greedy.MigratedPages} pages migrated; {visited}/{table.States} states visited"));
        stdout.WriteLine($"table: {output.FullName}");
        stdout.WriteLine($"use it: policy: {{ name: q-learning, options: {{ table: {output.FullName}, learn: false, epsilon: 0 }} }}");
        return ExitCodes.Ok;
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
