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
 * DeepMem.Gem5: the NUMA machine of gem5 SE mode (DeepMemNuma): frame
 * placement under Linux memory policies, the memory-policy system calls,
 * page migration and memory-side page telemetry. The policies themselves
 * are plain code in mem_policy.hh; the members are implemented by concern
 * in deepmem_numa*.cc (see deepmem_numa.cc).
 */

#ifndef __DEEPMEM_DEEPMEM_NUMA_HH__
#define __DEEPMEM_DEEPMEM_NUMA_HH__

#include <cstdint>
#include <string>
#include <tuple>
#include <unordered_map>
#include <vector>

#include "base/addr_range.hh"
#include "base/statistics.hh"
#include "base/types.hh"
#include "deepmem/mem_policy.hh"
#include "enums/DeepMemPolicyMode.hh"
#include "params/DeepMemNuma.hh"
#include "sim/mem_placement.hh"
#include "sim/sim_object.hh"

namespace gem5
{

class EmulationPageTable;
class Process;
class SEWorkload;
class System;
class ThreadContext;

/**
 * The NUMA machine: one node per memory range, each with its own frame
 * pool. It is the registered MemPlacer, holds the per-process policy
 * tables, implements the memory-policy syscalls, migrates pages, and
 * gathers the per-page access counts that DeepMemPageProbe reports.
 */
class DeepMemNuma : public SimObject, public MemPlacer
{
  public:
    PARAMS(DeepMemNuma);
    DeepMemNuma(const Params &p);
    ~DeepMemNuma();

    /** MemPlacer: pick the frame of a newly mapped page
     *  (deepmem_numa_alloc.cc). */
    Addr allocFrame(Process *process, Addr vpage) override;

    int numNodes() const { return nodeRanges.size(); }
    /** Node of a physical address, or -1. */
    int nodeOf(Addr paddr) const;

    /** Count one memory-side access (called by the probes). */
    void
    recordAccess(int node, Addr paddr, bool write)
    {
        Counts &c = pageCounts[paddr >> pageShift];
        if (write) {
            ++c.writes;
            ++epochWrites[node];
            ++stats.writes[node];
        } else {
            ++c.reads;
            ++epochReads[node];
            ++stats.reads[node];
        }
    }

    /** Note a CPU-side data access (called by a probe in front of the
     *  L1 data cache): the line it touched, per page. */
    void
    recordTouch(Addr paddr)
    {
        touches[paddr >> pageShift] |=
            uint64_t(1) << ((paddr >> touchLineShift) & 63);
    }

    // Memory-policy system calls, -errno on failure
    // (deepmem_numa_syscalls.cc)
    int64_t sysMbind(ThreadContext *tc, Addr start, uint64_t len,
                     uint64_t mode, Addr nmask, uint64_t maxnode,
                     uint64_t flags);
    int64_t sysSetMempolicy(ThreadContext *tc, uint64_t mode, Addr nmask,
                            uint64_t maxnode);
    int64_t sysGetMempolicy(ThreadContext *tc, Addr modep, Addr nmask,
                            uint64_t maxnode, Addr addr, uint64_t flags);
    int64_t sysMigratePages(ThreadContext *tc, int64_t pid,
                            uint64_t maxnode, Addr old_nodes,
                            Addr new_nodes);
    int64_t sysMovePages(ThreadContext *tc, int64_t pid, uint64_t count,
                         Addr pages, Addr nodes, Addr status,
                         uint64_t flags);
    int64_t sysGetcpu(ThreadContext *tc, Addr cpu, Addr node);
    /** clone/clone3 made a thread or process (pid child_pid): it starts
     *  with its creator's task policy (Linux copies current->mempolicy);
     *  a new address space (fork) copies the VMA policies. */
    void noteClone(Process *parent, uint64_t child_pid);

    // Address-space changes (deepmem_numa_vma.cc)

    /** A new virtual region exists (mmap, brk). */
    void noteRegion(Process *process, Addr start, Addr length,
                    const std::string &source);
    /** Frames of the mapped pages in a range (before munmap). */
    std::vector<Addr> framesIn(Process *process, Addr start, Addr length);
    /** munmap succeeded: recycle the frames, forget range policies. */
    void noteUnmap(Process *process, Addr start, Addr length,
                   const std::vector<Addr> &frames);
    /** Unmap a range as munmap does (VMAs, pages, frames, policies). */
    void unmapRange(Process *process, Addr start, Addr length);
    /** mremap(2) with Linux semantics: the VMA's memory policy moves and
     *  grows with it, grown pages are allocated on first touch, frames
     *  move with their pages. Returns the new address or -errno. */
    int64_t sysMremap(ThreadContext *tc, Addr addr, uint64_t old_len,
                      uint64_t new_len, uint64_t flags, Addr new_addr);

