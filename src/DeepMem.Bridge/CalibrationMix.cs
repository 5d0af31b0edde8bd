using System.Globalization;
using DeepMem.Core;

namespace DeepMem.Bridge;

/// <summary>
/// The mix of a calibration run: every page interleaved over the two nodes,
/// <see cref="Node0"/> pages on node 0 for every <see cref="Node1"/> on
/// node 1 (reduced, so 2:2 is 1:1). 1:1 is the calibration run
/// (<c>calibration.trace.jsonl.gz</c>); another mix a:b is the run
/// <c>calibration-a-b</c>. More mixes let the estimator's calibrated window
/// formula follow curves that one point cannot pin down (docs/estimator.md).
/// </summary>
public readonly record struct CalibrationMix
{
    /// <summary>A mix of <paramref name="node0"/>:<paramref name="node1"/>, both at least 1.</summary>
    public CalibrationMix(int node0, int node1)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(node0, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(node1, 1);
        var g = Gcd(node0, node1);
        (Node0, Node1) = (node0 / g, node1 / g);
    }

    /// <summary>1:1, the calibration run.</summary>
    public static CalibrationMix Even { get; } = new(1, 1);

    /// <summary>Pages on node 0 per round of the interleave.</summary>
    public int Node0 { get; }

    /// <summary>Pages on node 1 per round of the interleave.</summary>
    public int Node1 { get; }

    /// <summary>True for 1:1.</summary>
    public bool IsEven => Node0 == Node1;

    /// <summary>The run's name: <c>calibration</c> for 1:1, else <c>calibration-a-b</c>.</summary>
    public string Run => IsEven ? TraceRecorder.CalibrationRun : $"{TraceRecorder.CalibrationRun}-{Node0}-{Node1}";

    /// <summary>The run's trace file in a trace folder.</summary>
    public string FileName => TraceRecorder.TraceFileName(Run);

    /// <summary>The placement of every region: interleave over nodes 0 and 1, weighted unless 1:1.</summary>
    public RegionPlacement Placement => IsEven ? RegionPlacement.Interleave([0, 1]) : RegionPlacement.Interleave([0, 1], [Node0, Node1]);

    /// <summary>Reads <c>a:b</c> (positive whole numbers, each at most 64).</summary>
    public static bool TryParse(string text, out CalibrationMix mix)
    {
        mix = default;
        var parts = text.Split(':');
        if (parts.Length == 2
            && int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var a)
            && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var b)
            && a is >= 1 and <= MaxWeight && b is >= 1 and <= MaxWeight)
        {
            mix = new CalibrationMix(a, b);
            return true;
        }

        return false;
    }

    /// <summary>Largest weight a mix may give a node.</summary>
    public const int MaxWeight = 64;

    /// <inheritdoc />
    public override string ToString() => $"{Node0}:{Node1}";

    private static int Gcd(int a, int b) => b == 0 ? a : Gcd(b, a % b);
}
