using DeepMem.Estimator;
using Xunit;

namespace DeepMem.Tests.Estimator;

public class EstimateAccuracyTests
{
    [Fact]
    public void Errors_are_relative_to_runtime_and_to_the_gap()
    {
        var s = EstimateAccuracy.Summarize([new(1.1, 1.0), new(2, 2), new(2.7, 3)], fastSeconds: 1, slowSeconds: 3);
        Assert.Equal(3, s.Count);
        Assert.Equal(0.2 / 3, s.MeanErrorOfRuntime, 12);
        Assert.Equal(0.1, s.MaxErrorOfRuntime, 12);
        Assert.Equal((0.05 + 0 + 0.15) / 3, s.MeanErrorOfGap, 12);
        Assert.Equal(0.15, s.MaxErrorOfGap, 12);
        Assert.Equal(1.0, s.Spearman, 12);
    }

    [Fact]
    public void Spearman_uses_average_ranks_for_ties()
    {
        Assert.Equal(4.5 / Math.Sqrt(4.5 * 5), EstimateAccuracy.Spearman([1, 2, 2, 3], [1, 3, 2, 4]), 12);
        Assert.Equal(-1.0, EstimateAccuracy.Spearman([1, 2, 3], [30, 20, 10]), 12);
        Assert.True(double.IsNaN(EstimateAccuracy.Spearman([1, 1], [1, 2])));
    }
}
