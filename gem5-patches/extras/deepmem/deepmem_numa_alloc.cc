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
 * DeepMem.Gem5: frame allocation: the node a new page goes to (the
 * VMA's, the process's or the default policy, with Linux's fallback
 * when a node is full) and the per-node frame pools.
 */

#include "base/logging.hh"
#include "base/trace.hh"
#include "debug/DeepMem.hh"
#include "deepmem/deepmem_numa.hh"
#include "mem/page_table.hh"
#include "sim/process.hh"
#include "sim/se_workload.hh"
#include "sim/system.hh"

namespace gem5
{

uint64_t
DeepMemNuma::freePages(int node) const
{
    // MemPool::allocate fails when it hands out the last page of a pool,
    // so the last page never counts as free.
    uint64_t pool_free = se ? se->freeMemSize(poolIds[node]) / pageBytes : 0;
    return (pool_free ? pool_free - 1 : 0) + freeFrames[node].size();
}

bool
DeepMemNuma::hasSpace(int node) const
{
    return !freeFrames[node].empty() ||
        (se && se->freeMemSize(poolIds[node]) > pageBytes);
}

Addr
DeepMemNuma::takeFrame(int node)
{
    Addr frame;
    if (!freeFrames[node].empty()) {
        frame = freeFrames[node].back();
        freeFrames[node].pop_back();
        // Linux hands out zeroed pages. A functional write also updates
        // any stale copy of the old contents in the caches.
        system->physProxy.memsetBlob(frame, 0, pageBytes);
        ++stats.recycledFrames[node];
    } else {
        frame = se->allocPhysPages(1, poolIds[node]);
    }
    ++resident[node];
    stats.residentPages[node] = resident[node];
    return frame;
}

void
DeepMemNuma::releaseFrame(Addr frame)
{
    auto it = frameOwner.find(frame);
    if (it == frameOwner.end())
        return; // not one of ours (e.g. set up by the loader directly)
    frameOwner.erase(it);
    const int node = nodeOf(frame);
    panic_if(node < 0, "DeepMemNuma: frame %#x outside every node", frame);
    freeFrames[node].push_back(frame);
    --resident[node];
    stats.residentPages[node] = resident[node];
    ++stats.freedFrames[node];
}

int
DeepMemNuma::policyNode(TaskState &ts, const MemPolicy &pol, bool per_vma,
                        uint64_t il_index, Addr vpage, bool commit)
{
    switch (pol.mode) {
      case mpol::Preferred:
        return firstNode(pol.nodes);
      case mpol::Bind:
      case mpol::PreferredMany:
        if (hasNode(pol.nodes, localNode) && hasSpace(localNode))
            return localNode;
        for (int i = 0; i < numNodes(); ++i) {
            if (hasNode(pol.nodes, i) && hasSpace(i))
                return i;
        }
        return firstNode(pol.nodes);
      case mpol::Interleave:
      case mpol::WeightedInterleave:
        // Linux: a VMA interleaves on the page's index in its mapping
        // (vm_pgoff + offset), for anonymous memory the virtual page
        // number the page had when the VMA was created.
        if (per_vma)
            return interleaveNode(pol, il_index, numNodes());
        {
            uint64_t &counter = &pol == &defaultPolicy ?
                ts.defaultIlCounter : ts.ilCounter;
            const int node = interleaveNode(pol, counter, numNodes());
            if (commit)
                ++counter;
            return node;
        }
      default:
        return localNode;
    }
}

Addr
DeepMemNuma::allocOnPolicy(TaskState &ts, const MemPolicy &pol, bool per_vma,
                           uint64_t il_index, Addr vpage, int *chosen)
{
    const int want = policyNode(ts, pol, per_vma, il_index, vpage, true);
    const int n = numNodes();
    int node = -1;
    if (hasSpace(want)) {
        node = want;
    } else {
        // Bind: other allowed nodes first. Then, like Linux's zonelist
        // fallback, the next nodes in order.
        if (pol.mode == mpol::Bind) {
            for (int i = 1; i < n && node < 0; ++i) {
                const int c = (want + i) % n;
                if (hasNode(pol.nodes, c) && hasSpace(c))
                    node = c;
            }
            if (node < 0) {
                warn_once("DeepMemNuma: the bound nodes are full; "
                          "allocating outside the MPOL_BIND nodes");
            }
        }
        for (int i = 1; i < n && node < 0; ++i) {
            const int c = (want + i) % n;
            if (hasSpace(c))
                node = c;
        }
        fatal_if(node < 0, "DeepMemNuma: out of memory: every node is "
                 "full (page %#x)", vpage);
        DPRINTF(DeepMem, "page %#x: node %d is full, falling back to "
                "node %d\n", vpage, want, node);
        ++stats.fallbackAllocations[node];
    }
    *chosen = node;
    return takeFrame(node);
}

Addr
DeepMemNuma::allocFrame(Process *process, Addr vpage)
{
    if (!mainProcess)
        setup(process);

    // A clobbered mapping gives its frame back.
    if (const auto *pte = process->pTable->lookup(vpage))
        releaseFrame(pte->paddr);

    // The VMA policy of the address space, else the task policy of the
    // thread that touched the page (the process is that thread in SE).
    TaskState &ts = taskState(process);
    uint64_t il_index = 0;
    const MemPolicy *pol = vmaPolicies(process).find(vpage, &il_index);
    bool per_vma = pol != nullptr;
    if (!pol && ts.policy.mode != mpol::Default)
        pol = &ts.policy;
    if (!pol)
        pol = &defaultPolicy;

    int node = -1;
    const Addr frame = allocOnPolicy(ts, *pol, per_vma, il_index, vpage,
                                     &node);
    frameOwner[frame] = Owner{process, vpage};
    DPRINTF(DeepMem, "place page %#x on node %d (frame %#x) by the %s "
            "policy (mode %d, nodes %#x), pid %d\n", vpage, node, frame,
            per_vma ? "VMA" : pol == &defaultPolicy ? "default" : "process",
            pol->mode, pol->nodes, process->pid());
    ++stats.allocations[node];
    ++allocCount[node];
    return frame;
}

} // namespace gem5
