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
 * DeepMem.Gem5: the controller's Python API (exported with
 * PyBindMethod in DeepMemNuma.py) that acts on the running process:
 * new regions, region policies, migrations, the node of a page.
 */

#include <cerrno>

#include "base/cprintf.hh"
#include "base/intmath.hh"
#include "base/trace.hh"
#include "debug/DeepMem.hh"
#include "deepmem/deepmem_numa.hh"
#include "mem/page_table.hh"
#include "sim/process.hh"

namespace gem5
{

std::vector<std::tuple<uint64_t, uint64_t, uint64_t, std::string>>
DeepMemNuma::takeRegions()
{
    auto out = std::move(newRegions);
    newRegions.clear();
    return out;
}

std::string
DeepMemNuma::setRegionPolicy(uint64_t start, uint64_t length,
                             const std::string &mode,
                             const std::vector<int> &nodes,
                             const std::vector<unsigned> &weights)
{
    if (!mainProcess)
        return "no process is running yet";
    if (length == 0)
        return "region length is 0";
    MemPolicy pol;
    uint64_t mask = 0;
    for (int n : nodes) {
        if (n < 0 || n >= numNodes()) {
            return csprintf("node %d out of range (nodes: %d)", n,
                            numNodes());
        }
        mask |= 1ULL << n;
    }
    if (!weights.empty() && weights.size() != nodes.size()) {
        return csprintf("%d weights for %d nodes", weights.size(),
                        nodes.size());
    }
    if (mode == "default") {
        pol.mode = mpol::Default;
    } else if (mode == "local") {
        pol.mode = mpol::Local;
    } else if (mode == "bind" || mode == "preferred" ||
               mode == "interleave" || mode == "weighted-interleave") {
        if (!mask)
            return "mode '" + mode + "' needs at least one node";
        if (mode == "bind") {
            pol.mode = mpol::Bind;
        } else if (mode == "preferred") {
            if (popCount(mask) != 1)
                return "mode 'preferred' takes exactly one node";
            pol.mode = mpol::Preferred;
        } else if (mode == "interleave" && weights.empty()) {
            pol.mode = mpol::Interleave;
        } else {
            pol.mode = mpol::WeightedInterleave;
        }
        pol.nodes = mask;
        pol.weights = defaultWeights;
        for (size_t i = 0; i < weights.size(); ++i) {
            if (weights[i] == 0)
                return csprintf("weight of node %d is 0", nodes[i]);
            pol.weights[nodes[i]] = weights[i];
        }
    } else {
        return "unknown mode '" + mode + "' (default, local, bind, "
            "preferred, interleave, weighted-interleave)";
    }
    const Addr s = roundDown(start, pageBytes);
    const Addr e = roundUp(start + length, pageBytes);
    vmaPolicies(mainProcess).set(s, e, pol, s >> pageShift);
    DPRINTF(DeepMem, "region [%#x, %#x): %s policy (nodes %#x) from the "
            "controller\n", s, e, mode, pol.nodes);
    return "";
}

std::vector<std::string>
DeepMemNuma::migratePages(const std::vector<uint64_t> &vpns,
                          const std::vector<int> &nodes)
{
    std::vector<std::string> out;
    if (vpns.size() != nodes.size()) {
        out.assign(vpns.size(), "rejected: pages and nodes differ in "
                   "length");
        return out;
    }
    if (!mainProcess) {
        out.assign(vpns.size(), "rejected: no process is running yet");
        return out;
    }
    std::vector<Tick> costs;
    bool moved_any = false;
    for (size_t i = 0; i < vpns.size(); ++i) {
        const int target = nodes[i];
        if (target < 0 || target >= numNodes()) {
            out.push_back(csprintf("rejected: node %d out of range "
                                   "(nodes: %d)", target, numNodes()));
            continue;
        }
        const Addr va = vpns[i] << pageShift;
        const auto *pte = mainProcess->pTable->lookup(va);
        if (!pte) {
            out.push_back(csprintf("rejected: page %#x is not mapped",
                                   vpns[i]));
            continue;
        }
        if (nodeOf(pte->paddr) == target) {
            out.push_back("ok: already on node");
            continue;
        }
        Tick cost = 0;
        const int r = migrateOne(mainProcess, va, target, &cost);
        if (r >= 0) {
            costs.push_back(cost);
            out.push_back("ok");
            moved_any = true;
        } else if (r == -ENOMEM) {
            out.push_back(csprintf("rejected: node %d is full", target));
        } else {
            out.push_back(csprintf("rejected: error %d", -r));
        }
    }
    if (moved_any)
        flushTlbs(mainProcess);
    chargeSpread(mainProcess, costs);
    // The caller drained gem5 first, which woke the stalled threads.
    reapplyStalls();
    return out;
}

int
DeepMemNuma::pageNode(uint64_t vpn)
{
    if (!mainProcess)
        return -1;
    const auto *pte = mainProcess->pTable->lookup(vpn << pageShift);
    return pte ? nodeOf(pte->paddr) : -1;
}

} // namespace gem5
