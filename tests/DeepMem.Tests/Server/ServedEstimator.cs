using DeepMem.Bridge;
using DeepMem.Experiments;
using DeepMem.Server;
using Grpc.Net.Client;

namespace DeepMem.Tests.Server;

/// <summary>
/// The estimator's deepmem.v1 server (<see cref="EstimatorServer"/>, real
/// Kestrel on a loopback port) serving the quick-start experiment's traces
/// (configs/traces/cg-ddr-nvm), in this process.
/// </summary>
internal sealed class ServedEstimator : IAsyncDisposable
{
    private readonly CancellationTokenSource _cts;

    private ServedEstimator(CancellationTokenSource cts, Task<IReadOnlyList<SessionSummary>> run, GrpcChannel channel, int port, List<string> log)
    {
        _cts = cts;
        Run = run;
        Channel = channel;
        Port = port;
        Log = log;
    }

    public Task<IReadOnlyList<SessionSummary>> Run { get; }

    public GrpcChannel Channel { get; }

    public int Port { get; }

    public List<string> Log { get; }

    public static Experiment Quickstart(ulong epochInstructions = 1_000_000)
    {
        var root = RepoLocator.FindRoot(AppContext.BaseDirectory) ?? throw new InvalidOperationException("repo root not found");
        var loaded = ExperimentLoader.LoadFile(Path.Combine(root, "configs", "experiments", "quickstart.yaml"));
        Assert.True(loaded.Ok, string.Join("\n", loaded.Problems));
        var e = loaded.Experiments[0];
        return e with { Spec = e.Spec with { EpochInstructions = epochInstructions } };
    }

    public static async Task<ServedEstimator> StartAsync(ServeOptions? options = null, Experiment? experiment = null)
    {
        var log = new List<string>();
        var server = EstimatorServer.FromExperiment(experiment ?? Quickstart(), options ?? new ServeOptions(), line =>
        {
            lock (log)
            {
                log.Add(line);
            }
        });
        var announce = new PortLine();
        var cts = new CancellationTokenSource();
        var run = Task.Run(() => server.RunAsync(announce, cts.Token));
        var port = await announce.Port.Task.WaitAsync(TimeSpan.FromSeconds(30));
        var host = options?.Host is { } h && h != "0.0.0.0" ? h : "127.0.0.1";
        return new ServedEstimator(cts, run, BridgeChannel.Create(port, host), port, log);
    }

    public async Task<IReadOnlyList<SessionSummary>> WaitDoneAsync() => await Run.WaitAsync(TimeSpan.FromSeconds(60));

    public async ValueTask DisposeAsync()
    {
        Channel.Dispose();
        await _cts.CancelAsync();
        try
        {
            await Run.WaitAsync(TimeSpan.FromSeconds(30));
        }
        catch (Exception e) when (e is TimeoutException or OperationCanceledException)
        {
        }

        _cts.Dispose();
    }

    /// <summary>Catches the DEEPMEM_BRIDGE_PORT=n line.</summary>
    private sealed class PortLine : StringWriter
    {
        public TaskCompletionSource<int> Port { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public override Task WriteLineAsync(string? value)
        {
            if (value?.StartsWith(EstimatorServer.PortLinePrefix, StringComparison.Ordinal) == true)
            {
                Port.TrySetResult(int.Parse(value[EstimatorServer.PortLinePrefix.Length..], System.Globalization.CultureInfo.InvariantCulture));
            }

            return Task.CompletedTask;
        }
    }
}
