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
