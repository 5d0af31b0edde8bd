using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using DeepMem.Core;

namespace DeepMem.Policies.BuiltIn;

/// <summary>
/// A Python agent as a placement policy, on every backend: the policy
/// starts <c>python3 -m deepmem_agents.policy_host --agent module:Class</c>
/// and talks to it in JSON lines over its stdin/stdout, one request and one
/// answer per policy call (docs/agents.md has the messages). The agent sees
/// the same observation and acts with the same actions as in the Python
/// env (deepmem_agents.features), so an agent trained in the env runs here
/// unchanged. Each call runs under the policy deadline like every policy's;
/// an agent that exits, answers garbage or reports an error fails the run
/// with its own words and the tail of its stderr. The process ends when
/// the policy is disposed (or its stdin closes).
/// </summary>
public sealed class PythonAgentPolicy : IPlacementPolicy, IDisposable
{
    private const int TailLines = 20;
    private readonly LinkedList<string> _stderr = new();
    private Process? _process;

    /// <summary>A policy for the agent the options name.</summary>
    public PythonAgentPolicy(PythonAgentOptions options)
    {
        Options = options;
    }

    /// <summary>The options in use.</summary>
    public PythonAgentOptions Options { get; }

    /// <inheritdoc />
    public void Initialize(Topology topology)
    {
        Start();
        var agentOptions = new JsonObject();
        foreach (var kv in Options.AgentOptions)
        {
            var eq = kv.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0)
            {
                throw new ArgumentException($"agent option '{kv}' is not key=value");
            }

            var value = kv[(eq + 1)..];
            JsonNode? parsed;
            try
            {
                parsed = JsonNode.Parse(value);
            }
            catch (JsonException)
            {
                parsed = JsonValue.Create(value);
            }

            agentOptions[kv[..eq]] = parsed;
        }

