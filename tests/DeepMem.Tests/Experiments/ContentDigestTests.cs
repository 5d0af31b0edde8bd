using System.Security.Cryptography;
using DeepMem.Experiments;

namespace DeepMem.Tests.Experiments;

public sealed class ContentDigestTests : IDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("deepmem-digest-");

    public void Dispose() => _dir.Delete(recursive: true);

    private string BigFile(string name, byte fill)
    {
        var path = Path.Combine(_dir.FullName, name);
        var bytes = new byte[ContentDigest.StatCacheMinLength];
        Array.Fill(bytes, fill);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    private static string Sha(string path) =>
        Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(path)).AsSpan(0, 16)).ToLowerInvariant();

    [Fact]
    public void A_large_files_digest_is_kept_across_processes_and_a_write_to_the_file_misses_it()
    {
        var cache = Path.Combine(_dir.FullName, "cache", "digests-v1.tsv");
        var binary = BigFile("gem5.opt", 1);

        var first = ContentDigest.OfFile(binary, cache);

        Assert.Equal(Sha(binary), first);
        var line = Assert.Single(File.ReadAllLines(cache));
        Assert.StartsWith(first + "\t", line, StringComparison.Ordinal);

        // Another process finds the digest in the cache instead of hashing:
        // a second file whose cache line was written by "someone else" with a
        // made-up digest proves that the line, not the content, answered.
        var other = BigFile("other.opt", 2);
        var info = new FileInfo(other);
        var madeUp = new string('a', 32);
        File.AppendAllText(cache, $"{madeUp}\t{info.Length}\t{info.LastWriteTimeUtc.Ticks}\t{info.FullName}\n");
        Assert.Equal(madeUp, ContentDigest.OfFile(other, cache));

        // Rewriting the file changes its modification time: the stale line no
        // longer matches and the content is hashed again.
        File.WriteAllBytes(other, File.ReadAllBytes(binary));
        File.SetLastWriteTimeUtc(other, info.LastWriteTimeUtc.AddSeconds(5));
        Assert.Equal(first, ContentDigest.OfFile(other, cache));
    }

    [Fact]
    public void Small_files_and_an_unwritable_cache_leave_no_trace_and_still_digest()
    {
        var small = Path.Combine(_dir.FullName, "small");
        File.WriteAllText(small, "x");
        var cache = Path.Combine(_dir.FullName, "c", "digests-v1.tsv");
        Assert.Equal(Sha(small), ContentDigest.OfFile(small, cache));
        Assert.False(File.Exists(cache));

        var blocker = Path.Combine(_dir.FullName, "blocker");
        File.WriteAllText(blocker, "a file where the cache folder would be");
        var big = BigFile("big", 3);
        Assert.Equal(Sha(big), ContentDigest.OfFile(big, Path.Combine(blocker, "digests-v1.tsv")));
    }
}
