using System.Diagnostics;
using System.Globalization;

namespace DeepMem.Cli;

/// <summary>
/// Prints "file: expanding the sweep: done of total points" to stderr at
/// most once a second, starting a second in, so a small sweep prints nothing.
/// Synchronous (unlike <see cref="Progress{T}"/>): no line comes after loading ends.
/// </summary>
public sealed class SweepProgressLine(string file, TextWriter stderr) : IProgress<(int Done, long Total)>
{
    private static readonly TimeSpan Every = TimeSpan.FromSeconds(1);

    private readonly Stopwatch _clock = Stopwatch.StartNew();

    private TimeSpan _next = Every;

    /// <inheritdoc />
    public void Report((int Done, long Total) value)
    {
        if (_clock.Elapsed < _next)
        {
            return;
        }

        _next = _clock.Elapsed + Every;
        stderr.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{file}: expanding the sweep: {value.Done:N0} of {value.Total:N0} points"));
    }
}
