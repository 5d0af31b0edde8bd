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
 * DeepMem.Gem5: telemetry: per-page and per-node access counts since
 * the last call, node occupancy, migration totals, and the stats.
 */

#include <algorithm>

#include "base/bitfield.hh"
#include "base/statistics.hh"
#include "deepmem/deepmem_numa.hh"

namespace gem5
{

std::vector<uint64_t>
DeepMemNuma::takePageCounts()
{
    std::vector<uint64_t> out;
    out.reserve(pageCounts.size() * 4);
    for (const auto &[fn, c] : pageCounts) {
        const Addr frame = fn << pageShift;
        auto it = frameOwner.find(frame);
        if (it == frameOwner.end())
            continue; // freed frame or loader page: only in node totals
        out.push_back(it->second.vpage >> pageShift);
        out.push_back(c.reads);
        out.push_back(c.writes);
        out.push_back(nodeOf(frame));
    }
    pageCounts.clear();
    return out;
}

std::vector<uint64_t>
DeepMemNuma::takeTouches()
{
    std::vector<uint64_t> out;
    out.reserve(touches.size() * 2);
    for (const auto &[fn, lines] : touches) {
        auto it = frameOwner.find(fn << pageShift);
        if (it == frameOwner.end())
            continue; // freed frame or loader page
        out.push_back(it->second.vpage >> pageShift);
        out.push_back(popCount(lines));
    }
    touches.clear();
    return out;
}

std::vector<uint64_t>
DeepMemNuma::takeNodeCounts()
{
    std::vector<uint64_t> out;
    for (int i = 0; i < numNodes(); ++i) {
        out.push_back(epochReads[i]);
        out.push_back(epochWrites[i]);
    }
    std::fill(epochReads.begin(), epochReads.end(), 0);
    std::fill(epochWrites.begin(), epochWrites.end(), 0);
    return out;
}

std::vector<uint64_t>
DeepMemNuma::nodeSummary()
{
    std::vector<uint64_t> out;
    for (int i = 0; i < numNodes(); ++i) {
        out.push_back(resident[i]);
        out.push_back(freePages(i));
        out.push_back(nodeRanges[i].size() / pageBytes);
        out.push_back(allocCount[i]);
        out.push_back(migInCount[i]);
        out.push_back(migOutCount[i]);
    }
    return out;
}

std::vector<uint64_t>
DeepMemNuma::takeMigrationTotals()
{
    std::vector<uint64_t> out{epochMigrated, epochMigrationTicks};
    epochMigrated = 0;
    epochMigrationTicks = 0;
    return out;
}

DeepMemNuma::NumaStats::NumaStats(DeepMemNuma &owner)
    : statistics::Group(&owner), numa(owner),
      ADD_STAT(allocations, statistics::units::Count::get(),
               "Frames allocated on each node"),
      ADD_STAT(fallbackAllocations, statistics::units::Count::get(),
               "Allocations that fell back from the policy's node"),
      ADD_STAT(recycledFrames, statistics::units::Count::get(),
               "Allocations served from the node's free list"),
      ADD_STAT(freedFrames, statistics::units::Count::get(),
               "Frames returned to the node's free list"),
      ADD_STAT(migrationsIn, statistics::units::Count::get(),
               "Pages migrated to each node"),
      ADD_STAT(migrationsOut, statistics::units::Count::get(),
               "Pages migrated away from each node"),
      ADD_STAT(residentPages, statistics::units::Count::get(),
               "Pages resident on each node at the end"),
      ADD_STAT(reads, statistics::units::Count::get(),
               "Memory-side read requests seen on each node"),
      ADD_STAT(writes, statistics::units::Count::get(),
               "Memory-side write requests seen on each node"),
      ADD_STAT(migratedPages, statistics::units::Count::get(),
               "Pages migrated"),
      ADD_STAT(migrationFailures, statistics::units::Count::get(),
               "Migrations that failed (target node full)"),
      ADD_STAT(migrationTicks, statistics::units::Tick::get(),
               "Simulated time charged for migrations"),
      ADD_STAT(policySyscalls, statistics::units::Count::get(),
               "Memory-policy system calls handled"),
      ADD_STAT(policySyscallErrors, statistics::units::Count::get(),
               "Memory-policy system calls that returned an error")
{
    const int n = numa.numNodes();
    for (auto *v : {&allocations, &fallbackAllocations, &recycledFrames,
                    &freedFrames, &migrationsIn, &migrationsOut,
                    &residentPages, &reads, &writes}) {
        v->init(n);
        for (int i = 0; i < n; ++i)
            v->subname(i, numa.nodeNames[i]);
        v->flags(statistics::total);
    }
}

void
DeepMemNuma::NumaStats::regStats()
{
    statistics::Group::regStats();
}

} // namespace gem5
