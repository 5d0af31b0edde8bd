using System.Diagnostics;
using System.Text;

namespace DeepMem.Experiments.Execution;

/// <summary>Runs a short external command with a deadline and captures its output.</summary>
public static class CommandLine
{
    /// <summary>Exit code, standard output and standard error of a finished command.</summary>
    public sealed record Outcome(int ExitCode, string Stdout, string Stderr)
    {
        /// <summary>Stderr, else stdout, trimmed: what to show when it failed.</summary>
        public string Message => (Stderr.Trim().Length > 0 ? Stderr : Stdout).Trim();
    }

    /// <summary>
    /// Runs <paramref name="file"/> with <paramref name="args"/>; kills it at
    /// <paramref name="timeout"/> (then exit code 124) or on cancellation.
    /// A program that is not found gives exit code 127.
    /// </summary>
    public static async Task<Outcome> RunAsync(string file, IEnumerable<string> args, TimeSpan timeout, CancellationToken ct)
    {
        var start = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var a in args)
        {
            start.ArgumentList.Add(a);
        }

        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException($"{file} did not start");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            return new Outcome(127, "", $"{file}: {e.Message}");
        }

        using (process)
        {
            process.StandardInput.Close();
            var stdout = new StringBuilder();
            var stderr = new StringBuilder();
            process.OutputDataReceived += (_, e) => { if (e.Data is not null) { lock (stdout) { stdout.AppendLine(e.Data); } } };
            process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { lock (stderr) { stderr.AppendLine(e.Data); } } };
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            using var limit = CancellationTokenSource.CreateLinkedTokenSource(ct);
            limit.CancelAfter(timeout);
            try
            {
                await process.WaitForExitAsync(limit.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                try
                {
                    process.Kill(entireProcessTree: true);
                }
                catch (InvalidOperationException)
                {
                    // already gone
                }

                ct.ThrowIfCancellationRequested();
                return new Outcome(124, stdout.ToString(), $"{file} did not finish within {timeout.TotalSeconds:F0} s");
            }

            process.WaitForExit(); // drains the output events
            return new Outcome(process.ExitCode, stdout.ToString(), stderr.ToString());
        }
    }

    /// <summary>True when <paramref name="program"/> is an executable on PATH (or a path to one).</summary>
    public static bool Exists(string program)
    {
        if (program.Contains('/', StringComparison.Ordinal))
        {
            return File.Exists(program);
        }

        return (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Any(dir => File.Exists(Path.Combine(dir, program)));
    }

    /// <summary>One argument quoted for a POSIX shell.</summary>
    public static string ShellQuote(string arg) =>
        arg.Length > 0 && arg.All(c => char.IsAsciiLetterOrDigit(c) || "-_./=:,+@%".Contains(c, StringComparison.Ordinal))
            ? arg
            : "'" + arg.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
}
