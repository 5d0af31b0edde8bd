/*
 * Copyright (c) 2026 The DeepMem.Gem5 authors
 * All rights reserved.
 *
 * Redistribution and use in source and binary forms, with or without
 * modification, are permitted provided that the following conditions are
 * met: redistributions of source code must retain the above copyright
 * notice, this list of conditions and the following disclaimer;
 * redistributions in binary form must reproduce the above copyright
 * notice, this list of conditions and the following disclaimer in the
 * documentation and/or other materials provided with the distribution;
 * neither the name of the copyright holders nor the names of its
 * contributors may be used to endorse or promote products derived from
 * this software without specific prior written permission.
 *
 * THIS SOFTWARE IS PROVIDED BY THE COPYRIGHT HOLDERS AND CONTRIBUTORS
 * "AS IS" AND ANY EXPRESS OR IMPLIED WARRANTIES, INCLUDING, BUT NOT
 * LIMITED TO, THE IMPLIED WARRANTIES OF MERCHANTABILITY AND FITNESS FOR
 * A PARTICULAR PURPOSE ARE DISCLAIMED. IN NO EVENT SHALL THE COPYRIGHT
 * OWNER OR CONTRIBUTORS BE LIABLE FOR ANY DIRECT, INDIRECT, INCIDENTAL,
 * SPECIAL, EXEMPLARY, OR CONSEQUENTIAL DAMAGES (INCLUDING, BUT NOT
 * LIMITED TO, PROCUREMENT OF SUBSTITUTE GOODS OR SERVICES; LOSS OF USE,
 * DATA, OR PROFITS; OR BUSINESS INTERRUPTION) HOWEVER CAUSED AND ON ANY
 * THEORY OF LIABILITY, WHETHER IN CONTRACT, STRICT LIABILITY, OR TORT
 * (INCLUDING NEGLIGENCE OR OTHERWISE) ARISING IN ANY WAY OUT OF THE USE
 * OF THIS SOFTWARE, EVEN IF ADVISED OF THE POSSIBILITY OF SUCH DAMAGE.
 */

/**
 * @file
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
