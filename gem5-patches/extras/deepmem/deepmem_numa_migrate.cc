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
 * DeepMem.Gem5: page migration: copy a page to a frame on another
 * node, remap it, and stall the migrating threads for the modelled
 * cost (a fixed part plus the copy at the slower node's bandwidth).
 */

#include <algorithm>
#include <cerrno>
#include <vector>

#include "arch/generic/mmu.hh"
#include "base/trace.hh"
#include "cpu/thread_context.hh"
#include "debug/DeepMemMigrate.hh"
#include "deepmem/deepmem_numa.hh"
#include "mem/page_table.hh"
#include "sim/core.hh"
#include "sim/cur_tick.hh"
#include "sim/eventq.hh"
#include "sim/process.hh"
#include "sim/system.hh"

namespace gem5
{

int
DeepMemNuma::migrateOne(Process *p, Addr vpage, int target, Tick *cost)
{
    if (target < 0 || target >= numNodes())
        return -ENODEV;
    const auto *pte = p->pTable->lookup(vpage);
    if (!pte)
        return -ENOENT;
    const Addr old_frame = pte->paddr;
    const uint64_t pte_flags = pte->flags;
    const int src = nodeOf(old_frame);
    if (src == target)
        return target;
    if (src < 0 || frameOwner.find(old_frame) == frameOwner.end())
        return -EBUSY; // a frame the placer does not own
    if (!hasSpace(target)) {
        ++stats.migrationFailures;
        DPRINTF(DeepMemMigrate, "page %#x: node %d -> %d failed: node %d "
                "is full\n", vpage, src, target, target);
        return -ENOMEM;
    }
    const Addr new_frame = takeFrame(target);

    // Functional copy: sees dirty lines in the caches, costs no time.
    std::vector<uint8_t> buf(pageBytes);
    system->physProxy.readBlob(old_frame, buf.data(), pageBytes);
    system->physProxy.writeBlob(new_frame, buf.data(), pageBytes);

    p->pTable->map(vpage, new_frame, pageBytes,
                   (pte_flags & ~(uint64_t)EmulationPageTable::Clobber) |
                   EmulationPageTable::Clobber);
    frameOwner[new_frame] = Owner{p, vpage};
    releaseFrame(old_frame);

    // Cost: a fixed part plus the copy at the slower node's bandwidth.
    const double gbps = std::min(nodeBandwidth[src], nodeBandwidth[target]);
    const Tick copy = (Tick)((double)pageBytes / (gbps * 1e9) *
                             (double)sim_clock::Frequency);
    const Tick c = migrationPageLatency + copy;
    *cost += c;
    DPRINTF(DeepMemMigrate, "page %#x: node %d -> %d (frame %#x -> %#x), "
            "%d ticks\n", vpage, src, target, old_frame, new_frame, c);

    ++stats.migratedPages;
    ++stats.migrationsIn[target];
    ++stats.migrationsOut[src];
    stats.migrationTicks += c;
    ++migInCount[target];
    ++migOutCount[src];
    ++epochMigrated;
    epochMigrationTicks += c;
    return target;
}

void
DeepMemNuma::flushTlbs(Process *p)
{
    // Every thread of the process maps the page: flush all their TLBs.
    for (ThreadContext *tc : spaceThreads(p, false))
        tc->getMMUPtr()->flushAll();
}

void
DeepMemNuma::stallThreads(
    const std::vector<std::pair<ThreadContext *, Tick>> &stalls)
{
    for (const auto &[tc, ticks] : stalls) {
        if (ticks == 0)
            continue;
        Tick &end = stallEnd[tc];
        end = std::max(end, curTick()) + ticks;
        DPRINTF(DeepMemMigrate, "stall cpu %d (pid %d) for %d ticks, "
                "until %d\n", tc->cpuId(), tc->getProcessPtr()->pid(),
                ticks, end);
        if (tc->status() == ThreadContext::Active)
            tc->suspend();
        const Tick when = end;
        auto *wake = new EventFunctionWrapper(
            [this, tc, when]() { endStall(tc, when); },
            name() + ".migrationStall", true);
        schedule(wake, when);
    }
}

void
DeepMemNuma::endStall(ThreadContext *tc, Tick when)
{
    auto it = stallEnd.find(tc);
    if (it == stallEnd.end() || it->second != when)
        return;
    stallEnd.erase(it);
    if (tc->status() == ThreadContext::Suspended)
        tc->activate();
}

void
DeepMemNuma::reapplyStalls()
{
    for (const auto &[tc, end] : stallEnd) {
        if (end > curTick() && tc->status() == ThreadContext::Active) {
            DPRINTF(DeepMemMigrate, "stall cpu %d again until %d (a drain "
                    "woke it)\n", tc->cpuId(), end);
            tc->suspend();
        }
    }
}

void
DeepMemNuma::chargeStall(ThreadContext *tc, Tick cost)
{
    // The caller of move_pages/migrate_pages/mbind migrates
    // synchronously in its own context, as in Linux.
    if (cost == 0 || !tc)
        return;
    stallThreads({{tc, cost}});
}

void
DeepMemNuma::chargeSpread(Process *p, const std::vector<Tick> &costs)
{
    if (costs.empty())
        return;
    // Linux's NUMA balancing (and a tiering daemon's promotions on a
    // hinting fault) migrates a page in the context of the task that
    // faulted on it: page i stalls one running thread, round-robin.
    const std::vector<ThreadContext *> tcs = spaceThreads(p, true);
    if (tcs.empty())
        return;
    std::vector<std::pair<ThreadContext *, Tick>> stalls;
    for (ThreadContext *tc : tcs)
        stalls.emplace_back(tc, 0);
    for (Tick c : costs)
        stalls[stallNext++ % tcs.size()].second += c;
    stallThreads(stalls);
}

} // namespace gem5
