using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;

namespace DeepMem.Experiments;

/// <summary>
/// SHA-256 digests of file contents, remembered per process by path, size
/// and modification time, so that a sweep of a thousand points over one
/// gem5 binary reads the binary once.
/// </summary>
public static class ContentDigest
{
    /// <summary>What a missing file digests to.</summary>
    public const string Missing = "missing";

    private static readonly ConcurrentDictionary<(string Path, long Length, long Ticks), string> Cache = new();

    /// <summary>Hex digest (first 16 bytes) of a file's contents, or <see cref="Missing"/>.</summary>
    public static string OfFile(string path)
    {
        var info = new FileInfo(path);
        if (!info.Exists)
        {
            return Missing;
        }

        return Cache.GetOrAdd((info.FullName, info.Length, info.LastWriteTimeUtc.Ticks), k =>
        {
            using var stream = new FileStream(k.Path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1 << 20);
            return Hex(SHA256.HashData(stream));
        });
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
