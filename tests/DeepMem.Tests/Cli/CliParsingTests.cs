using DeepMem.Cli;
using DeepMem.Cli.Commands;

namespace DeepMem.Tests.Cli;

public class CliParsingTests
{
    [Fact]
    public void Validate_takes_several_files()
    {
        var parse = DeepMemCommand.Build().Parse(["validate", "a.yaml", "b.yaml", "-q"]);
        Assert.Empty(parse.Errors);
        Assert.Equal("validate", parse.CommandResult.Command.Name);
    }

    [Fact]
    public void Run_accepts_a_backend_override()
    {
        var parse = DeepMemCommand.Build().Parse(["run", "a.yaml", "--backend", "gem5", "--force"]);
        Assert.Empty(parse.Errors);
    }

    [Fact]
    public void Run_refuses_an_unknown_backend()
    {
        var parse = DeepMemCommand.Build().Parse(["run", "a.yaml", "--backend", "qemu"]);
        Assert.NotEmpty(parse.Errors);
    }

    [Fact]
    public void Run_needs_an_experiment_file()
    {
        Assert.NotEmpty(DeepMemCommand.Build().Parse(["run"]).Errors);
    }

    [Fact]
    public void An_unknown_verb_is_bad_input()
    {
        Assert.NotEmpty(DeepMemCommand.Build().Parse(["frobnicate"]).Errors);
    }

    [Fact]
    public async Task Bad_input_exits_with_two()
    {
        Assert.Equal(ExitCodes.BadInput, await DeepMemCommand.RunAsync(["run", "--backend", "qemu", "x.yaml"]));
    }

    [Fact]
    public void Validate_reports_problems_and_exits_with_two()
    {
        var path = Path.Combine(Path.GetTempPath(), $"deepmem-bad-{Guid.NewGuid():N}.yaml");
        File.WriteAllText(path, "name: x\nepoh: 1\n");
        try
        {
            var stdout = new StringWriter();
            var stderr = new StringWriter();
            Assert.Equal(ExitCodes.BadInput, ValidateCommand.Execute([new FileInfo(path)], false, stdout, stderr));
            Assert.Contains($"{path}:2:1: error: epoh: unknown key 'epoh' (did you mean 'epoch'?)", stderr.ToString());
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Policies_lists_every_built_in_with_its_options()
    {
        var stdout = new StringWriter();
        Assert.Equal(ExitCodes.Ok, PoliciesCommand.Execute(stdout));
        var text = stdout.ToString();
        Assert.Contains("first-touch:", text);
        Assert.Contains("interleave:", text);
        Assert.Contains("by_bandwidth = false", text);
    }
}