        Call(new JsonObject
        {
            ["call"] = "initialize",
            ["topology"] = new JsonObject
            {
                ["page_size"] = topology.PageSize,
                ["epoch_instructions"] = topology.EpochInstructions,
                ["ticks_per_second"] = topology.TicksPerSecond,
                ["nodes"] = new JsonArray(topology.Nodes.Select(n => (JsonNode)new JsonObject
                {
                    ["id"] = n.Id, ["name"] = n.Name, ["kind"] = n.Kind.ToString().ToLowerInvariant(),
                    ["capacity_pages"] = n.CapacityPages(topology.PageSize), ["read_latency_ns"] = n.ReadLatencyNs,
                    ["write_latency_ns"] = n.WriteLatencyNs, ["bandwidth_gbps"] = n.BandwidthGBps,
                }).ToArray()),
            },
            ["move_pages"] = Options.MovePages,
            ["hot_pages"] = Options.HotPages,
            ["options"] = agentOptions,
        });
    }

    /// <inheritdoc />
    public RegionPlacement PlaceRegion(Region region)
    {
        var answer = Call(new JsonObject
        {
            ["call"] = "place_region",
            ["region"] = new JsonObject { ["id"] = region.Id, ["start"] = region.Start, ["length"] = region.Length, ["source"] = region.Source.ToString().ToLowerInvariant() },
        });
        if (answer["placement"] is not JsonObject p)
        {
            return RegionPlacement.Default;
        }

        var mode = p["mode"]?.GetValue<string>() ?? "default";
        var nodes = (p["nodes"] as JsonArray)?.Select(x => x!.GetValue<int>()).ToList() ?? [];
        var weights = (p["weights"] as JsonArray)?.Select(x => x!.GetValue<int>()).ToList() ?? [];
        return mode switch
        {
            "default" => RegionPlacement.Default,
            "bind" => new RegionPlacement(PlacementMode.Bind, nodes, []),
            "preferred" => new RegionPlacement(PlacementMode.Preferred, nodes, []),
            "interleave" => new RegionPlacement(PlacementMode.Interleave, nodes, weights),
            _ => throw new InvalidDataException($"the agent answered placement mode '{mode}' (expected default, bind, preferred or interleave)"),
        };
    }

    /// <inheritdoc />
    public IReadOnlyList<PageMigration> OnEpoch(EpochReport report)
    {
        var answer = Call(new JsonObject
        {
            ["call"] = "on_epoch",
            ["epoch"] = new JsonObject
            {
                ["epoch"] = report.Epoch, ["start_tick"] = report.StartTick, ["end_tick"] = report.EndTick,
                ["rejected"] = report.RejectedMigrations.Count,
                ["nodes"] = new JsonArray(report.Nodes.Select(n => (JsonNode)new JsonObject
                {
                    ["node"] = n.Node, ["reads"] = n.Reads, ["writes"] = n.Writes, ["avg_read_latency_ns"] = n.AvgReadLatencyNs,
                    ["resident_pages"] = n.ResidentPages, ["free_pages"] = n.FreePages,
                }).ToArray()),
                ["pages"] = new JsonObject
                {
                    ["page_numbers"] = JsonSerializer.SerializeToNode(report.Pages.PageNumbers),
                    ["reads"] = JsonSerializer.SerializeToNode(report.Pages.Reads),
                    ["writes"] = JsonSerializer.SerializeToNode(report.Pages.Writes),
                    ["nodes"] = JsonSerializer.SerializeToNode(report.Pages.Nodes),
                },
            },
        });
        if (answer["migrations"] is not JsonArray list)
        {
            throw new InvalidDataException("the agent's on_epoch answer has no 'migrations' list");
        }

        return list.Select(m => m is JsonArray { Count: 2 } pair
                ? new PageMigration(pair[0]!.GetValue<ulong>(), pair[1]!.GetValue<int>())
                : throw new InvalidDataException($"migration {m?.ToJsonString()} is not [page, node]"))
            .ToList();
    }

    /// <summary>Closes the agent's stdin and ends its process.</summary>
    public void Dispose()
    {
        var p = _process;
        _process = null;
        if (p is null)
        {
            return;
        }

        try
        {
            p.StandardInput.Close();
            if (!p.WaitForExit(2000))
            {
                p.Kill(entireProcessTree: true);
            }
        }
        catch (Exception e) when (e is InvalidOperationException or IOException)
        {
        }

        p.Dispose();
    }

    private void Start()
    {
        Dispose();
        var psi = new ProcessStartInfo(Options.Python)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in new[] { "-u", "-m", "deepmem_agents.policy_host", "--agent", Options.Agent })
        {
            psi.ArgumentList.Add(a);
        }

        var paths = Options.PythonPath.Split(':', StringSplitOptions.RemoveEmptyEntries).Select(Path.GetFullPath).ToList();
        if (PackageFolder() is { } package)
        {
            paths.Add(package);
        }

        var existing = Environment.GetEnvironmentVariable("PYTHONPATH");
        psi.Environment["PYTHONPATH"] = string.Join(':', paths.Concat(string.IsNullOrEmpty(existing) ? [] : [existing]));
        try
        {
            _process = Process.Start(psi) ?? throw new InvalidOperationException($"cannot start {Options.Python}");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException($"cannot start the agent's interpreter '{Options.Python}': {e.Message}", e);
        }

        _process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                return;
            }

            lock (_stderr)
            {
                _stderr.AddLast(e.Data);
                if (_stderr.Count > TailLines)
                {
                    _stderr.RemoveFirst();
                }
            }
        };
        _process.BeginErrorReadLine();
    }

    private JsonObject Call(JsonObject request)
    {
        var p = _process ?? throw new InvalidOperationException("the agent was not initialised");
        string? line;
        try
        {
            p.StandardInput.WriteLine(request.ToJsonString());
            p.StandardInput.Flush();
            line = p.StandardOutput.ReadLine();
        }
        catch (IOException e)
        {
            throw Died($"the agent's pipe broke ({e.Message})");
        }

        if (line is null)
        {
            throw Died("the agent process ended");
        }

        JsonObject answer;
        try
        {
            answer = JsonNode.Parse(line) as JsonObject ?? throw new JsonException("not an object");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"the agent answered a line that is not a JSON object ({e.Message}): {Short(line)}");
        }

        if (answer["error"] is { } error)
        {
            throw new InvalidOperationException($"the agent failed: {error}");
        }

        return answer;
    }

    private InvalidOperationException Died(string what)
    {
        var p = _process!;
        var code = p.WaitForExit(2000) ? $"exit code {p.ExitCode}" : "still running";
        string tail;
        lock (_stderr)
        {
            tail = string.Join(" | ", _stderr.Where(l => l.Trim().Length > 0).TakeLast(6));
        }

        return new InvalidOperationException($"{what} ({code}): {(tail.Length > 0 ? tail : "no output on stderr")}");
    }

    private static string Short(string s) => s.Length <= 200 ? s : s[..197] + "...";

    /// <summary>python/deepmem_agents of the repository this tool was built in, found above the binary.</summary>
    private static string? PackageFolder()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "python", "deepmem_agents");
            if (Directory.Exists(Path.Combine(candidate, "deepmem_agents")))
            {
                return candidate;
            }
        }

        return null;
    }
}
