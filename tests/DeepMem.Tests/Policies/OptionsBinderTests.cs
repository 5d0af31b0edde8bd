using System.ComponentModel.DataAnnotations;
using DeepMem.Core;
using DeepMem.Policies;

namespace DeepMem.Tests.Policies;

/// <summary>Every option type the binder documents is parsed; anything else is a clear problem.</summary>
public class OptionsBinderTests
{
    public enum Flavour
    {
        Plain,
        ExtraHot,
    }

    public sealed class AllTypes
    {
        public sbyte Tiny { get; set; }
        public byte Octet { get; set; }
        public short Small { get; set; }
        public ushort SmallUnsigned { get; set; }
        public int Whole { get; set; }
        public uint WholeUnsigned { get; set; }
        public long Big { get; set; }
        public ulong BigUnsigned { get; set; }
        public float Ratio { get; set; }
        public double Real { get; set; }
        public bool Flag { get; set; }
        public string Text { get; set; } = "";
        public Flavour Kind { get; set; }
        public TimeSpan Wait { get; set; }

        [PolicyOption("a size", Unit = OptionUnit.Bytes)]
        public ulong Size { get; set; }

        [PolicyOption("a rate", Unit = OptionUnit.BytesPerSecond)]
        public double Rate { get; set; }

        [PolicyOption("a count", Unit = OptionUnit.Count)]
        public int Count { get; set; }

        [PolicyOption("a duration in ns", Unit = OptionUnit.Nanoseconds)]
        public double LatencyNs { get; set; }

        public int? Maybe { get; set; } = 3;
        public int? Surely { get; set; }
        public IReadOnlyList<int> Numbers { get; set; } = [];
        public double[] Fractions { get; set; } = [];
        public List<string> Names { get; set; } = [];
        public IEnumerable<TimeSpan> Waits { get; set; } = [];

        [PolicyOption("sizes", Unit = OptionUnit.Bytes)]
        public IReadOnlyList<uint> Sizes { get; set; } = [];
    }

    public sealed class Unsupported
    {
        public Dictionary<string, int> Table { get; set; } = [];
        public Uri? Link { get; set; }
        public int Fine { get; set; }
    }

    public sealed class Ranged
    {
        [Range(1, 10)]
        public int Level { get; set; } = 1;

        [Range(0.0, 1.0, MinimumIsExclusive = true)]
        public double Share { get; set; } = 0.5;
    }

    private static (T Options, List<(string Key, string Message)> Problems) Bind<T>(params (string Key, OptionValue Value)[] values)
    {
        var problems = new List<(string Key, string Message)>();
        var options = OptionsBinder.Bind(typeof(T), values.ToDictionary(v => v.Key, v => v.Value), problems);
        return ((T)options!, problems);
    }

    private static (string, OptionValue) S(string key, string value) => (key, OptionValue.Of(value));

    private static (string, OptionValue) L(string key, params string[] items) => (key, OptionValue.OfList(items));

    [Fact]
    public void Every_documented_option_type_parses()
    {
        var (o, problems) = Bind<AllTypes>(
            S("tiny", "-128"), S("octet", "255"), S("small", "-300"), S("small_unsigned", "65535"), S("whole", "-7"),
            S("whole_unsigned", "4000000000"), S("big", "-9000000000"), S("big_unsigned", "18446744073709551615"),
            S("ratio", "1.5"), S("real", "2.5e-3"), S("flag", "true"), S("text", "hello"), S("kind", "extra-hot"),
            S("wait", "10ms"), S("size", "64MiB"), S("rate", "100MB/s"), S("count", "10k"), S("latency_ns", "2us"),
            S("maybe", "~"), S("surely", "5"),
            L("numbers", "1", "2", "3"), L("fractions", "0.5", "1"), L("names", "a", "b"), L("waits", "1s", "2ms"), L("sizes", "4KiB", "1MiB"));

        Assert.Empty(problems);
        Assert.Equal(sbyte.MinValue, o.Tiny);
        Assert.Equal(byte.MaxValue, o.Octet);
        Assert.Equal((short)-300, o.Small);
        Assert.Equal(ushort.MaxValue, o.SmallUnsigned);
        Assert.Equal(-7, o.Whole);
        Assert.Equal(4_000_000_000u, o.WholeUnsigned);
        Assert.Equal(-9_000_000_000L, o.Big);
        Assert.Equal(ulong.MaxValue, o.BigUnsigned);
        Assert.Equal(1.5f, o.Ratio);
        Assert.Equal(2.5e-3, o.Real);
        Assert.True(o.Flag);
        Assert.Equal("hello", o.Text);
        Assert.Equal(Flavour.ExtraHot, o.Kind);
        Assert.Equal(TimeSpan.FromMilliseconds(10), o.Wait);
        Assert.Equal(64UL << 20, o.Size);
        Assert.Equal(100e6, o.Rate);
        Assert.Equal(10_000, o.Count);
        Assert.Equal(2000, o.LatencyNs);
        Assert.Null(o.Maybe);
        Assert.Equal(5, o.Surely);
        Assert.Equal([1, 2, 3], o.Numbers);
        Assert.Equal([0.5, 1], o.Fractions);
        Assert.Equal(["a", "b"], o.Names);
        Assert.Equal([TimeSpan.FromSeconds(1), TimeSpan.FromMilliseconds(2)], o.Waits);
        Assert.Equal([4096u, 1u << 20], o.Sizes);
    }

