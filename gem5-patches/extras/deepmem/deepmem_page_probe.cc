/*
 * DeepMem.Gem5: memory-side per-page access counter of one node.
 */

#include "deepmem/deepmem_page_probe.hh"

#include "base/logging.hh"

namespace gem5
{

DeepMemPageProbe::DeepMemPageProbe(const Params &p)
    : BaseMemProbe(p), numa(p.numa), node(p.node)
{
    fatal_if(!numa, "DeepMemPageProbe: no numa object");
    fatal_if(node < 0 || node >= numa->numNodes(),
             "DeepMemPageProbe: node %d out of range (nodes: %d)", node,
             numa->numNodes());
}

void
DeepMemPageProbe::handleRequest(const probing::PacketInfo &pkt_info)
{
    numa->recordAccess(node, pkt_info.addr, pkt_info.cmd.isWrite());
}

} // namespace gem5
