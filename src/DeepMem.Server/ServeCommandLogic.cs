using DeepMem.Experiments;

namespace DeepMem.Server;

/// <summary>
/// <c>deepmem serve &lt;experiment&gt;</c>: load the experiment, serve its
/// estimator as a deepmem.v1 simulator, report each session on stderr.
/// Exit codes: 0 every session ran to Finished, 1 one ended Failed (or
/// stopped without a result), 2 bad input, 130 interrupted.
/// </summary>
public static class ServeCommandLogic
{
    /// <summary>Runs the verb; <paramref name="tokenFile"/> (first line) overrides <see cref="ServeOptions.TokenEnv"/>.</summary>
    public static async Task<int> ExecuteAsync(string file, int point, string? tokenFile, ServeOptions options, TextWriter stdout, TextWriter stderr, CancellationToken ct,
        bool gem5Command = false)
    {
        void Log(string line) => stderr.WriteLine($"deepmem-serve: {line.ReplaceLineEndings(" ")}");

        var token = Environment.GetEnvironmentVariable(ServeOptions.TokenEnv) ?? "";
        if (!string.IsNullOrEmpty(tokenFile))
        {
            try
            {
                token = (await File.ReadAllLinesAsync(tokenFile, ct).ConfigureAwait(false)).FirstOrDefault()?.Trim() ?? "";
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                Log($"error: cannot read token file {tokenFile}: {e.Message}");
                return 2;
            }
        }

        options = options with { Token = token };
        var loaded = ExperimentLoader.LoadFile(file, new LoadOptions { CheckBackendFiles = false }, ct);
        foreach (var p in loaded.Problems)
        {
            stderr.WriteLine(p);
        }

        if (!loaded.Ok)
        {
            return 2;
        }

        if (point < 0 || point >= loaded.Experiments.Count)
        {
            Log($"error: --point {point} is out of range: {file} has {loaded.Experiments.Count} point(s), 0..{loaded.Experiments.Count - 1}");
            return 2;
        }

        var experiment = loaded.Experiments[point];
        if (gem5Command)
        {
            return Gem5Command(experiment, options, stdout, Log);
        }

        EstimatorServer server;
        try
        {
            server = EstimatorServer.FromExperiment(experiment, options, Log);
        }
        catch (ServeException e)
        {
            Log($"error: {e.Message}");
            return 2;
        }

        Log($"{experiment.Name}{(loaded.Experiments.Count > 1 ? $" point {point} ({experiment.PointId}; the policy of the point is not used: the controller decides)" : "")}: " +
            $"estimator over {experiment.Estimator.TraceDir}");
        IReadOnlyList<SessionSummary> sessions;
        try
        {
            sessions = await server.RunAsync(stdout, ct).ConfigureAwait(false);
        }
        catch (ServeException e)
        {
            Log($"error: {e.Message}");
            return 2;
        }

        var failed = false;
        foreach (var (s, i) in sessions.Select((s, i) => (s, i + 1)))
        {
            var how = s.Final.Finished is { } f
                ? $"finished: {f.SimulatedSeconds * 1e3:0.###} ms simulated, {f.Instructions} instructions, {f.MigratedPages} pages migrated"
                : $"failed: {s.Final.Failed.Reason}";
            failed |= s.Final.Failed is not null;
            Log($"session {i} {how}; {s.EventsSent} messages, {s.Replies} replies, {s.Rejections} rejected items" +
                (s.Mode == "controller" ? "" : $"; fallback '{s.Mode}': {s.FallbackReason}"));
        }

        return ct.IsCancellationRequested ? 130 : failed ? 1 : 0;
    }

    /// <summary>
    /// Prints, as one JSON object, how to start gem5 for the experiment as a
    /// deepmem.v1 simulator for an outside controller (argv, env, cwd): the
    /// command line <c>deepmem run</c> uses (configs/gem5/deepmem_se.py
    /// with <c>--controller grpc</c>), its output folder made.
    /// </summary>
    private static int Gem5Command(Experiment experiment, ServeOptions options, TextWriter stdout, Action<string> log)
    {
        var binary = experiment.Gem5.ResolveBinary();
        if (string.IsNullOrEmpty(binary) || !File.Exists(binary))
        {
            log(string.IsNullOrEmpty(binary)
                ? "error: no gem5 binary: set gem5.binary in the experiment or DEEPMEM_GEM5 to a gem5.opt built with gem5-patches"
                : $"error: gem5 binary '{binary}' does not exist");
            return 2;
        }

        var gem5 = experiment.Gem5 with { ReplyDeadline = options.ReplyTimeout, Fallback = options.Fallback == "stop" ? Bridge.FallbackMode.Stop : Bridge.FallbackMode.Default };
        var spec = experiment.Spec with { OutputDir = Path.Combine(experiment.Spec.OutputDir, "agent-" + Environment.ProcessId) };
        Directory.CreateDirectory(spec.OutputDir);
        var env = new Dictionary<string, string> { ["PYTHONPATH"] = gem5.PythonPath };
        var argv = new List<string> { binary };
        argv.AddRange(new Bridge.Gem5Simulator(gem5).Arguments(spec));
        stdout.WriteLine(System.Text.Json.JsonSerializer.Serialize(new { argv, env, cwd = spec.Workload.WorkingDir, output_dir = spec.OutputDir }));
        return 0;
    }
}
