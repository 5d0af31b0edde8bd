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
}
