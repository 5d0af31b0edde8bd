using DeepMem.Bridge;

namespace DeepMem.Tests.Bridge;

/// <summary>How a gem5 run whose program ended with a non-zero exit code is explained.</summary>
public sealed class Gem5WorkloadFailureTests : IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("gem5-result-").FullName;

    public void Dispose() => Directory.Delete(dir, true);

    private void Result(string json) => File.WriteAllText(Path.Combine(dir, "deepmem_result.json"), json);

    [Fact]
    public void A_signal_death_names_the_signal()
    {
        Result("""{"exit_code": 134, "note": "killed by SIGABRT (exit 134)", "signal": 6, "signal_name": "SIGABRT"}""");
        Assert.Equal("killed by SIGABRT (exit 134)", Gem5Simulator.WorkloadFailure(134, dir));
    }

    [Fact]
    public void A_signal_without_a_name_is_numbered()
    {
        Result("""{"exit_code": 162, "signal": 34}""");
        Assert.Equal("killed by signal 34 (exit 162)", Gem5Simulator.WorkloadFailure(162, dir));
    }

    [Theory]
    [InlineData("""{"exit_code": 134, "signal": null, "signal_name": null}""")]
    [InlineData("""{"exit_code": 134}""")]
    [InlineData("not json")]
    public void A_plain_exit_code_stays_an_exit_code(string json)
    {
        Result(json);
        Assert.Equal("the workload exited with code 134", Gem5Simulator.WorkloadFailure(134, dir));
    }

    [Fact]
    public void No_result_file_is_an_exit_code()
    {
        Assert.Equal("the workload exited with code 3", Gem5Simulator.WorkloadFailure(3, dir));
        Assert.Equal("the workload exited with code 3", Gem5Simulator.WorkloadFailure(3, null));
    }
}
