namespace DeepMem.Estimator;

/// <summary>The error metrics of the validation protocol (docs/estimator.md): relative to runtime, relative to the slow–fast gap, and rank correlation.</summary>
public static class EstimateAccuracy
{
    /// <summary>Summarises <paramref name="pairs"/>; the gap is |<paramref name="slowSeconds"/> − <paramref name="fastSeconds"/>| (the measured all-slow and all-fast run times).</summary>
    public static AccuracySummary Summarize(IReadOnlyList<EstimatePair> pairs, double fastSeconds, double slowSeconds)
    {
        if (pairs.Count == 0)
        {
            return new AccuracySummary(0, double.NaN, double.NaN, double.NaN, double.NaN, double.NaN);
        }

        var gap = Math.Abs(slowSeconds - fastSeconds);
        double sumRun = 0, maxRun = 0, sumGap = 0, maxGap = 0;
        foreach (var p in pairs)
        {
            if (!(p.MeasuredSeconds > 0))
            {
                throw new ArgumentException($"measured run time must be greater than zero (was {p.MeasuredSeconds})");
            }

            var err = Math.Abs(p.EstimatedSeconds - p.MeasuredSeconds);
            var ofRun = err / p.MeasuredSeconds;
            var ofGap = gap > 0 ? err / gap : double.NaN;
            sumRun += ofRun;
            maxRun = Math.Max(maxRun, ofRun);
            sumGap += ofGap;
            maxGap = double.IsNaN(ofGap) ? double.NaN : Math.Max(maxGap, ofGap);
        }

        return new AccuracySummary(pairs.Count, sumRun / pairs.Count, maxRun, sumGap / pairs.Count, maxGap,
            Spearman(pairs.Select(p => p.EstimatedSeconds).ToList(), pairs.Select(p => p.MeasuredSeconds).ToList()));
    }

    /// <summary>Spearman rank correlation (Pearson correlation of average ranks); NaN with fewer than 2 values or a constant series.</summary>
    public static double Spearman(IReadOnlyList<double> a, IReadOnlyList<double> b)
    {
        if (a.Count != b.Count)
        {
            throw new ArgumentException($"series differ in length ({a.Count} and {b.Count})");
        }

        if (a.Count < 2)
        {
            return double.NaN;
        }

        var ra = Ranks(a);
        var rb = Ranks(b);
        var mean = (a.Count + 1) / 2.0;
        double cov = 0, va = 0, vb = 0;
        for (var i = 0; i < a.Count; i++)
        {
            var da = ra[i] - mean;
            var db = rb[i] - mean;
            cov += da * db;
            va += da * da;
            vb += db * db;
        }

        return va > 0 && vb > 0 ? cov / Math.Sqrt(va * vb) : double.NaN;
    }

    private static double[] Ranks(IReadOnlyList<double> x)
    {
        var order = Enumerable.Range(0, x.Count).OrderBy(i => x[i]).ToArray();
        var ranks = new double[x.Count];
        var i = 0;
        while (i < order.Length)
        {
            var j = i;
            while (j + 1 < order.Length && x[order[j + 1]] == x[order[i]])
            {
                j++;
            }

            var rank = (i + j) / 2.0 + 1;
            for (var k = i; k <= j; k++)
            {
                ranks[order[k]] = rank;
            }

            i = j + 1;
        }

        return ranks;
    }
}