    // Python API (PyBindMethod): control in deepmem_numa_python.cc,
    // counts in deepmem_numa_telemetry.cc
    /** New regions since the last call: (id, start, length, source). */
    std::vector<std::tuple<uint64_t, uint64_t, uint64_t, std::string>>
    takeRegions();
    /** Set the placement of a virtual range; "" or an error message. */
    std::string setRegionPolicy(uint64_t start, uint64_t length,
                                const std::string &mode,
                                const std::vector<int> &nodes,
                                const std::vector<unsigned> &weights);
    /** Migrate pages (by page number); one result string per item. */
    std::vector<std::string> migratePages(const std::vector<uint64_t> &vpns,
                                          const std::vector<int> &nodes);
    /** Per-page counts since the last call, flattened as
     *  (vpn, reads, writes, node) and reset. */
    std::vector<uint64_t> takePageCounts();
    /** Per page the CPU touched since the last call: (vpn, distinct
     *  cache lines touched), flattened, and reset. */
    std::vector<uint64_t> takeTouches();
    /** Per-node (reads, writes) since the last call, reset. */
    std::vector<uint64_t> takeNodeCounts();
    /** Per node: resident, free, capacity (pages), allocations,
     *  migrations in, migrations out. */
    std::vector<uint64_t> nodeSummary();
    /** (migrated pages, migration ticks) since the last call, reset. */
    std::vector<uint64_t> takeMigrationTotals();
    /** Node of the frame backing a virtual page, or -1. */
    int pageNode(uint64_t vpn);

  private:
    struct Counts
    {
        uint32_t reads = 0;
        uint32_t writes = 0;
    };

    /** Who maps a frame: the thread that mapped it (gem5 SE keeps the
     *  Process of an exited thread) and the page. Frames belong to an
     *  address space: compare owners with sameSpace(). */
    struct Owner
    {
        Process *process;
        Addr vpage;
    };

    /** The task policy of one thread (Linux: task->mempolicy and the
     *  interleave position il_prev). In gem5 SE every thread is its own
     *  Process (pid = tid, shared tgid, page table and MemState). */
    struct TaskState
    {
        MemPolicy policy;
        uint64_t ilCounter = 0;
        /** Position in an interleaving default policy (--policy): like
         *  numactl's policy, each thread has its own copy. */
        uint64_t defaultIlCounter = 0;
    };

    std::vector<AddrRange> nodeRanges;
    std::vector<int> poolIds;
    std::vector<std::string> nodeNames;
    std::vector<double> nodeBandwidth;
    std::vector<unsigned> defaultWeights;
    int localNode;
    Tick migrationPageLatency;
    bool regionExits;
    Addr pageBytes;
    unsigned pageShift;
    MemPolicy defaultPolicy;

    System *system = nullptr;
    SEWorkload *se = nullptr;
    Process *mainProcess = nullptr;
    uint64_t nextRegionId = 1;
    std::vector<std::tuple<uint64_t, uint64_t, uint64_t, std::string>>
        newRegions;

    std::vector<std::vector<Addr>> freeFrames;
    std::vector<uint64_t> resident;
    std::vector<uint64_t> allocCount;
    std::vector<uint64_t> migInCount;
    std::vector<uint64_t> migOutCount;
    std::unordered_map<Addr, Owner> frameOwner;
    /** Task policies, per thread. */
    std::unordered_map<Process *, TaskState> tasks;
    /** VMA policies, per address space (the threads of a process share
     *  their page table). */
    std::unordered_map<const EmulationPageTable *, PolicyTable> spaces;
    /** Round-robin position of the controller's migration stalls. */
    uint64_t stallNext = 0;
    /** When each stalled thread's migration stall ends. */
    std::unordered_map<ThreadContext *, Tick> stallEnd;

