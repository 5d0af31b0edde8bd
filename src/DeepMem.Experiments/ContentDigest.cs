using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;

namespace DeepMem.Experiments;

/// <summary>
/// SHA-256 digests of file contents, remembered per process by path, size
/// and modification time, so that a sweep of a thousand points over one
/// gem5 binary reads the binary once. Digests of large files (the gem5
/// binary: 765 MB, ~2 s to hash) are also remembered across processes in a
/// small stat cache (see <see cref="StatCachePath"/>), keyed the same way,
/// so that every Slurm task or <c>--point</c> process does not hash it
/// again; any write to the file changes its modification time and so misses.
/// </summary>
public static class ContentDigest
{
    /// <summary>What a missing file digests to.</summary>
    public const string Missing = "missing";

    /// <summary>Files at least this large have their digest kept in the stat cache.</summary>
    public const long StatCacheMinLength = 16L << 20;

    private static readonly ConcurrentDictionary<(string Path, long Length, long Ticks), string> Cache = new();
    private static readonly Lock StatCacheLock = new();

    /// <summary>
    /// The cross-process digest cache: <c>$DEEPMEM_CACHE/digests-v1.tsv</c>, else
    /// <c>$XDG_CACHE_HOME/deepmem/…</c>, else <c>~/.cache/deepmem/…</c>; null
    /// (no cache) when <c>DEEPMEM_CACHE</c> is set to <c>off</c> or no home is known.
    /// </summary>
    public static string? StatCachePath
    {
        get
        {
            var own = Environment.GetEnvironmentVariable("DEEPMEM_CACHE");
            if (string.Equals(own, "off", StringComparison.OrdinalIgnoreCase))
            {
                return null;
            }

            var folder = !string.IsNullOrEmpty(own) ? own
                : Environment.GetEnvironmentVariable("XDG_CACHE_HOME") is { Length: > 0 } xdg ? Path.Combine(xdg, "deepmem")
                : Environment.GetFolderPath(Environment.SpecialFolder.UserProfile) is { Length: > 0 } home ? Path.Combine(home, ".cache", "deepmem")
                : null;
            return folder is null ? null : Path.Combine(folder, "digests-v1.tsv");
        }
    }

    /// <summary>Hex digest (first 16 bytes) of a file's contents, or <see cref="Missing"/>.</summary>
    public static string OfFile(string path) => OfFile(path, StatCachePath);

    /// <summary>
    /// <see cref="OfFile(string)"/> with an explicit stat cache file for large
    /// files (null: none).
    /// </summary>
    public static string OfFile(string path, string? statCache)
    {
        var info = new FileInfo(path);
        if (!info.Exists)
        {
            return Missing;
        }

        return Cache.GetOrAdd((info.FullName, info.Length, info.LastWriteTimeUtc.Ticks), k =>
        {
            var cache = k.Length >= StatCacheMinLength ? statCache : null;
            if (cache is not null && LookUp(cache, k) is { } known)
            {
                return known;
            }

            string digest;
            using (var stream = new FileStream(k.Path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1 << 20))
            {
                digest = Hex(SHA256.HashData(stream));
            }

            if (cache is not null)
            {
                Remember(cache, k, digest);
            }

            return digest;
        });
    }

    // One line per digest: digest, length, modification ticks, full path
    // (tab-separated; the last line for a key wins). The cache only saves
    // time: an unreadable or unwritable cache is ignored.
    private static string? LookUp(string cache, (string Path, long Length, long Ticks) key)
    {
        try
        {
            if (!File.Exists(cache))
            {
                return null;
            }

            string? found = null;
            foreach (var line in File.ReadLines(cache))
            {
                var f = line.Split('\t', 4);
                if (f.Length == 4 && f[3] == key.Path && f[1] == key.Length.ToString(System.Globalization.CultureInfo.InvariantCulture)
                    && f[2] == key.Ticks.ToString(System.Globalization.CultureInfo.InvariantCulture) && f[0].Length == 32)
                {
                    found = f[0];
                }
            }

            return found;
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static void Remember(string cache, (string Path, long Length, long Ticks) key, string digest)
    {
        if (key.Path.Contains('\n') || key.Path.Contains('\t'))
        {
            return;
        }

        try
        {
            lock (StatCacheLock)
            {
                Directory.CreateDirectory(Path.GetDirectoryName(cache)!);
                File.AppendAllText(cache, string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{digest}\t{key.Length}\t{key.Ticks}\t{key.Path}\n"));
            }
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    /// <summary>
    /// Digest of several files, each named (a relative name, so that moving
    /// the folder does not change it) and in name order; an empty list
    /// digests to <see cref="Missing"/>.
    /// </summary>
    public static string OfFiles(IEnumerable<(string Name, string Path)> files)
    {
        var list = files.OrderBy(f => f.Name, StringComparer.Ordinal).ToList();
        if (list.Count == 0)
        {
            return Missing;
        }

        var sb = new StringBuilder();
        foreach (var (name, path) in list)
        {
            sb.Append(name).Append('\0').Append(OfFile(path)).Append('\n');
        }

        return OfText(sb.ToString());
    }

    /// <summary>The files below <paramref name="folder"/> that match <paramref name="pattern"/>, named relative to it.</summary>
    public static string OfFolder(string folder, string pattern, SearchOption option = SearchOption.TopDirectoryOnly) =>
        Directory.Exists(folder)
            ? OfFiles(Directory.EnumerateFiles(folder, pattern, option).Select(f => (Path.GetRelativePath(folder, f).Replace('\\', '/'), f)))
            : Missing;

    /// <summary>Hex digest (first 16 bytes) of a text.</summary>
    public static string OfText(string text) => Hex(SHA256.HashData(Encoding.UTF8.GetBytes(text)));

    private static string Hex(byte[] hash) => Convert.ToHexString(hash.AsSpan(0, 16)).ToLowerInvariant();
}
