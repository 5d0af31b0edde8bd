/*
 * DeepMem.Gem5: memory-side per-page access counter of one node.
 */

#ifndef __DEEPMEM_DEEPMEM_PAGE_PROBE_HH__
#define __DEEPMEM_DEEPMEM_PAGE_PROBE_HH__

#include "deepmem/deepmem_numa.hh"
#include "mem/probes/base.hh"
#include "params/DeepMemPageProbe.hh"

namespace gem5
{

/**
 * Listens to the PktRequest probe of a CommMonitor placed in front of one
 * node's controller and counts the requests it accepted, per page, as the
 * controller counts them (writes as writes, everything else as reads).
 * With cpu_side it sits in front of the L1 data cache instead and notes
 * the cache lines the CPU touches per page.
 */
class DeepMemPageProbe : public BaseMemProbe
{
  public:
    PARAMS(DeepMemPageProbe);
    DeepMemPageProbe(const Params &p);

  protected:
    void handleRequest(const probing::PacketInfo &pkt_info) override;

  private:
    DeepMemNuma *numa;
    int node;
    bool cpuSide;
};

} // namespace gem5

#endif // __DEEPMEM_DEEPMEM_PAGE_PROBE_HH__
