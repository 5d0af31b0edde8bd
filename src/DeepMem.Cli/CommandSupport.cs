using DeepMem.Experiments;

namespace DeepMem.Cli;

/// <summary>Steps that several verbs share.</summary>
public static class CommandSupport
{
    /// <summary>
    /// Loads an experiment file and prints every problem (warnings too) to
    /// <paramref name="stderr"/>; null when the file has errors.
    /// </summary>
    public static LoadResult? Load(string file, TextWriter stderr)
    {
        var loaded = ExperimentLoader.LoadFile(file);
        foreach (var p in loaded.Problems)
        {
            stderr.WriteLine(p);
        }

        return loaded.Ok ? loaded : null;
    }
}
