using DeepMem.Cli;
using DeepMem.Cli.Commands;
using DeepMem.Core;
using DeepMem.Policies;

namespace DeepMem.Tests.Policies;

public class PolicyListingTests
{
    [Fact]
    public void Deepmem_policies_lists_every_built_in_with_readable_defaults()
    {
        var stdout = new StringWriter();
        Assert.Equal(ExitCodes.Ok, PoliciesCommand.Execute(stdout));
        var text = stdout.ToString();
        Assert.All(DefaultPolicies.All, d => Assert.Contains($"{d.Name}: {d.Summary}", text));
        Assert.Contains("hot_read_threshold = 4 ", text);
        Assert.Contains("cooling_threshold = 10 ", text);
        Assert.Contains("demote_scale_factor = 0.02 ", text);
        Assert.Contains("promote_rate_limit = 64GiB/s ", text);
        Assert.Contains("delta = 0.05 ", text);
    }

    [Theory]
    [InlineData(10.0 * 1024 * 1024 * 1024, "10GiB/s")]
    [InlineData(200e6, "200MB/s")]
    [InlineData(0, "0")]
    [InlineData(1234.5, "1234.5B/s")]
    public void Rates_are_shown_as_yaml_would_write_them(double rate, string expected)
    {
        var shown = DeepMem.Experiments.PolicyCatalog.FormatRate(rate);
        Assert.Equal(expected, shown);
        if (rate > 0)
        {
            Assert.True(Units.TryParseBandwidth(shown, out var parsed));
            Assert.Equal(rate, parsed, 6);
        }
    }

    [Fact]
    public void Every_option_of_every_built_in_is_documented()
    {
        foreach (var d in DefaultPolicies.All.Where(d => d.OptionsType is not null))
        {
            Assert.All(OptionsBinder.Describe(d.OptionsType!), o => Assert.False(string.IsNullOrWhiteSpace(o.Description), $"{d.Name}.{o.Key}"));
        }
    }
}
