using DeepMem.Experiments;
using DeepMem.Tests.Policies;

namespace DeepMem.Tests.Experiments;

/// <summary>validate (the loader) reports bad policy options at their line, for built-ins and plug-ins alike.</summary>
public sealed class PolicyOptionValidationTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("deepmem-optval-").FullName;

    private static readonly string Plugin = typeof(MisbehavingPolicy).Assembly.Location;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private LoadResult Load(string policy)
    {
        var file = Path.Combine(_dir, "exp.yaml");
        File.WriteAllText(file, $"""
            name: optval
            memory:
              nodes:
                - {"{"} name: dram, preset: ddr4, capacity: 64MiB {"}"}
                - {"{"} name: nvm, preset: nvm, capacity: 256MiB {"}"}
            workload:
              binary: /bin/true
            policy:
            {policy}
            backend: estimator

            """);
        return ExperimentLoader.LoadFile(file);
    }

    private static ConfigProblem Single(LoadResult r)
    {
        Assert.True(r.Problems.Count == 1, "expected one problem, got:\n" + string.Join("\n", r.Problems));
        return r.Problems[0];
    }

    [Fact]
    public void An_out_of_range_built_in_option_fails_validate_at_its_line()
    {
        var p = Single(Load("  name: hemem\n  options:\n    hot_read_threshold: 0"));
        Assert.Equal((11, 5), (p.Line, p.Column));
        Assert.Equal("policy.options.hot_read_threshold", p.Key);
        Assert.Equal("option 'hot_read_threshold' must be at least 1 (was 0)", p.Message);
    }

    [Fact]
    public void An_out_of_range_plug_in_option_fails_validate_too()
    {
        var p = Single(Load($"  assembly: {Plugin}\n  type: {typeof(MisbehavingPolicy).FullName}\n  options: {{ hang_ms: 0 }}"));
        Assert.Equal("policy.options.hang_ms", p.Key);
        Assert.Equal("option 'hang_ms' must be at least 1 and at most 60000 (was 0)", p.Message);
    }

    [Fact]
    public void A_missing_q_table_fails_validate_unless_the_run_starts_fresh()
    {
        var p = Single(Load("  name: q-learning\n  options:\n    table: tables/none.json"));
        Assert.Equal((11, 5), (p.Line, p.Column));
        Assert.Contains($"Q table file '{Path.Combine(_dir, "tables", "none.json")}' does not exist", p.Message);
        Assert.Contains("fresh: true", p.Message);
        Assert.True(Load("  name: q-learning\n  options:\n    table: tables/none.json\n    fresh: true\n    save: true").Ok);
    }

    [Fact]
    public void A_missing_plan_fails_validate_and_an_absent_one_is_required()
    {
        var p = Single(Load("  name: static-plan\n  options: { plan: plans/none.json }"));
        Assert.Equal("policy.options.plan", p.Key);
        Assert.Equal($"option 'plan': file '{Path.Combine(_dir, "plans", "none.json")}' does not exist", p.Message);
        Assert.Contains("option 'plan' is required", Single(Load("  name: static-plan")).Message);
    }

    [Fact]
    public void A_plug_in_path_option_is_relative_to_the_experiment_and_must_exist()
    {
        var p = Single(Load($"  assembly: {Plugin}\n  type: {typeof(MisbehavingPolicy).FullName}\n  options: {{ notes: notes.txt }}"));
        Assert.Equal($"option 'notes': file '{Path.Combine(_dir, "notes.txt")}' does not exist", p.Message);
        File.WriteAllText(Path.Combine(_dir, "notes.txt"), "");
        var ok = Load($"  assembly: {Plugin}\n  type: {typeof(MisbehavingPolicy).FullName}\n  options: {{ notes: notes.txt }}");
        Assert.True(ok.Ok, string.Join("\n", ok.Problems));
    }

    [Fact]
    public void An_options_class_without_a_parameterless_constructor_fails_validate_with_a_line_not_a_stack_trace()
    {
        var p = Single(Load($"  assembly: {Plugin}\n  type: {typeof(NoDefaultConstructorPolicy).FullName}"));
        Assert.Equal("policy.type", p.Key);
        Assert.Equal(10, p.Line);
        Assert.Contains("options class 'NoDefaultConstructorOptions' has no public constructor without parameters", p.Message);
    }

    [Fact]
    public void An_unsupported_option_type_fails_validate_naming_the_property_and_the_type()
    {
        var p = Single(Load($"  assembly: {Plugin}\n  type: {typeof(OddOptionsPolicy).FullName}\n  options: {{ extras: [1] }}"));
        Assert.Equal("policy.options.extras", p.Key);
        Assert.Equal((11, 14), (p.Line, p.Column));
        Assert.Contains("option 'extras' (property OddOptions.Extras) has type Dictionary<string, int>, which an option cannot have", p.Message);
    }

    [Fact]
    public void A_fraction_for_a_whole_number_option_says_which_numbers_are_allowed()
    {
        var p = Single(Load("  name: first-touch\n  options: { node: 1.5 }"));
        Assert.Equal("'1.5' is not valid for option 'node': expected a whole number from -2147483648 to 2147483647", p.Message);
    }
}
