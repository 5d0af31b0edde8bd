using System.ComponentModel.DataAnnotations;
using DeepMem.Core;

namespace DeepMem.Policies.BuiltIn;

/// <summary>Options of <see cref="PythonAgentPolicy"/>.</summary>
public sealed class PythonAgentOptions
{
    /// <summary>The agent: a module:Class path (run by deepmem_agents.policy_host).</summary>
    [PolicyOption("the agent, as module:Class (e.g. deepmem_agents.agents:HotPromote), run by 'python3 -m deepmem_agents.policy_host'")]
    [Required(ErrorMessage = "option 'agent' is required: module:Class of the Python agent (e.g. deepmem_agents.agents:HotPromote)")]
    public string Agent { get; set; } = "";

    /// <summary>Options handed to the agent's constructor, each "key=value".</summary>
    [PolicyOption("options for the agent's constructor, each key=value (values parsed as JSON when they can be, else strings)")]
    public List<string> AgentOptions { get; set; } = [];

    /// <summary>The Python interpreter.</summary>
    [PolicyOption("Python interpreter (>= 3.11, with grpcio and protobuf; torch for torch agents)")]
    public string Python { get; set; } = "/usr/bin/python3";

    /// <summary>Folders prepended to PYTHONPATH (the agent's own code), ':'-separated; python/deepmem_agents of the repository is always added.</summary>
    [PolicyOption("folders (':'-separated) prepended to PYTHONPATH for the agent's own modules; python/deepmem_agents of the repository is always on it")]
    public string PythonPath { get; set; } = "";

    /// <summary>Pages moved by one migration action.</summary>
    [PolicyOption("pages one action moves (the agent's move_pages)")]
    [Range(1, 1 << 20)]
    public int MovePages { get; set; } = 32;

    /// <summary>Hottest pages in the observation.</summary>
    [PolicyOption("hottest pages summarised in the observation (the agent's hot_pages)")]
    [Range(1, 4096)]
    public int HotPages { get; set; } = 16;
}