    [Theory]
    [InlineData("octet", "256", "a whole number from 0 to 255")]
    [InlineData("tiny", "128", "a whole number from -128 to 127")]
    [InlineData("whole_unsigned", "-1", "a whole number from 0 to 4294967295")]
    [InlineData("big_unsigned", "18446744073709551616", "a whole number from 0 to 18446744073709551615")]
    [InlineData("whole", "1.5", "a whole number from -2147483648 to 2147483647")]
    [InlineData("real", "fast", "a number")]
    [InlineData("real", "NaN", "a number")]
    [InlineData("ratio", "1e39", "a number")]
    [InlineData("wait", "10", "a duration such as")]
    [InlineData("kind", "lukewarm", "one of plain, extra-hot")]
    [InlineData("flag", "maybe", "true or false")]
    [InlineData("size", "64MiQ", "a size such as")]
    public void A_value_out_of_its_types_range_or_form_says_what_is_expected(string key, string value, string expected)
    {
        var (_, problems) = Bind<AllTypes>(S(key, value));
        var (k, message) = Assert.Single(problems);
        Assert.Equal(key, k);
        Assert.Equal($"'{value}' is not valid for option '{key}': expected {expected}", message[..Math.Min(message.Length, $"'{value}' is not valid for option '{key}': expected {expected}".Length)]);
    }

    [Fact]
    public void A_scalar_where_a_list_is_expected_and_a_bad_item_are_problems()
    {
        var (_, problems) = Bind<AllTypes>(S("numbers", "1"), L("fractions", "0.5", "x"));
        Assert.Equal(["'1' is not valid for option 'numbers': expected a list of a whole number from -2147483648 to 2147483647",
            "'[0.5, x]' is not valid for option 'fractions': expected a list of a number"], problems.Select(p => p.Message));
    }

    [Fact]
    public void An_unsupported_property_type_is_a_problem_naming_the_property_and_its_type()
    {
        var (_, problems) = Bind<Unsupported>(S("fine", "1"));
        Assert.Equal(2, problems.Count);
        Assert.Contains(problems, p => p.Key == "table" && p.Message.Contains("property Unsupported.Table) has type Dictionary<string, int>, which an option cannot have"));
        Assert.Contains(problems, p => p.Key == "link" && p.Message.Contains("has type Uri"));
        Assert.All(problems, p => Assert.Contains("TimeSpan", p.Message));
    }

    [Fact]
    public void An_options_class_without_a_parameterless_constructor_is_a_problem_not_a_crash()
    {
        var problems = new List<(string Key, string Message)>();
        Assert.Null(OptionsBinder.Bind(typeof(NoDefaultConstructorOptions), new Dictionary<string, OptionValue>(), problems));
        var (key, message) = Assert.Single(problems);
        Assert.Equal("", key);
        Assert.Contains("options class 'NoDefaultConstructorOptions' has no public constructor without parameters", message);
    }

    [Fact]
    public void Declared_ranges_are_checked_with_the_rule_in_words()
    {
        var (_, problems) = Bind<Ranged>(S("level", "0"), S("share", "0"));
        Assert.Equal([("level", "option 'level' must be at least 1 and at most 10 (was 0)"),
            ("share", "option 'share' must be greater than 0 and at most 1 (was 0)")], problems);
        Assert.Empty(Bind<Ranged>(S("level", "10"), S("share", "1")).Problems);
    }

    [Fact]
    public void Built_in_options_declare_their_ranges()
    {
        var problems = PolicyFactory.Check(new PolicySpec { Name = "hemem", Options = new Dictionary<string, OptionValue> { ["hot_read_threshold"] = OptionValue.Of("0") } });
        Assert.Equal([("hot_read_threshold", "option 'hot_read_threshold' must be at least 1 (was 0)")], problems);
        var info = OptionsBinder.Describe(typeof(DeepMem.Policies.BuiltIn.QLearningOptions)).Single(o => o.Key == "alpha");
        Assert.Equal("greater than 0 and at most 1", info.Rules);
    }
}
