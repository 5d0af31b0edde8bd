/*
 * DeepMem.Gem5: per-page access counter of one node (memory side) or of
 * the CPU's data accesses (lines touched).
 */

#include "deepmem/deepmem_page_probe.hh"

#include "base/logging.hh"

namespace gem5
{

DeepMemPageProbe::DeepMemPageProbe(const Params &p)
    : BaseMemProbe(p), numa(p.numa), node(p.node), cpuSide(p.cpu_side)
{
    fatal_if(!numa, "DeepMemPageProbe: no numa object");
    fatal_if(node < 0 || node >= numa->numNodes(),
             "DeepMemPageProbe: node %d out of range (nodes: %d)", node,
             numa->numNodes());
}

void
DeepMemPageProbe::handleRequest(const probing::PacketInfo &pkt_info)
{
    if (cpuSide)
        numa->recordTouch(pkt_info.addr);
    else
        numa->recordAccess(node, pkt_info.addr, pkt_info.cmd.isWrite());
}

} // namespace gem5
