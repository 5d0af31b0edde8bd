namespace DeepMem.Experiments;

/// <summary>Finds the DeepMem.Gem5 checkout (the folder holding DeepMem.Gem5.sln).</summary>
public static class RepoLocator
{
    /// <summary>
    /// Walks up from <paramref name="start"/>, then from the running
    /// assembly's folder, to the folder with DeepMem.Gem5.sln; null if none.
    /// </summary>
    public static string? FindRoot(string? start = null)
    {
        foreach (var from in new[] { start, Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var dir = from is null ? null : new DirectoryInfo(from); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "DeepMem.Gem5.sln")))
                {
                    return dir.FullName;
                }
            }
        }

        return null;
    }
}
