using DeepMem.Experiments;

namespace DeepMem.Tests.Experiments;

public class ShippedConfigsTests
{
    public static TheoryData<string> Files()
    {
        var root = RepoLocator.FindRoot(AppContext.BaseDirectory) ?? throw new InvalidOperationException("repo root not found");
        var data = new TheoryData<string>();
        foreach (var f in Directory.EnumerateFiles(Path.Combine(root, "configs", "experiments"), "*.yaml", SearchOption.AllDirectories).Order())
        {
            data.Add(Path.GetRelativePath(root, f));
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void Every_shipped_experiment_validates(string relative)
    {
        var root = RepoLocator.FindRoot(AppContext.BaseDirectory)!;
        var r = ExperimentLoader.LoadFile(Path.Combine(root, relative));
        Assert.True(r.Ok, string.Join("\n", r.Problems));
        Assert.NotEmpty(r.Experiments);
    }

    [Fact]
    public void The_readmes_example_experiment_loads()
    {
        var root = RepoLocator.FindRoot(AppContext.BaseDirectory)!;
        var readme = File.ReadAllLines(Path.Combine(root, "README.md"));
        var start = Array.FindIndex(readme, l => l.Trim() == "```yaml");
        Assert.True(start >= 0, "README.md has no yaml block");
        var end = Array.FindIndex(readme, start + 1, l => l.Trim() == "```");
        var dir = Directory.CreateTempSubdirectory("readme-yaml-");
        try
        {
            var file = Path.Combine(dir.FullName, "example.yaml");
            File.WriteAllLines(file, readme[(start + 1)..end]);
            var r = ExperimentLoader.LoadFile(file);
            Assert.True(r.Ok, string.Join("\n", r.Problems));
            Assert.Equal(4, r.Experiments.Count);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }
}
