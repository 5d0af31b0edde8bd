using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using DeepMem.Estimator;

namespace DeepMem.Experiments.CrossCheck;

/// <summary>
/// How well a window's page placement alone determines gem5's time for it.
/// Across the cross-check's runs, windows with exactly the same page→node
/// map are grouped (per window index); a group whose gem5 times differ shows
/// what no estimator that computes a window from its placement can see
/// (in gem5: physical frame layout, queue state carried over from earlier
/// windows). Window times leave out gem5's migration stalls. The in-sample
/// fit gives each window its group's mean gem5 time.
/// </summary>
public sealed record PlacementRepeatability
{
    /// <summary>Relative spread of a group's times above which the group counts as disagreeing.</summary>
    public const double SpreadThreshold = 0.05;

    /// <summary>(run, window) pairs compared.</summary>
    public required int Pairs { get; init; }

    /// <summary>Pairs whose placement at least one other run also had in that window.</summary>
    public required int Shared { get; init; }

    /// <summary>Shared pairs in groups whose gem5 times spread more than <see cref="SpreadThreshold"/> of their mean.</summary>
    public required int Disagreeing { get; init; }

    /// <summary>The group with the widest relative spread: its window and its runs' times, µs (null when no window repeats).</summary>
    public required (int Window, IReadOnlyList<(string Case, double Micros)> Runs)? Widest { get; init; }

    /// <summary>Per run: |Σ group means − gem5| / gem5 over the compared windows.</summary>
    public required IReadOnlyList<(string Case, double Error)> FitErrors { get; init; }

    /// <summary>Groups the windows of <paramref name="runs"/> by exact placement; only windows every run has are compared.</summary>
    public static PlacementRepeatability Of(IReadOnlyList<(string Case, WindowTrace Run)> runs)
    {
        var windows = runs.Count == 0 ? 0 : runs.Min(r => r.Run.Windows.Count);
        // Migration stalls are gem5's own cost of a policy's moves, not a property of the placement.
        var micros = runs.Select(r => r.Run.Windows.Take(windows)
            .Select(w => (w.Ticks - Math.Min(w.Ticks, w.MigrationTicks)) / r.Run.Header.TicksPerSecond * 1e6).ToArray()).ToArray();
        var fit = new double[runs.Count];
        int shared = 0, disagreeing = 0;
        (int Window, IReadOnlyList<(string, double)> Runs)? widest = null;
        var widestSpread = -1.0;
        for (var w = 0; w < windows; w++)
        {
            var groups = new Dictionary<string, List<int>>();
            for (var i = 0; i < runs.Count; i++)
            {
                var key = PlacementKey(runs[i].Run.Windows[w]);
                if (!groups.TryGetValue(key, out var members))
                {
                    groups[key] = members = [];
                }

                members.Add(i);
            }

            foreach (var members in groups.Values)
            {
                var times = members.Select(i => micros[i][w]).ToList();
                var mean = times.Average();
                foreach (var i in members)
                {
                    fit[i] += mean;
                }

                if (members.Count < 2)
                {
                    continue;
                }

                shared += members.Count;
                var spread = mean > 0 ? (times.Max() - times.Min()) / mean : 0;
                if (spread > SpreadThreshold)
                {
                    disagreeing += members.Count;
                }

                if (spread > widestSpread)
                {
                    widestSpread = spread;
                    widest = (w, members.Select(i => (runs[i].Case, micros[i][w])).OrderBy(x => x.Item2).ToList());
                }
            }
        }

        var errors = runs.Select((r, i) =>
        {
            var measured = micros[i].Sum();
            return (r.Case, measured > 0 ? Math.Abs(fit[i] - measured) / measured : 0);
        }).ToList();
        return new PlacementRepeatability
        {
            Pairs = runs.Count * windows,
            Shared = shared,
            Disagreeing = disagreeing,
            Widest = widest,
            FitErrors = errors,
        };
    }

    /// <summary>A digest of the window's sorted (page, node) pairs.</summary>
    private static string PlacementKey(TraceWindow w)
    {
        var order = Enumerable.Range(0, w.Pages.Length).OrderBy(i => w.Pages[i]).ToArray();
        var bytes = new byte[order.Length * 12];
        for (var k = 0; k < order.Length; k++)
        {
            BitConverter.TryWriteBytes(bytes.AsSpan(k * 12, 8), w.Pages[order[k]]);
            BitConverter.TryWriteBytes(bytes.AsSpan(k * 12 + 8, 4), w.Nodes[order[k]]);
        }

        return Convert.ToHexString(SHA256.HashData(bytes));
    }

    /// <summary>The paragraph windows.md prints.</summary>
    public string Markdown()
    {
        var inv = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        sb.Append(inv, $"Same placement, different time: in {Shared} of {Pairs} (run, window) pairs another run had exactly the same page placement in that window; ");
        sb.Append(inv, $"{Disagreeing} of them are in groups whose gem5 times differ by more than {SpreadThreshold * 100:F0}% of their mean.");
        if (Widest is { } g && g.Runs.Count > 1)
        {
            sb.Append(g.Runs.Count <= 4
                ? string.Create(inv, $" Widest: window {g.Window}, {string.Join(", ", g.Runs.Select(r => string.Create(inv, $"{r.Case} {r.Micros:F1} µs")))}.")
                : string.Create(inv, $" Widest: window {g.Window}, {g.Runs.Count} runs from {g.Runs[0].Case} {g.Runs[0].Micros:F1} µs to {g.Runs[^1].Case} {g.Runs[^1].Micros:F1} µs."));
        }

        if (FitErrors.Count > 0)
        {
            var worst = FitErrors.MaxBy(e => e.Error);
            sb.Append(inv, $" Giving each window the mean gem5 time of its placement group (an in-sample fit to these runs, not an estimator) leaves a mean error of "
                + $"{FitErrors.Average(e => e.Error) * 100:F2}% and a max of {worst.Error * 100:F2}% ({worst.Case}): that part of the error is not in the window's placement.");
        }

        return sb.ToString();
    }
}
