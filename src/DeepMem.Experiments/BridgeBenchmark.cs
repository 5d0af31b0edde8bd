using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using DeepMem.Bridge;
using DeepMem.Core;

namespace DeepMem.Experiments;

/// <summary>
/// Benchmarks of the live bridge: the round-trip time of an epoch exchange
/// (C# client against the real Python server, scripted simulator side), and
/// the host-time overhead of the bridge in a real gem5 run (same experiment
/// with and without the bridge, measured in one run of the command).
/// </summary>
public static class BridgeBenchmark
{
    /// <summary>
    /// Times epoch exchanges of <paramref name="pages"/> page counts: from one
    /// EpochEnded reaching the policy to the next (reply encode, transfer,
    /// the server applying it, building and sending the next event, decode).
    /// </summary>
    public static async Task<string> RoundTripAsync(string pythonPath, int pages = 10_000, int epochs = 200, CancellationToken ct = default)
    {
        var dir = Directory.CreateTempSubdirectory("deepmem-bench-").FullName;
        try
        {
            const ulong first = 0x100000;
            var events = new List<object>
            {
                new { region_created = new { region_id = 1, start_address = first * 4096, length_bytes = (ulong)pages * 4096, source = "mmap" } },
            };
            for (var i = 0; i < epochs; i++)
            {
                events.Add(new
                {
                    epoch_ended = new
                    {
                        epoch = i, start_tick = (ulong)i * 1_000_000_000, end_tick = (ulong)(i + 1) * 1_000_000_000,
                        epoch_instructions = 1_000_000, total_instructions = (ulong)(i + 1) * 1_000_000,
                        synthetic_pages = new { count = pages, first_page = first, node = 0, reads = 3 + i, writes = 1 },
                    },
                });
            }

            events.Add(new { finished = new { exit_code = 0, ticks = (ulong)epochs * 1_000_000_000, simulated_seconds = epochs * 1e-3, instructions = (ulong)epochs * 1_000_000 } });
            var script = new
            {
                machine = new
                {
                    simulator = "bench",
                    nodes = new object[]
                    {
                        new { id = 0, name = "dram", kind = "dram", capacity_bytes = 4L * pages * 4096 },
                        new { id = 1, name = "nvm", kind = "nvm", base_address = 1L << 40, capacity_bytes = 4L * pages * 4096 },
                    },
                },
                events,
            };
            var path = Path.Combine(dir, "script.json");
            await File.WriteAllTextAsync(path, JsonSerializer.Serialize(script), ct);
            await using var server = BridgeProcess.Start("/usr/bin/python3", ["-m", "deepmem.bridge.scripted", "--script", path, "--port", "0"],
                new Dictionary<string, string> { ["PYTHONPATH"] = pythonPath });
            var port = await server.WaitForPortAsync(TimeSpan.FromSeconds(60), ct);
            using var channel = BridgeChannel.Create(port);
            var policy = new StampingPolicy();
            var outcome = await CoSimulationClient.RunAsync(channel, policy, new SessionOptions(), null, null, ct);
            if (outcome.Status != RunStatus.Succeeded)
            {
                return $"bridge round trip: session failed: {outcome.FailureReason}\n{server.OutputTail}";
            }

            var gaps = policy.Stamps.Zip(policy.Stamps.Skip(1), (a, b) => (b - a) * 1e3 / Stopwatch.Frequency).Skip(10).Order().ToList();
            var inv = CultureInfo.InvariantCulture;
            return string.Create(inv,
                $"bridge round trip, EpochEnded with {pages} page counts + reply (C# client, Python grpcio server, {gaps.Count} exchanges): median {gaps[gaps.Count / 2]:F2} ms, p99 {gaps[(int)(gaps.Count * 0.99)]:F2} ms, min {gaps[0]:F2} ms");
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>
    /// Runs the experiment's workload in gem5 <paramref name="repetitions"/>
    /// times each way, alternating: with the bridge and a policy that does
    /// nothing, and without the bridge; epochs every <paramref name="epoch"/>
    /// instructions in both. Prints host times and the ratio.
    /// </summary>
    public static async Task<string> OverheadAsync(Experiment experiment, ulong epoch, int repetitions, CancellationToken ct)
    {
        var spec = experiment.Spec with { EpochInstructions = epoch };
        var binary = experiment.Gem5.ResolveBinary();
        if (string.IsNullOrEmpty(binary) || !File.Exists(binary))
        {
            return "bridge overhead: skipped (no gem5: set DEEPMEM_GEM5 or gem5.binary)";
        }

        var with = new List<double>();
        var without = new List<double>();
        var sb = new StringBuilder();
        var inv = CultureInfo.InvariantCulture;
        for (var i = 0; i < repetitions; i++)
        {
            var dir = Path.Combine(experiment.ResultsRoot, "bench-bridge", $"rep{i}");
            var live = await new Gem5Simulator(experiment.Gem5).RunAsync(spec with { OutputDir = Path.Combine(dir, "bridge") }, new NullPolicy(), null, ct);
            if (live.Status != RunStatus.Succeeded)
            {
                return $"bridge overhead: the bridged run failed: {live.FailureReason}\n{live.OutputTail}";
            }

            with.Add(live.HostSeconds);
            var args = (Gem5CommandLine.ForRun(experiment.Gem5, spec with { OutputDir = Path.Combine(dir, "plain") }) with { Bridge = null }).ToArguments();
            var clock = Stopwatch.StartNew();
            await using (var gem5 = BridgeProcess.Start(binary, args, ProcessContract.Environment(experiment.Gem5.PythonPath), spec.Workload.WorkingDir))
            {
                await gem5.WaitForExitAsync(experiment.Gem5.RunTimeout);
                if (gem5.ExitCode != 0)
                {
                    return $"bridge overhead: the plain run failed with code {gem5.ExitCode}\n{gem5.OutputTail}";
                }
            }

            without.Add(clock.Elapsed.TotalSeconds);
            sb.AppendLine(string.Create(inv, $"  rep {i}: with bridge {with[^1]:F2} s ({live.Epochs} epochs), without {without[^1]:F2} s"));
        }

        var ratio = with.Order().ElementAt(with.Count / 2) / without.Order().ElementAt(without.Count / 2);
        sb.Insert(0, string.Create(inv, $"bridge overhead on {experiment.Name}, epochs every {epoch} instructions, {repetitions} alternating runs each way:\n"));
        sb.AppendLine(string.Create(inv, $"  median host time with/without bridge: {ratio:F3} ({(ratio - 1) * 100:+0.0;-0.0}%)"));
        return sb.ToString();
    }

    private sealed class StampingPolicy : IPlacementPolicy
    {
        public List<long> Stamps { get; } = [];

        public void Initialize(Topology topology)
        {
        }

        public RegionPlacement PlaceRegion(Region region) => RegionPlacement.Default;

        public IReadOnlyList<PageMigration> OnEpoch(EpochReport report)
        {
            Stamps.Add(Stopwatch.GetTimestamp());
            return [];
        }
    }

    private sealed class NullPolicy : IPlacementPolicy
    {
        public void Initialize(Topology topology)
        {
        }

        public RegionPlacement PlaceRegion(Region region) => RegionPlacement.Default;

        public IReadOnlyList<PageMigration> OnEpoch(EpochReport report) => [];
    }
}
