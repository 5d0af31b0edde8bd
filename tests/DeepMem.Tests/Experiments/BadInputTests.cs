using DeepMem.Cli;
using DeepMem.Cli.Commands;
using DeepMem.Experiments;

namespace DeepMem.Tests.Experiments;

/// <summary>
/// Issue 13, item 8: bad input never crashes. Each case is a file under
/// BadInput/ (or a folder made here), run through the CLI verb in-process:
/// exit 2 (or 1 for a failed run) and one line at the right file:line:col.
/// </summary>
public class BadInputTests
{
    private static readonly string Folder = Path.Combine(
        RepoLocator.FindRoot(AppContext.BaseDirectory) ?? throw new InvalidOperationException("repo root not found"),
        "tests", "DeepMem.Tests", "Experiments", "BadInput");

    private static string Bad(string name) => Path.Combine(Folder, name);

    /// <summary>Validates the bad file and then a good one; returns stderr after checking both were reported.</summary>
    private static string ValidateThenGood(string path)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var code = ValidateCommand.Execute([new FileInfo(path), new FileInfo(Bad("good.yaml"))], quiet: true, stdout, stderr);
        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Contains("good.yaml: ok (1 point)", stdout.ToString());
        Assert.DoesNotContain("   at ", stderr.ToString());
        return stderr.ToString();
    }

    [Theory]
    [InlineData("unclosed-brace.yaml", "5:7: error: YAML syntax: '{' opened here is never closed")]
    [InlineData("unclosed-bracket.yaml", "4:10: error: YAML syntax: '[' opened here is never closed")]
    [InlineData("tab-indent.yaml", "5:1: error: YAML syntax: a tab in the indentation")]
    [InlineData("undefined-alias.yaml", "11:9: error: YAML syntax: undefined alias '*nope'")]
    [InlineData("unknown-sweep-key.yaml", "12:3: error: policy.nme: unknown key 'nme' (did you mean 'name'?)")]
    public void A_syntax_error_is_one_line_at_its_place_and_validate_goes_on_to_the_next_file(string file, string expected)
    {
        var stderr = ValidateThenGood(Bad(file));
        Assert.Contains($"{Bad(file)}:{expected}", stderr);
    }

    [Theory]
    [InlineData("unclosed-brace.yaml")]
    [InlineData("unclosed-bracket.yaml")]
    public async Task Run_reports_an_unclosed_bracket_as_bad_input(string file)
    {
        var stderr = new StringWriter();
        var code = await RunCommand.ExecuteAsync(new FileInfo(Bad(file)), null, null, false, Backends.Create,
            new StringWriter(), stderr, CancellationToken.None);
        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Contains($"{Bad(file)}:", stderr.ToString());
        Assert.Contains("is never closed", stderr.ToString());
    }

    [Fact]
    public void A_folder_given_as_the_file_says_so()
    {
        var stderr = ValidateThenGood(Folder);
        Assert.Contains($"{Folder}: error: is a folder, not an experiment file", stderr);
        Assert.DoesNotContain("0:0", stderr);
    }

    [Fact]
    public void A_file_that_cannot_be_read_is_one_line()
    {
        // Running as root, permissions cannot make a file unreadable; a file
        // held open without sharing cannot be opened again in any case.
        var path = Path.Combine(Directory.CreateTempSubdirectory("deepmem-bad-").FullName, "locked.yaml");
        File.Copy(Bad("good.yaml"), path);
        using (new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.None))
        {
            var stderr = ValidateThenGood(path);
            Assert.Contains($"{path}: error: cannot read the file:", stderr);
        }

        if (!OperatingSystem.IsWindows() && Environment.UserName != "root")
        {
            File.SetUnixFileMode(path, UnixFileMode.None);
            Assert.Contains($"{path}: error: cannot read the file:", ValidateThenGood(path));
        }
    }
}
