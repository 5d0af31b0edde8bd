using System.ComponentModel.DataAnnotations;
using DeepMem.Core;
using DeepMem.Core.Tiering;

namespace DeepMem.Policies.BuiltIn;

/// <summary>Options of <see cref="QLearningPolicy"/>.</summary>
public sealed class QLearningOptions : RateLimitedTieringOptions, IValidatableObject
{
    /// <summary>
    /// Q table file: loaded at start, so it must exist unless <see cref="Fresh"/>;
    /// written by <see cref="Save"/> and by <c>deepmem train</c>.
    /// </summary>
    [PolicyOption("Q table file (JSON; a relative path is relative to the experiment file), loaded at start: it must exist unless fresh: true; empty = no file, start from zeros")]
    [PathOption(MustExist = false)]
    public string Table { get; set; } = "";

    /// <summary>Start from an all-zero table even when <see cref="Table"/> names a file (which need not exist yet).</summary>
    [PolicyOption("start from an all-zero table instead of loading 'table' (which then need not exist; with save: true the run writes it)")]
    public bool Fresh { get; set; }

    /// <summary>Update the table from each epoch's reward.</summary>
    [PolicyOption("update the table from each epoch's reward (false = evaluate a trained table)")]
    public bool Learn { get; set; } = true;

    /// <summary>Write the table to <see cref="Table"/> after every epoch.</summary>
    [PolicyOption("write the table back to 'table' after every epoch (needs 'table')")]
    public bool Save { get; set; }

    /// <summary>Probability of a random action.</summary>
    [PolicyOption("probability of a random action each epoch (exploration)")]
    [Range(0.0, 1.0)]
    public double Epsilon { get; set; } = 0.1;

    /// <summary>Learning rate.</summary>
    [PolicyOption("learning rate alpha")]
    [Range(0.0, 1.0, MinimumIsExclusive = true)]
    public double Alpha { get; set; } = 0.2;

    /// <summary>Discount of future rewards.</summary>
    [PolicyOption("discount gamma of future rewards")]
    [Range(0.0, 1.0, MaximumIsExclusive = true)]
    public double Gamma { get; set; } = 0.9;

    /// <summary>Pages per full batch as a fraction of the fast tier.</summary>
    [PolicyOption("pages in a full batch (promote-many), as a fraction of the fast tier; promote-few and demote move a quarter")]
    [Range(0.0, 1.0, MinimumIsExclusive = true)]
    public double BatchFraction { get; set; } = 0.05;

    /// <summary>Seed of the exploration random numbers.</summary>
    [PolicyOption("seed of the exploration random numbers (same seed, same run)")]
    public int Seed { get; set; } = 1;

    /// <inheritdoc />
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (Save && string.IsNullOrWhiteSpace(Table))
        {
            yield return new ValidationResult("save: true needs 'table', the file to write the Q table to", [nameof(Save)]);
        }

        if (MissingTable() is { } problem)
        {
            yield return new ValidationResult(problem, [nameof(Table)]);
        }
    }

    /// <summary>Why <see cref="Table"/> cannot be loaded (it does not exist and <see cref="Fresh"/> is off); null when it can or need not be.</summary>
    public string? MissingTable() =>
        Fresh || string.IsNullOrWhiteSpace(Table) || File.Exists(Table) ? null
        : $"Q table file '{Table}' does not exist; train one (deepmem train <experiment> --out {Path.GetFileName(Table)}), "
          + "or set 'fresh: true' to start from an all-zero table";
}
