using DeepMem.Experiments;

namespace DeepMem.Cli;

/// <summary>Steps that several verbs share.</summary>
public static class CommandSupport
{
    /// <summary>
    /// Loads an experiment file and prints every problem (warnings too) to
    /// <paramref name="stderr"/>; null when the file has errors. A large
    /// sweep prints its progress there while it expands; cancelling
    /// <paramref name="ct"/> stops the loading with
    /// <see cref="OperationCanceledException"/>.
    /// </summary>
    public static LoadResult? Load(string file, TextWriter stderr, LoadOptions? options = null, CancellationToken ct = default)
    {
        options ??= LoadOptions.Default;
        var loaded = ExperimentLoader.LoadFile(file, options with { SweepProgress = options.SweepProgress ?? new SweepProgressLine(file, stderr) }, ct);
        foreach (var p in loaded.Problems)
        {
            stderr.WriteLine(p);
        }

        return loaded.Ok ? loaded : null;
    }

    /// <summary>The exit code of a step that ended short.</summary>
    public static int Code(FailureKind kind) => kind switch
    {
        FailureKind.BadInput => ExitCodes.BadInput,
        FailureKind.Cancelled => ExitCodes.Cancelled,
        _ => ExitCodes.Failed,
    };

    /// <summary>Prints the line of a step that ended short to <paramref name="stderr"/>; returns its exit code.</summary>
    public static int Fail(ExperimentFailureException failure, TextWriter stderr)
    {
        stderr.WriteLine(failure.Message);
        return Code(failure.Kind);
    }

    /// <summary>
    /// Why results cannot be written to <paramref name="folder"/> (made if
    /// missing), or null when they can: checked before anything runs.
    /// </summary>
    public static string? UnwritableFolder(string folder)
    {
        if (File.Exists(folder))
        {
            return "it is a file, not a folder";
        }

        try
        {
            Directory.CreateDirectory(folder);
            var probe = Path.Combine(folder, $".deepmem-write-check-{Environment.ProcessId}");
            using (new FileStream(probe, FileMode.Create, FileAccess.Write, FileShare.None, 1, FileOptions.DeleteOnClose))
            {
            }

            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return e.Message;
        }
    }
}