    std::unordered_map<Addr, Counts> pageCounts;
    /** Lines of a page are tracked in 64 bits: page size / 64. */
    unsigned touchLineShift = 6;
    std::unordered_map<Addr, uint64_t> touches;
    std::vector<uint64_t> epochReads;
    std::vector<uint64_t> epochWrites;
    uint64_t epochMigrated = 0;
    uint64_t epochMigrationTicks = 0;

    // deepmem_numa.cc: set-up
    static std::vector<std::string> namesFor(const Params &p);
    /** Find the system and the pools (first process seen). */
    void setup(Process *process);
    uint64_t allNodesMask() const { return allNodes(numNodes()); }
    TaskState &taskState(Process *p);
    PolicyTable &vmaPolicies(Process *p);
    /** Two threads/processes share an address space. */
    static bool sameSpace(const Process *a, const Process *b);
    /** The thread contexts whose process shares p's address space (only
     *  the running ones if active_only), in context id order. */
    std::vector<ThreadContext *> spaceThreads(Process *p, bool active_only);
    /** pid names p's process for move_pages/migrate_pages: 0, its tgid or
     *  a thread of its thread group. */
    bool ownPid(Process *p, int64_t pid);

    // deepmem_numa_alloc.cc: frame allocation
    bool hasSpace(int node) const;
    uint64_t freePages(int node) const;
    Addr takeFrame(int node);
    void releaseFrame(Addr frame);
    int policyNode(TaskState &ts, const MemPolicy &pol, bool per_vma,
                   uint64_t il_index, Addr vpage, bool commit);
    Addr allocOnPolicy(TaskState &ts, const MemPolicy &pol, bool per_vma,
                       uint64_t il_index, Addr vpage, int *chosen);

    // deepmem_numa_vma.cc: the address space
    /** Every page of [start, start + len) is in a VMA or mapped. */
    bool rangeMapped(Process *p, Addr start, Addr len);
    /** No page of [start, start + len) is in a VMA or mapped. */
    bool rangeFree(Process *p, Addr start, Addr len);
    bool vpageMapped(Process *p, Addr vpage);

    // deepmem_numa_syscalls.cc: user memory
    bool readUser(ThreadContext *tc, Addr addr, void *buf, uint64_t len);
    int64_t readNodemask(ThreadContext *tc, Addr nmask, uint64_t maxnode,
                         uint64_t *mask);
    int64_t writeNodemask(ThreadContext *tc, Addr nmask, uint64_t maxnode,
                          uint64_t mask);

    // deepmem_numa_migrate.cc: migration
    /** Migrate one page: target node (>= 0) or -errno. */
    int migrateOne(Process *p, Addr vpage, int target, Tick *cost);
    void flushTlbs(Process *p);
    /** Stall one thread (the syscall's caller) for cost. */
    void chargeStall(ThreadContext *tc, Tick cost);
    /** The controller's migrations: page i's cost stalls one running
     *  thread of p's process, round-robin over them (NUMA balancing
     *  migrates in the context of the task that faulted). */
    void chargeSpread(Process *p, const std::vector<Tick> &costs);
    /** Suspend each thread for its time (a stall on a stalled thread
     *  extends it); each wakes on its own at the end. */
    void stallThreads(
        const std::vector<std::pair<ThreadContext *, Tick>> &stalls);
    /** The end of a stall: wake the thread unless a later stall
     *  extended it past when. */
    void endStall(ThreadContext *tc, Tick when);
    /** m5.drain() wakes every suspended O3 thread, stalled ones too:
     *  suspend again those whose stall is not over. */
    void reapplyStalls();

    // deepmem_numa_telemetry.cc: stats
    struct NumaStats : public statistics::Group
    {
        NumaStats(DeepMemNuma &numa);
        void regStats() override;

        DeepMemNuma &numa;
        statistics::Vector allocations;
        statistics::Vector fallbackAllocations;
        statistics::Vector recycledFrames;
        statistics::Vector freedFrames;
        statistics::Vector migrationsIn;
        statistics::Vector migrationsOut;
        statistics::Vector residentPages;
        statistics::Vector reads;
        statistics::Vector writes;
        statistics::Scalar migratedPages;
        statistics::Scalar migrationFailures;
        statistics::Scalar migrationTicks;
        statistics::Scalar policySyscalls;
        statistics::Scalar policySyscallErrors;
    } stats;
};

} // namespace gem5

#endif // __DEEPMEM_DEEPMEM_NUMA_HH__
