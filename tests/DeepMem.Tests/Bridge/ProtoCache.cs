using System.Diagnostics;
using DeepMem.Experiments;

namespace DeepMem.Tests.Bridge;

/// <summary>
/// One compiled copy of protos/deepmem.proto for the whole test process:
/// the first bridge server a test starts compiles it (through
/// deepmem.bridge.protocol, as gem5 does) into a folder every later server
/// reuses, instead of a fresh folder and a protoc run per test. protoc is
/// reached through a wrapper that counts compilations, so a test can see
/// that there was one.
/// </summary>
internal static class ProtoCache
{
    private static readonly Lazy<Paths> Shared = new(Create, LazyThreadSafetyMode.ExecutionAndPublication);

    private sealed record Paths(string Root, string Cache, string Protoc, string Count);

    /// <summary>The environment a Python bridge process needs to use the shared copy.</summary>
    public static IReadOnlyDictionary<string, string> Environment => new Dictionary<string, string>
    {
        ["DEEPMEM_PROTO_CACHE"] = Shared.Value.Cache,
        ["DEEPMEM_PROTOC"] = Shared.Value.Protoc,
    };

    /// <summary>The same as shell assignments, for a script that starts the server itself.</summary>
    public static string ShellExports => string.Concat(Environment.Select(kv => $"export {kv.Key}='{kv.Value}'\n"));

    /// <summary>Times protoc compiled the .proto in this process (not counting version queries).</summary>
    public static int Compilations => File.Exists(Shared.Value.Count) ? File.ReadAllLines(Shared.Value.Count).Length : 0;

    private static Paths Create()
    {
        var root = Directory.CreateTempSubdirectory("deepmem-proto-tests-").FullName;
        var protoc = System.Environment.GetEnvironmentVariable("DEEPMEM_PROTOC") is { Length: > 0 } given ? given : Which("protoc");
        var count = Path.Combine(root, "compilations");
        var wrapper = Path.Combine(root, "protoc");
        File.WriteAllText(wrapper, $"#!/bin/sh\ncase \"$1\" in --version) ;; *) echo \"$$\" >> '{count}' ;; esac\nexec '{protoc}' \"$@\"\n");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(wrapper, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        var paths = new Paths(root, Path.Combine(root, "cache"), wrapper, count);
        Compile(paths);
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            try
            {
                Directory.Delete(root, recursive: true);
            }
            catch (IOException)
            {
            }
        };
        return paths;
    }

    /// <summary>Compiles once, before any server starts, so that parallel tests never race to compile.</summary>
    private static void Compile(Paths paths)
    {
        var repo = RepoLocator.FindRoot(AppContext.BaseDirectory) ?? throw new InvalidOperationException("repo root not found");
        var psi = new ProcessStartInfo(ScriptedSimulator.Python)
        {
            ArgumentList =
            {
                "-c", "import sys; from pathlib import Path; from deepmem.bridge import protocol; "
                      + "protocol.generate(protocol.default_proto_path(), Path(sys.argv[1]))",
                paths.Cache,
            },
            RedirectStandardError = true,
            RedirectStandardOutput = true,
        };
        psi.Environment["PYTHONPATH"] = Path.Combine(repo, "gem5-patches", "python");
        psi.Environment["DEEPMEM_PROTOC"] = paths.Protoc;
        using var p = Process.Start(psi)!;
        var stderr = p.StandardError.ReadToEndAsync();
        p.StandardOutput.ReadToEnd();
        if (!p.WaitForExit(TimeSpan.FromMinutes(2)) || p.ExitCode != 0)
        {
            throw new InvalidOperationException($"compiling protos/deepmem.proto failed: {stderr.Result}");
        }
    }

    private static string Which(string exe) =>
        (System.Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator)
        .Select(d => Path.Combine(d, exe)).FirstOrDefault(File.Exists)
        ?? throw new InvalidOperationException($"{exe} not found on PATH (Debian package protobuf-compiler)");
}
