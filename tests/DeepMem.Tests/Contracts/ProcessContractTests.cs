using System.Text.Json;
using DeepMem.Bridge;

namespace DeepMem.Tests.Contracts;

/// <summary>
/// The process contract (header of protos/deepmem.proto): the gem5 side's
/// constants (deepmem.contract, under /usr/bin/python3) and the C# side's
/// (<see cref="ProcessContract"/>) agree, and the proto's header names them.
/// </summary>
public class ProcessContractTests
{
    [Fact]
    public void Both_sides_name_the_port_line_token_ticket_result_file_and_exit_codes_alike()
    {
        var py = JsonDocument.Parse(PythonSide.Run(["-c",
            "import json; from deepmem import contract as c; print(json.dumps({k: v for k, v in vars(c).items() if k.isupper()}))"])).RootElement;

        Assert.Equal(ProcessContract.PortLinePrefix, py.GetProperty("PORT_LINE_PREFIX").GetString());
        Assert.Equal(ProcessContract.TokenVariable, py.GetProperty("TOKEN_ENV").GetString());
        Assert.Equal(ProcessContract.TicketKey, py.GetProperty("TICKET_KEY").GetString());
        Assert.Equal(ProcessContract.ResultFile, py.GetProperty("RESULT_FILE").GetString());
        Assert.Equal(ProcessContract.SignalExitBase, py.GetProperty("SIGNAL_EXIT_BASE").GetInt32());
        Assert.Equal(ProcessContract.FailedExit, py.GetProperty("FAILED_EXIT").GetInt32());
        Assert.Equal(ProcessContract.UsageExit, py.GetProperty("USAGE_EXIT").GetInt32());
    }

    [Fact]
    public void The_bridge_server_announces_its_port_with_the_contract_prefix()
    {
        var prefix = PythonSide.Run(["-c", "from deepmem.bridge import server; print(server.PORT_LINE_PREFIX)"]).Trim();
        Assert.Equal(ProcessContract.PortLinePrefix, prefix);
    }

    [Fact]
    public void The_proto_header_documents_the_process_contract()
    {
        var proto = File.ReadAllText(Path.Combine(PythonSide.Root, "protos", "deepmem.proto"));
        var header = proto[..proto.IndexOf("syntax = ", StringComparison.Ordinal)];
        foreach (var name in new[] { ProcessContract.PortLinePrefix, ProcessContract.TokenVariable, ProcessContract.PythonPathVariable, ProcessContract.TicketKey, ProcessContract.ResultFile, "128 + signal", "deepmem_se.py" })
        {
            Assert.Contains(name, header);
        }
    }
}
