using System.CommandLine;
using System.Globalization;
using DeepMem.Experiments;
using DeepMem.Experiments.Training;

namespace DeepMem.Cli.Commands;

/// <summary>
/// <c>deepmem train</c>: trains the q-learning policy's table over many
/// episodes on the estimator backend (<see cref="Trainer"/>), then evaluates
/// the greedy policy against first touch.
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
        command.SetAction((parse, ct) => ExecuteAsync(parse.GetValue(file)!, parse.GetValue(episodes), parse.GetValue(output)!,
            parse.GetValue(seed), parse.GetValue(epsilon), parse.GetValue(resume), Console.Out, Console.Error, ct));
        return command;
    }

    /// <summary>Trains; returns the exit code.</summary>
    public static int Execute(FileInfo file, int episodes, FileInfo output, int? seed, double epsilon, bool resume,
        TextWriter stdout, TextWriter stderr, CancellationToken ct) =>
        ExecuteAsync(file, episodes, output, seed, epsilon, resume, stdout, stderr, ct).GetAwaiter().GetResult();

    /// <summary>Trains; returns the exit code.</summary>
    public static async Task<int> ExecuteAsync(FileInfo file, int episodes, FileInfo output, int? seed, double epsilon, bool resume,
        TextWriter stdout, TextWriter stderr, CancellationToken ct)
    {
        var inv = CultureInfo.InvariantCulture;
        var request = new TrainingRequest(episodes, output.ToString(), seed, epsilon, resume);
        try
        {
            Trainer.Check(request);
        }
        catch (ExperimentFailureException f)
        {
            return CommandSupport.Fail(f, stderr);
        }

        var loaded = CommandSupport.Load(file.ToString(), stderr, ct: ct);
        if (loaded is null)
        {
            return ExitCodes.BadInput;
        }

        var experiment = loaded.Experiments[0];
        if (loaded.Experiments.Count > 1)
        {
            await stderr.WriteLineAsync($"note: {file}: training on the first of {loaded.Experiments.Count} sweep points ({experiment.PointId})");
        }

        try
        {
            var trained = await Trainer.TrainAsync(experiment, file.ToString(), request,
                stderr.WriteLine,
                start => stdout.WriteLine(string.Create(inv, $"{start.Experiment}: first-touch {start.Baseline.SimulatedSeconds * 1e6:F1} us on the estimator; training {start.Episodes} episodes")),
                e =>
                {
                    if (e.Shown)
                    {
                        stdout.WriteLine(string.Create(inv,
                            $"  episode {e.Number}/{e.Of}: {e.Result.SimulatedSeconds * 1e6:F1} us, {e.Result.MigratedPages} pages migrated, epsilon {e.Epsilon:F3}, reward {e.Reward:F1}"));
                    }
                }, ct);
            var (baseline, greedy) = (trained.Baseline, trained.Greedy);
            await stdout.WriteLineAsync(string.Create(inv,
                $"trained in {trained.Elapsed.TotalSeconds:F2} s: greedy {greedy.SimulatedSeconds * 1e6:F1} us vs first-touch {baseline.SimulatedSeconds * 1e6:F1} us ({baseline.SimulatedSeconds / greedy.SimulatedSeconds:F3}x), {greedy.MigratedPages} pages migrated; {trained.VisitedStates}/{trained.States} states visited"));
            await stdout.WriteLineAsync($"table: {trained.TablePath}");
            await stdout.WriteLineAsync($"use it: policy: {{ name: q-learning, options: {{ table: {trained.TablePath}, learn: false, epsilon: 0 }} }}");
            return ExitCodes.Ok;
        }
        catch (ExperimentFailureException f)
        {
            return CommandSupport.Fail(f, stderr);
        }
    }
}
