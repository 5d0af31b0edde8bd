using System.Globalization;

namespace DeepMem.Experiments.Execution;

/// <summary>How one task of a job array ended.</summary>
/// <param name="Task">Index of the task in the caller's list.</param>
/// <param name="JobId">The array's job id.</param>
/// <param name="ArrayIndex">The task's index in the array.</param>
/// <param name="State">Slurm state (COMPLETED, FAILED, TIMEOUT, OUT_OF_MEMORY, PREEMPTED, CANCELLED, ...; UNKNOWN when Slurm forgot it).</param>
/// <param name="ExitCode">Slurm's exit code ("code:signal"), or empty.</param>
/// <param name="OutputFile">The task's output file.</param>
/// <param name="Submitted">When its array was submitted.</param>
public sealed record SlurmTaskEnd(int Task, string JobId, int ArrayIndex, string State, string ExitCode, string OutputFile, DateTimeOffset Submitted)
{
    /// <summary>"slurm task 12_3".</summary>
    public string Name => string.Create(CultureInfo.InvariantCulture, $"slurm task {JobId}_{ArrayIndex}");

    /// <summary>"slurm task 12_3 ended TIMEOUT, exit code 0:15".</summary>
    public string Describe() => State == "UNKNOWN"
        ? $"{Name} left the queue and Slurm no longer knows how it ended"
        : $"{Name} ended {State}{(ExitCode.Length > 0 ? $", exit code {ExitCode}" : "")}";

    /// <summary>The last <paramref name="lines"/> lines of the task's output, or null.</summary>
    public string? Tail(int lines)
    {
        try
        {
            if (!File.Exists(OutputFile))
            {
                return null;
            }

            var kept = File.ReadLines(OutputFile).TakeLast(lines).ToList();
            return kept.Count == 0 ? null : string.Join('\n', kept);
        }
        catch (IOException)
        {
            return null;
        }
    }
}
