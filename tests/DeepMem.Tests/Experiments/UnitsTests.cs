using DeepMem.Core;

namespace DeepMem.Tests.Experiments;

public class UnitsTests
{
    [Theory]
    [InlineData("64MiB", 64UL * 1024 * 1024)]
    [InlineData("4KiB", 4096UL)]
    [InlineData("1GB", 1_000_000_000UL)]
    [InlineData("512", 512UL)]
    [InlineData("1.5KiB", 1536UL)]
    [InlineData(" 2 GiB ", 2UL * 1024 * 1024 * 1024)]
    public void Sizes_parse_to_bytes(string text, ulong expected)
    {
        Assert.True(Units.TryParseSize(text, out var bytes));
        Assert.Equal(expected, bytes);
    }

    [Theory]
    [InlineData("64MB/s")]
    [InlineData("lots")]
    [InlineData("-1KiB")]
    [InlineData("1.3B")]
    [InlineData("")]
    [InlineData("64 mib")]
    public void Bad_sizes_are_refused(string text) => Assert.False(Units.TryParseSize(text, out _));

    [Theory]
    [InlineData("150ns", 150)]
    [InlineData("2us", 2000)]
    [InlineData("2µs", 2000)]
    [InlineData("1.5ms", 1_500_000)]
    [InlineData("60s", 60e9)]
    [InlineData("500ps", 0.5)]
    public void Durations_parse_to_nanoseconds(string text, double expected)
    {
        Assert.True(Units.TryParseDurationNs(text, out var ns));
        Assert.Equal(expected, ns, 6);
    }

    [Fact]
    public void A_duration_needs_its_unit() => Assert.False(Units.TryParseDurationNs("150", out _));

    [Theory]
    [InlineData("3GHz", 3e9)]
    [InlineData("800MHz", 8e8)]
    public void Frequencies_parse_to_hertz(string text, double expected)
    {
        Assert.True(Units.TryParseFrequencyHz(text, out var hz));
        Assert.Equal(expected, hz);
    }

    [Theory]
    [InlineData("19.2GB/s", 19.2e9)]
    [InlineData("100MB/s", 1e8)]
    [InlineData("1GiB/s", 1073741824d)]
    public void Bandwidths_parse_to_bytes_per_second(string text, double expected)
    {
        Assert.True(Units.TryParseBandwidth(text, out var bps));
        Assert.Equal(expected, bps, 3);
    }

    [Theory]
    [InlineData("1M", 1_000_000UL)]
    [InlineData("500k", 500_000UL)]
    [InlineData("1000000", 1_000_000UL)]
    [InlineData("2G", 2_000_000_000UL)]
    public void Counts_take_k_M_G_suffixes(string text, ulong expected)
    {
        Assert.True(Units.TryParseCount(text, out var n));
        Assert.Equal(expected, n);
    }

    [Theory]
    [InlineData("1.5")]
    [InlineData("1Mi")]
    [InlineData("-5")]
    public void Counts_must_be_whole(string text) => Assert.False(Units.TryParseCount(text, out _));

    [Theory]
    [InlineData(64UL * 1024 * 1024, "64MiB")]
    [InlineData(4096UL, "4KiB")]
    [InlineData(1000UL, "1000B")]
    public void Sizes_format_back_in_binary_units(ulong bytes, string expected) => Assert.Equal(expected, Units.FormatSize(bytes));
}
