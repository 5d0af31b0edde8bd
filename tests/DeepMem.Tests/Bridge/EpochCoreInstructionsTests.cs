using DeepMem.Bridge;
using DeepMem.Core;
using Proto = DeepMem.Protocol.V1;

namespace DeepMem.Tests.Bridge;

/// <summary>EpochEnded.core_instructions (one count per simulated core) reaches the policy's EpochReport.</summary>
public class EpochCoreInstructionsTests
{
    private static Proto.EpochEnded Epoch(params ulong[] cores)
    {
        var e = new Proto.EpochEnded { Epoch = 3, StartTick = 100, EndTick = 200, EpochInstructions = 1000, TotalInstructions = 4000 };
        e.CoreInstructions.AddRange(cores);
        return e;
    }

    [Fact]
    public void Each_core_count_is_kept_in_core_order()
    {
        var report = ProtocolConvert.ToEpochReport(Epoch(1000, 990, 0, 1234), []);
        Assert.Equal([1000L, 990L, 0L, 1234L], report.CoreInstructions);
        Assert.Equal(1000UL, report.EpochInstructions);
    }

    [Fact]
    public void A_simulator_that_does_not_tell_gives_an_empty_list()
    {
        var report = ProtocolConvert.ToEpochReport(Epoch(), []);
        Assert.Empty(report.CoreInstructions);
    }

    [Fact]
    public void A_count_beyond_long_is_a_clear_error()
    {
        var ex = Assert.Throws<InvalidDataException>(() => ProtocolConvert.ToEpochReport(Epoch(5, ulong.MaxValue), []));
        Assert.Contains("core 1", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_report_built_in_code_has_no_core_counts()
    {
        var report = new EpochReport(0, 0, 1, 1, 1, [], PageCounts.Empty, 0, 0, []);
        Assert.Empty(report.CoreInstructions);
    }
}
