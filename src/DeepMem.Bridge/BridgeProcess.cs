using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace DeepMem.Bridge;

/// <summary>
/// A child process that hosts the bridge server (gem5, or the scripted
/// simulator in tests): started, its announced port read from the
/// <c>DEEPMEM_BRIDGE_PORT=n</c> line, its output kept as a tail for error
/// messages, and its whole process tree killed on dispose. No path hangs.
/// </summary>
public sealed partial class BridgeProcess : IAsyncDisposable
{
    private const int TailLines = 60;
    private readonly Process _process;
    private readonly LinkedList<string> _tail = new();
    private readonly TaskCompletionSource<int> _port = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _exited = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Action<string>? _echo;

    private BridgeProcess(Process process, Action<string>? echo)
    {
        _process = process;
        _echo = echo;
    }

    /// <summary>The command line, quoted as a shell would need it.</summary>
    public string CommandLine { get; private init; } = "";

    /// <summary>Exit code once the process has exited.</summary>
    public int? ExitCode => _process.HasExited ? _process.ExitCode : null;

    /// <summary>Completes when the process exits.</summary>
    public Task Exited => _exited.Task;

    [GeneratedRegex("^" + ProcessContract.PortLinePrefix + @"(\d+)\s*$")]
    private static partial Regex PortLine();

    /// <summary>Starts <paramref name="fileName"/> with arguments and extra environment.</summary>
    public static BridgeProcess Start(string fileName, IEnumerable<string> args, IReadOnlyDictionary<string, string>? env = null,
        string? workingDir = null, Action<string>? echo = null)
    {
        var psi = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = workingDir ?? Directory.GetCurrentDirectory(),
        };
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        foreach (var (k, v) in env ?? new Dictionary<string, string>())
        {
            psi.Environment[k] = v;
        }

        var process = new Process { StartInfo = psi, EnableRaisingEvents = true };
        var bp = new BridgeProcess(process, echo)
        {
            CommandLine = string.Join(" ", new[] { fileName }.Concat(psi.ArgumentList).Select(Quote)),
        };
        process.OutputDataReceived += (_, e) => bp.OnLine(e.Data, stdout: true);
        process.ErrorDataReceived += (_, e) => bp.OnLine(e.Data, stdout: false);
        process.Exited += (_, _) => bp.OnExit();
        try
        {
            process.Start();
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException($"cannot start '{fileName}': {e.Message}", e);
        }

        process.StandardInput.Close();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return bp;
    }

    /// <summary>The last lines of the process's stdout and stderr.</summary>
    public string OutputTail
    {
        get
        {
            lock (_tail)
            {
                return string.Join("\n", _tail);
            }
        }
    }

    /// <summary>Waits for the port line; fails if the process exits first or the deadline passes.</summary>
    public async Task<int> WaitForPortAsync(TimeSpan deadline, CancellationToken ct)
    {
        var timeout = Task.Delay(deadline, ct);
        var done = await Task.WhenAny(_port.Task, _exited.Task, timeout);
        if (done == _port.Task)
        {
            return await _port.Task;
        }

        ct.ThrowIfCancellationRequested();
        if (done == _exited.Task)
        {
            // Let the last output lines arrive.
            _process.WaitForExit(2000);
            throw new BridgeStartException($"the simulator exited with code {_process.ExitCode} before it was ready", _process.ExitCode, OutputTail);
        }

        throw new BridgeStartException($"the simulator did not announce its port within {deadline.TotalSeconds:0.#} s", null, OutputTail);
    }

    /// <summary>Waits for exit up to <paramref name="deadline"/>; true when it exited.</summary>
    public async Task<bool> WaitForExitAsync(TimeSpan deadline)
    {
        var done = await Task.WhenAny(_exited.Task, Task.Delay(deadline));
        if (done == _exited.Task)
        {
            _process.WaitForExit();
            return true;
        }

        return false;
    }

    /// <summary>Kills the whole process tree if it still runs.</summary>
    public void Kill()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
            }
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        Kill();
        await WaitForExitAsync(TimeSpan.FromSeconds(10));
        _process.Dispose();
    }

    private void OnLine(string? line, bool stdout)
    {
        if (line is null)
        {
            return;
        }

        lock (_tail)
        {
            _tail.AddLast(line);
            while (_tail.Count > TailLines)
            {
                _tail.RemoveFirst();
            }
        }

        _echo?.Invoke(line);
        if (stdout && PortLine().Match(line) is { Success: true } m)
        {
            _port.TrySetResult(int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture));
        }
    }

    private void OnExit() => _exited.TrySetResult();

    private static string Quote(string s) =>
        s.Length > 0 && s.All(c => char.IsLetterOrDigit(c) || "-_./=:,+@%".Contains(c)) ? s : "'" + s.Replace("'", "'\\''") + "'";
}
