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
 * DeepMem.Gem5: the NUMA machine: parameters, set-up, node lookup.
 * Its other parts: deepmem_numa_alloc.cc (frame placement),
 * deepmem_numa_syscalls.cc (memory-policy system calls),
 * deepmem_numa_vma.cc (regions, munmap, mremap),
 * deepmem_numa_migrate.cc (page migration), deepmem_numa_telemetry.cc
 * (access counts, stats) and deepmem_numa_python.cc (the controller's
 * Python API). The policies themselves are in mem_policy.hh.
 */

#include "deepmem/deepmem_numa.hh"

#include <algorithm>

#include "base/intmath.hh"
#include "base/logging.hh"
#include "base/trace.hh"
#include "cpu/thread_context.hh"
#include "debug/DeepMem.hh"
#include "sim/process.hh"
#include "sim/se_workload.hh"
#include "sim/system.hh"

namespace gem5
{

DeepMemNuma::DeepMemNuma(const Params &p)
    : SimObject(p),
      nodeRanges(p.node_ranges),
      nodeNames(namesFor(p)),
      nodeBandwidth(p.node_bandwidth),
      defaultWeights(p.interleave_weights),
      localNode(p.local_node),
      migrationPageLatency(p.migration_page_latency),
      regionExits(p.region_exits),
      pageBytes(p.page_bytes),
      pageShift(floorLog2(p.page_bytes)),
      stats(*this)
{
    const int n = nodeRanges.size();
    fatal_if(n < 1 || n > 64, "DeepMemNuma: %d nodes (1 to 64 allowed)", n);
    fatal_if(!isPowerOf2(pageBytes), "DeepMemNuma: page_bytes %d is not "
             "a power of two", pageBytes);
    fatal_if(localNode < 0 || localNode >= n,
             "DeepMemNuma: local_node %d out of range (nodes: %d)",
             localNode, n);
    fatal_if((int)nodeBandwidth.size() != n,
             "DeepMemNuma: node_bandwidth has %d entries, nodes: %d",
             nodeBandwidth.size(), n);
    for (int i = 0; i < n; ++i) {
        fatal_if(nodeBandwidth[i] <= 0, "DeepMemNuma: node_bandwidth[%d] "
                 "must be > 0 GB/s (was %f)", i, nodeBandwidth[i]);
    }
    // 64 bits per page: a line is page_bytes / 64 (64 B for 4 KiB pages).
    touchLineShift = pageShift > 6 ? pageShift - 6 : 0;
    defaultWeights.resize(n, 1);
    for (auto &w : defaultWeights)
        w = std::max(1u, w);

    std::vector<int> dnodes(p.default_nodes.begin(), p.default_nodes.end());
    uint64_t mask = 0;
    for (int d : dnodes) {
        fatal_if(d < 0 || d >= n, "DeepMemNuma: default_nodes has node %d "
                 "(nodes: %d)", d, n);
        mask |= 1ULL << d;
    }
    switch (p.default_mode) {
      case DeepMemPolicyMode::local:
        defaultPolicy.mode = mpol::Local;
        break;
      case DeepMemPolicyMode::bind:
        defaultPolicy.mode = mpol::Bind;
        break;
      case DeepMemPolicyMode::preferred:
        defaultPolicy.mode = mpol::Preferred;
        break;
      case DeepMemPolicyMode::interleave:
        defaultPolicy.mode = mpol::Interleave;
        break;
      case DeepMemPolicyMode::weighted_interleave:
        defaultPolicy.mode = mpol::WeightedInterleave;
        break;
      default:
        panic("DeepMemNuma: unknown default_mode %d", (int)p.default_mode);
    }
    if (defaultPolicy.mode != mpol::Local) {
        fatal_if(!mask, "DeepMemNuma: default_mode '%s' needs "
                 "default_nodes",
                 DeepMemPolicyModeStrings[(int)p.default_mode]);
        defaultPolicy.nodes = mask;
        defaultPolicy.weights = defaultWeights;
    }
    DPRINTF(DeepMem, "%d nodes, default policy %s (nodes %#x), "
            "local node %d\n", n,
            DeepMemPolicyModeStrings[(int)p.default_mode],
            defaultPolicy.nodes, localNode);

    freeFrames.resize(n);
    resident.assign(n, 0);
    epochReads.assign(n, 0);
    epochWrites.assign(n, 0);
    allocCount.assign(n, 0);
    migInCount.assign(n, 0);
    migOutCount.assign(n, 0);

    registerMemPlacer(this);
}

std::vector<std::string>
DeepMemNuma::namesFor(const Params &p)
{
    std::vector<std::string> names(p.node_names);
    names.resize(p.node_ranges.size());
    for (size_t i = 0; i < names.size(); ++i) {
        if (names[i].empty())
            names[i] = "node" + std::to_string(i);
    }
    return names;
}

DeepMemNuma::~DeepMemNuma()
{
    if (memPlacer() == this)
        registerMemPlacer(nullptr);
}

void
DeepMemNuma::setup(Process *process)
{
    // The system comes from the first process (a System parameter would
    // make a cycle: System -> workload -> DeepMemNuma -> System).
    system = process->system;
    se = process->seWorkload;
    mainProcess = process;
    // SEWorkload::setSystem builds one pool per configured range, in the
    // order of getConfAddrRanges (sorted by start address).
    const AddrRangeList ranges = system->getPhysMem().getConfAddrRanges();
    for (const auto &nr : nodeRanges) {
        int idx = 0, found = -1;
        for (const auto &r : ranges) {
            if (r.start() == nr.start())
                found = idx;
            ++idx;
        }
        fatal_if(found < 0, "DeepMemNuma: node range %s is not a memory "
                 "range of the system", nr.to_string());
        poolIds.push_back(found);
    }
}

int
DeepMemNuma::nodeOf(Addr paddr) const
{
    for (int i = 0; i < (int)nodeRanges.size(); ++i) {
        if (nodeRanges[i].contains(paddr))
            return i;
    }
    return -1;
}

DeepMemNuma::TaskState &
DeepMemNuma::taskState(Process *p)
{
    return tasks[p];
}

PolicyTable &
DeepMemNuma::vmaPolicies(Process *p)
{
    return spaces.try_emplace(p->pTable, pageShift).first->second;
}

bool
DeepMemNuma::sameSpace(const Process *a, const Process *b)
{
    return a == b || (a && b && a->pTable == b->pTable);
}

std::vector<ThreadContext *>
DeepMemNuma::spaceThreads(Process *p, bool active_only)
{
    std::vector<ThreadContext *> out;
    if (!system)
        return out;
    for (ThreadContext *tc : system->threads) {
        Process *q = tc->getProcessPtr();
        if (!q || !sameSpace(q, p))
            continue;
        if (active_only && tc->status() != ThreadContext::Active)
            continue;
        out.push_back(tc);
    }
    return out;
}

bool
DeepMemNuma::ownPid(Process *p, int64_t pid)
{
    const int32_t id = (int32_t)pid;
    if (id == 0 || (uint64_t)id == p->tgid() || (uint64_t)id == p->pid())
        return true;
    if (!system)
        return false;
    // Linux finds any task by its id and uses its mm: a thread of the
    // same thread group names the same process.
    for (ThreadContext *tc : system->threads) {
        Process *q = tc->getProcessPtr();
        if (q && q->pid() == (uint64_t)id && q->tgid() == p->tgid())
            return true;
    }
    return false;
}

void
DeepMemNuma::noteClone(Process *parent, uint64_t child_pid)
{
    if (!system)
        return;
    Process *child = nullptr;
    for (ThreadContext *tc : system->threads) {
        Process *q = tc->getProcessPtr();
        if (q && q != parent && q->pid() == child_pid)
            child = q;
    }
    if (!child)
        return;
    const MemPolicy pol = taskState(parent).policy;
    tasks[child] = TaskState{pol, 0, 0};
    if (!sameSpace(child, parent) && !spaces.count(child->pTable)) {
        const PolicyTable copy = vmaPolicies(parent);
        spaces.emplace(child->pTable, copy);
    }
    DPRINTF(DeepMem, "clone: pid %d (tgid %d) from pid %d, task policy "
            "mode %d, nodes %#x\n", child->pid(), child->tgid(),
            parent->pid(), pol.mode, pol.nodes);
}

} // namespace gem5
