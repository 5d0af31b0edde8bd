using System.Diagnostics;
using DeepMem.Experiments;

namespace DeepMem.Tests.Contracts;

/// <summary>
/// Runs the gem5 side's Python package (gem5-patches/python) under
/// /usr/bin/python3, without gem5, for the tests that check a gem5/C#
/// contract from both ends.
/// </summary>
internal static class PythonSide
{
    public const string Python = "/usr/bin/python3";

    public static string Root { get; } = RepoLocator.FindRoot(AppContext.BaseDirectory) ?? throw new InvalidOperationException("repo root not found");

    public static string PackagePath => Path.Combine(Root, "gem5-patches", "python");

    /// <summary>Runs python3 with <paramref name="args"/>; fails the test with stderr when it exits non-zero.</summary>
    public static string Run(IEnumerable<string> args, string? stdin = null)
    {
        var psi = new ProcessStartInfo(Python)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        psi.Environment["PYTHONPATH"] = PackagePath;
        psi.Environment["PYTHONDONTWRITEBYTECODE"] = "1";
        using var p = Process.Start(psi) ?? throw new InvalidOperationException("python3 did not start");
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        p.StandardInput.Write(stdin ?? "");
        p.StandardInput.Close();
        if (!p.WaitForExit(TimeSpan.FromSeconds(120)))
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException($"python3 {string.Join(' ', psi.ArgumentList)} ran past 120 s");
        }

        if (p.ExitCode != 0)
        {
            throw new InvalidOperationException($"python3 {string.Join(' ', psi.ArgumentList)} exited with {p.ExitCode}:\n{stderr.Result}");
        }

        return stdout.Result;
    }
}
