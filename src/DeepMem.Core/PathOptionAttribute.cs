using System.ComponentModel.DataAnnotations;

namespace DeepMem.Core;

/// <summary>
/// Marks a string option as a file path. The experiment loader resolves a
/// relative value against the experiment file's folder, as it does for
/// every other path in the file, and <c>validate</c> checks that the file
/// exists (unless <see cref="MustExist"/> is false). An empty value means
/// "no file" and is not checked here; use <see cref="RequiredAttribute"/>
/// when the option is needed.
/// </summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class PathOptionAttribute : ValidationAttribute
{
    /// <summary>Whether a non-empty path must name an existing file (default: yes).</summary>
    public bool MustExist { get; init; } = true;

    /// <inheritdoc />
    protected override ValidationResult? IsValid(object? value, ValidationContext validationContext)
    {
        if (!MustExist || value is not string { Length: > 0 } path || File.Exists(path))
        {
            return ValidationResult.Success;
        }

        var what = Directory.Exists(path) ? "is a folder, not a file" : "does not exist";
        return new ValidationResult(ErrorMessage ?? $"file '{path}' {what}",
            validationContext.MemberName is null ? null : [validationContext.MemberName]);
    }
}
