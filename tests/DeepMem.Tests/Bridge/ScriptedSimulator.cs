using System.Text.Json;
using DeepMem.Bridge;
using DeepMem.Experiments;
using Grpc.Net.Client;

namespace DeepMem.Tests.Bridge;

/// <summary>
/// Starts the real Python bridge server (deepmem.bridge.scripted) under
/// /usr/bin/python3 with a JSON script, and connects a channel to it.
/// </summary>
internal sealed class ScriptedSimulator : IAsyncDisposable
{
    private readonly string _dir;

    private ScriptedSimulator(string dir, BridgeProcess process, GrpcChannel channel)
    {
        _dir = dir;
        Process = process;
        Channel = channel;
    }

    public BridgeProcess Process { get; }

    public GrpcChannel Channel { get; }

    public string TranscriptPath => Path.Combine(_dir, "transcript.jsonl");

    public static string Python => "/usr/bin/python3";

    public static async Task<ScriptedSimulator> StartAsync(object script, params string[] extraArgs)
    {
        var root = RepoLocator.FindRoot(AppContext.BaseDirectory) ?? throw new InvalidOperationException("repo root not found");
        var dir = Directory.CreateTempSubdirectory("deepmem-scripted-").FullName;
        var scriptPath = Path.Combine(dir, "script.json");
        await File.WriteAllTextAsync(scriptPath, JsonSerializer.Serialize(script));
        var args = new List<string> { "-m", "deepmem.bridge.scripted", "--script", scriptPath, "--port", "0", "--transcript", Path.Combine(dir, "transcript.jsonl") };
        args.AddRange(extraArgs);
        var env = new Dictionary<string, string>(ProtoCache.Environment)
        {
            ["PYTHONPATH"] = Path.Combine(root, "gem5-patches", "python"),
        };
        var process = BridgeProcess.Start(Python, args, env);
        var port = await process.WaitForPortAsync(TimeSpan.FromSeconds(60), CancellationToken.None);
        var channel = BridgeChannel.Create(port);
        return new ScriptedSimulator(dir, process, channel);
    }

    public async Task<int?> WaitExitAsync()
    {
        await Process.WaitForExitAsync(TimeSpan.FromSeconds(30));
        return Process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        Channel.Dispose();
        await Process.DisposeAsync();
        try
        {
            Directory.Delete(_dir, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
