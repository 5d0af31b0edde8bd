/*
 * DeepMem.Gem5: NUMA memory policies, frame placement, page migration and
 * memory-side page telemetry for gem5 SE mode.
 */

#include "deepmem/deepmem_numa.hh"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <iterator>

#include "base/intmath.hh"
#include "base/logging.hh"
#include "base/trace.hh"
#include "cpu/thread_context.hh"
#include "mem/page_table.hh"
#include "mem/se_translating_port_proxy.hh"
#include "sim/core.hh"
#include "sim/cur_tick.hh"
#include "sim/eventq.hh"
#include "sim/mem_state.hh"
#include "sim/process.hh"
#include "sim/se_workload.hh"
#include "sim/sim_exit.hh"
#include "sim/system.hh"

namespace gem5
{

namespace
{

int
countNodes(uint64_t v)
{
    return __builtin_popcountll(v);
}

/** The n-th (0-based) set bit of a mask; mask must be non-empty. */
int
nthNode(uint64_t mask, uint64_t n)
{
    n %= countNodes(mask);
    for (int i = 0; i < 64; ++i) {
        if (mask & (1ULL << i)) {
            if (n == 0)
                return i;
            --n;
        }
    }
    return -1;
}

int
firstNode(uint64_t mask)
{
    return mask ? __builtin_ctzll(mask) : -1;
}

} // anonymous namespace

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
    const std::string &m = p.default_mode;
    if (m == "local" || m == "default") {
        defaultPolicy.mode = mpol::Local;
    } else if (m == "bind") {
        defaultPolicy.mode = mpol::Bind;
    } else if (m == "preferred") {
        defaultPolicy.mode = mpol::Preferred;
    } else if (m == "interleave") {
        defaultPolicy.mode = mpol::Interleave;
    } else if (m == "weighted-interleave") {
        defaultPolicy.mode = mpol::WeightedInterleave;
    } else {
        fatal("DeepMemNuma: default_mode '%s' is not one of local, bind, "
              "preferred, interleave, weighted-interleave", m);
    }
    if (defaultPolicy.mode != mpol::Local) {
        fatal_if(!mask, "DeepMemNuma: default_mode '%s' needs "
                 "default_nodes", m);
        defaultPolicy.nodes = mask;
        defaultPolicy.weights = defaultWeights;
    }

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

uint64_t
DeepMemNuma::allNodesMask() const
{
    const int n = numNodes();
    return n == 64 ? ~0ULL : ((1ULL << n) - 1);
}

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

DeepMemNuma::ProcState &
DeepMemNuma::procState(Process *p)
{
    return procs[p];
}

const MemPolicy *
DeepMemNuma::vmaPolicy(ProcState &ps, Addr vpage, uint64_t *il_index)
{
    auto it = ps.ranges.upper_bound(vpage);
    if (it == ps.ranges.begin())
        return nullptr;
    --it;
    const RangePolicy &r = it->second;
    if (vpage >= r.end || r.policy.mode == mpol::Default)
        return nullptr;
    if (il_index)
        *il_index = r.pgoff + ((vpage - r.start) >> pageShift);
    return &r.policy;
}

void
DeepMemNuma::clearRanges(ProcState &ps, Addr start, Addr end)
{
    if (start >= end)
        return;
    // A range that starts before `start` and reaches into the hole is
    // cut there; its part beyond `end` (if any) becomes a range of its own.
    auto it = ps.ranges.lower_bound(start);
    if (it != ps.ranges.begin()) {
        auto prev = std::prev(it);
        RangePolicy &r = prev->second;
        if (r.end > start) {
            if (r.end > end) {
                RangePolicy tail = r;
                tail.start = end;
                tail.pgoff = r.pgoff + ((end - r.start) >> pageShift);
                ps.ranges.emplace(end, tail);
            }
            r.end = start;
        }
    }
    it = ps.ranges.lower_bound(start);
    while (it != ps.ranges.end() && it->first < end) {
        RangePolicy r = it->second;
        it = ps.ranges.erase(it);
        if (r.end > end) {
            r.pgoff += (end - r.start) >> pageShift;
            r.start = end;
            ps.ranges.emplace(end, r);
            break;
        }
    }
}

void
DeepMemNuma::setRange(ProcState &ps, Addr start, Addr end,
                      const MemPolicy &pol, uint64_t pgoff)
{
    clearRanges(ps, start, end);
    if (start < end && pol.mode != mpol::Default)
        ps.ranges.emplace(start, RangePolicy{start, end, pol, pgoff});
}

std::vector<RangePolicy>
DeepMemNuma::rangesIn(ProcState &ps, Addr start, Addr end)
{
    std::vector<RangePolicy> out;
    auto it = ps.ranges.upper_bound(start);
    if (it != ps.ranges.begin())
        --it;
    for (; it != ps.ranges.end() && it->first < end; ++it) {
        RangePolicy r = it->second;
        if (r.end <= start)
            continue;
        if (r.start < start) {
            r.pgoff += (start - r.start) >> pageShift;
            r.start = start;
        }
        r.end = std::min(r.end, end);
        out.push_back(r);
    }
    return out;
}

int
DeepMemNuma::interleaveNode(const MemPolicy &pol, uint64_t index) const
{
    if (pol.mode != mpol::WeightedInterleave)
        return nthNode(pol.nodes, index);
    uint64_t total = 0;
    for (int i = 0; i < numNodes(); ++i) {
        if (pol.nodes & (1ULL << i))
            total += i < (int)pol.weights.size() ? pol.weights[i] : 1;
    }
    uint64_t pos = index % total;
    for (int i = 0; i < numNodes(); ++i) {
        if (!(pol.nodes & (1ULL << i)))
            continue;
        const uint64_t w = i < (int)pol.weights.size() ? pol.weights[i] : 1;
        if (pos < w)
            return i;
        pos -= w;
    }
    return firstNode(pol.nodes);
}

int
DeepMemNuma::policyNode(ProcState &ps, const MemPolicy &pol, bool per_vma,
                        uint64_t il_index, Addr vpage, bool commit)
{
    switch (pol.mode) {
      case mpol::Preferred:
        return firstNode(pol.nodes);
      case mpol::Bind:
      case mpol::PreferredMany:
        if (pol.nodes & (1ULL << localNode) && hasSpace(localNode))
            return localNode;
        for (int i = 0; i < numNodes(); ++i) {
            if ((pol.nodes & (1ULL << i)) && hasSpace(i))
                return i;
        }
        return firstNode(pol.nodes);
      case mpol::Interleave:
      case mpol::WeightedInterleave:
        // Linux: a VMA interleaves on the page's index in its mapping
        // (vm_pgoff + offset), for anonymous memory the virtual page
        // number the page had when the VMA was created.
        if (per_vma)
            return interleaveNode(pol, il_index);
        {
            uint64_t &counter = &pol == &defaultPolicy ?
                defaultIlCounter : ps.ilCounter;
            const int node = interleaveNode(pol, counter);
            if (commit)
                ++counter;
            return node;
        }
      default:
        return localNode;
    }
}

Addr
DeepMemNuma::allocOnPolicy(ProcState &ps, const MemPolicy &pol, bool per_vma,
                           uint64_t il_index, Addr vpage, int *chosen)
{
    const int want = policyNode(ps, pol, per_vma, il_index, vpage, true);
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
                if ((pol.nodes & (1ULL << c)) && hasSpace(c))
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

    ProcState &ps = procState(process);
    uint64_t il_index = 0;
    const MemPolicy *pol = vmaPolicy(ps, vpage, &il_index);
    bool per_vma = pol != nullptr;
    if (!pol && ps.policy.mode != mpol::Default)
        pol = &ps.policy;
    if (!pol)
        pol = &defaultPolicy;

    int node = -1;
    const Addr frame = allocOnPolicy(ps, *pol, per_vma, il_index, vpage,
                                     &node);
    frameOwner[frame] = Owner{process, vpage};
    ++stats.allocations[node];
    ++allocCount[node];
    return frame;
}

bool
DeepMemNuma::vpageMapped(Process *p, Addr vpage)
{
    if (p->pTable->lookup(vpage))
        return true;
    return !p->memState->isUnmapped(vpage, pageBytes);
}

// ------------------------------------------------------------ syscalls

bool
DeepMemNuma::readUser(ThreadContext *tc, Addr addr, void *buf, uint64_t len)
{
    SETranslatingPortProxy proxy(tc);
    if (proxy.tryReadBlob(addr, buf, len))
        return true;
    // Pages of a mapping that were never touched read as zeros in Linux:
    // fault them in (as a write would) and try again.
    Process *p = tc->getProcessPtr();
    const Addr end = addr + len;
    if (end < addr)
        return false;
    for (Addr va = roundDown(addr, pageBytes); va < end; va += pageBytes) {
        if (!p->pTable->lookup(va) && !p->fixupFault(va))
            return false;
    }
    return proxy.tryReadBlob(addr, buf, len);
}

int64_t
DeepMemNuma::readNodemask(ThreadContext *tc, Addr nmask, uint64_t maxnode,
                          uint64_t *mask)
{
    *mask = 0;
    // Linux get_nodes(): the mask has maxnode - 1 bits.
    if (maxnode == 0 || nmask == 0)
        return 0;
    const uint64_t bits = maxnode - 1;
    if (bits == 0)
        return 0;
    if (bits > pageBytes * 8)
        return -EINVAL;
    const uint64_t words = divCeil(bits, 64);
    std::vector<uint64_t> buf(words, 0);
    if (!readUser(tc, nmask, buf.data(), words * 8))
        return -EFAULT;
    if (bits % 64)
        buf[words - 1] &= (1ULL << (bits % 64)) - 1;
    // Bits beyond MAX_NUMNODES must be clear.
    for (uint64_t w = mpol::MaxNumNodes / 64; w < words; ++w) {
        if (buf[w])
            return -EINVAL;
    }
    *mask = buf[0];
    // Nodes 64..MAX_NUMNODES-1 are valid ids but never online here: the
    // callers drop offline nodes, like Linux does.
    return 0;
}

int64_t
DeepMemNuma::writeNodemask(ThreadContext *tc, Addr nmask, uint64_t maxnode,
                           uint64_t mask)
{
    // Linux copy_nodes_to_user().
    const uint64_t bytes = roundUp(maxnode ? maxnode - 1 : 0, 64) / 8;
    if (bytes == 0)
        return 0;
    if (bytes > pageBytes)
        return -EINVAL;
    std::vector<uint8_t> buf(bytes, 0);
    std::memcpy(buf.data(), &mask, std::min<uint64_t>(8, bytes));
    SETranslatingPortProxy proxy(tc);
    if (!proxy.tryWriteBlob(nmask, buf.data(), bytes))
        return -EFAULT;
    return 0;
}

int64_t
DeepMemNuma::makePolicy(uint64_t mode_arg, uint64_t nodes, MemPolicy *out)
{
    const int mode_word = (int)mode_arg;
    const int flags = mode_word & mpol::ModeFlags;
    const int mode = mode_word & ~mpol::ModeFlags;
    if (mode < 0 || mode >= mpol::Max || (uint64_t)(uint32_t)mode_word !=
            (mode_arg & 0xffffffffULL))
        return -EINVAL;
    if ((flags & mpol::FStaticNodes) && (flags & mpol::FRelativeNodes))
        return -EINVAL;
    if ((flags & mpol::FNumaBalancing) && mode != mpol::Bind &&
            mode != mpol::Preferred)
        return -EINVAL;

    MemPolicy pol;
    if (mode == mpol::Default) {
        if (nodes)
            return -EINVAL;
        *out = pol;
        return 0;
    }
    if (!nodes) {
        if (mode == mpol::Preferred) {
            if (flags & (mpol::FStaticNodes | mpol::FRelativeNodes))
                return -EINVAL;
            pol.mode = mpol::Local;
            *out = pol;
            return 0;
        }
        if (mode != mpol::Local)
            return -EINVAL;
    } else if (mode == mpol::Local) {
        return -EINVAL;
    }
    const uint64_t valid = nodes & allNodesMask();
    if (mode != mpol::Local && !valid)
        return -EINVAL;
    pol.mode = mode;
    pol.flags = flags & (mpol::FStaticNodes | mpol::FRelativeNodes);
    pol.nodes = mode == mpol::Local ? 0 : valid;
    pol.weights = defaultWeights;
    *out = pol;
    return 0;
}

bool
DeepMemNuma::conforms(const MemPolicy &pol, int node) const
{
    switch (pol.mode) {
      case mpol::Preferred:
        return node == firstNode(pol.nodes);
      case mpol::Bind:
      case mpol::PreferredMany:
      case mpol::Interleave:
      case mpol::WeightedInterleave:
        return pol.nodes & (1ULL << node);
      default:
        return true;
    }
}

int64_t
DeepMemNuma::sysSetMempolicy(ThreadContext *tc, uint64_t mode, Addr nmask,
                             uint64_t maxnode)
{
    ++stats.policySyscalls;
    const int m = (int)mode & ~mpol::ModeFlags;
    if (m < 0 || m >= mpol::Max) {
        ++stats.policySyscallErrors;
        return -EINVAL;
    }
    uint64_t nodes = 0;
    int64_t r = readNodemask(tc, nmask, maxnode, &nodes);
    MemPolicy pol;
    if (r == 0)
        r = makePolicy(mode, nodes, &pol);
    if (r) {
        ++stats.policySyscallErrors;
        return r;
    }
    ProcState &ps = procState(tc->getProcessPtr());
    ps.policy = pol;
    ps.ilCounter = 0;
    return 0;
}

int64_t
DeepMemNuma::sysMbind(ThreadContext *tc, Addr start, uint64_t len,
                      uint64_t mode, Addr nmask, uint64_t maxnode,
                      uint64_t flags)
{
    ++stats.policySyscalls;
    Process *p = tc->getProcessPtr();
    auto fail = [this](int64_t e) {
        ++stats.policySyscallErrors;
        return e;
    };
    const int m = (int)mode & ~mpol::ModeFlags;
    if (m < 0 || m >= mpol::Max)
        return fail(-EINVAL);
    uint64_t nodes = 0;
    int64_t r = readNodemask(tc, nmask, maxnode, &nodes);
    if (r)
        return fail(r);
    if (flags & ~(uint64_t)(mpol::MfStrict | mpol::MfMove |
                            mpol::MfMoveAll))
        return fail(-EINVAL);
    if (start & (pageBytes - 1))
        return fail(-EINVAL);
    const uint64_t rlen = roundUp(len, pageBytes);
    if (rlen < len || start + rlen < start)
        return fail(-EINVAL);
    const Addr end = start + rlen;
    if (end == start)
        return 0;
    MemPolicy pol;
    r = makePolicy(mode, nodes, &pol);
    if (r)
        return fail(r);
    for (Addr va = start; va < end; va += pageBytes) {
        if (!vpageMapped(p, va))
            return fail(-EFAULT);
    }

    ProcState &ps = procState(p);
    setRange(ps, start, end, pol, start >> pageShift);

    int64_t result = 0;
    if (flags & (mpol::MfMove | mpol::MfMoveAll | mpol::MfStrict)) {
        Tick cost = 0;
        bool misplaced = false;
        bool moved_any = false;
        for (Addr va = start; va < end; va += pageBytes) {
            const auto *pte = p->pTable->lookup(va);
            if (!pte)
                continue;
            const int node = nodeOf(pte->paddr);
            if (node < 0 || conforms(pol, node))
                continue;
            if (!(flags & (mpol::MfMove | mpol::MfMoveAll))) {
                misplaced = true;
                continue;
            }
            uint64_t il_index = va >> pageShift;
            vmaPolicy(ps, va, &il_index);
            const int target = policyNode(ps, pol, true, il_index, va,
                                          false);
            const int res = migrateOne(p, va, target, &cost);
            if (res < 0)
                misplaced = true;
            else
                moved_any = true;
        }
        if (moved_any)
            flushTlbs(p);
        chargeStall(p, tc, cost);
        if (misplaced && (flags & mpol::MfStrict))
            result = -EIO;
    }
    if (result)
        ++stats.policySyscallErrors;
    return result;
}

int64_t
DeepMemNuma::sysGetMempolicy(ThreadContext *tc, Addr modep, Addr nmask,
                             uint64_t maxnode, Addr addr, uint64_t flags)
{
    ++stats.policySyscalls;
    auto fail = [this](int64_t e) {
        ++stats.policySyscallErrors;
        return e;
    };
    Process *p = tc->getProcessPtr();
    SETranslatingPortProxy proxy(tc);
    if (flags & ~(uint64_t)(mpol::FNode | mpol::FAddr | mpol::FMemsAllowed))
        return fail(-EINVAL);
    if (nmask && maxnode < (uint64_t)numNodes())
        return fail(-EINVAL);

    int32_t mode_out = 0;
    uint64_t mask_out = 0;
    if (flags & mpol::FMemsAllowed) {
        if (flags & (mpol::FNode | mpol::FAddr))
            return fail(-EINVAL);
        mode_out = mpol::Default;
        mask_out = allNodesMask();
    } else {
        ProcState &ps = procState(p);
        const MemPolicy *pol = nullptr;
        MemPolicy none;
        const Addr vpage = roundDown(addr, pageBytes);
        if (flags & mpol::FAddr) {
            if (!vpageMapped(p, vpage))
                return fail(-EFAULT);
            pol = vmaPolicy(ps, vpage, nullptr);
        } else if (addr) {
            return fail(-EINVAL);
        } else if (ps.policy.mode != mpol::Default) {
            pol = &ps.policy;
        }
        if (!pol)
            pol = &none;

        if (flags & mpol::FNode) {
            if (flags & mpol::FAddr) {
                // Linux faults the page in (get_user_pages) to report it.
                if (!p->pTable->lookup(vpage) && !p->fixupFault(vpage))
                    return fail(-EFAULT);
                const auto *pte = p->pTable->lookup(vpage);
                if (!pte)
                    return fail(-EFAULT);
                mode_out = nodeOf(pte->paddr);
            } else if (pol->mode == mpol::Interleave ||
                       pol->mode == mpol::WeightedInterleave) {
                mode_out = interleaveNode(*pol, ps.ilCounter);
            } else {
                return fail(-EINVAL);
            }
        } else {
            mode_out = pol->mode | pol->flags;
        }
        if (pol->mode != mpol::Default && pol->mode != mpol::Local)
            mask_out = pol->nodes;
    }

    if (modep && !proxy.tryWriteBlob(modep, &mode_out, sizeof(mode_out)))
        return fail(-EFAULT);
    if (nmask) {
        const int64_t r = writeNodemask(tc, nmask, maxnode, mask_out);
        if (r)
            return fail(r);
    }
    return 0;
}

int64_t
DeepMemNuma::sysMovePages(ThreadContext *tc, int64_t pid, uint64_t count,
                          Addr pages, Addr nodes, Addr status,
                          uint64_t flags)
{
    ++stats.policySyscalls;
    auto fail = [this](int64_t e) {
        ++stats.policySyscallErrors;
        return e;
    };
    Process *p = tc->getProcessPtr();
    if (flags & ~(uint64_t)(mpol::MfMove | mpol::MfMoveAll))
        return fail(-EINVAL);
    if ((int32_t)pid != 0 && (uint64_t)(int32_t)pid != p->pid())
        return fail(-ESRCH);
    if (count == 0)
        return 0;
    if (count > (1ULL << 28))
        return fail(-EINVAL);

    SETranslatingPortProxy proxy(tc);
    std::vector<uint64_t> addrs(count);
    if (!readUser(tc, pages, addrs.data(), count * 8))
        return fail(-EFAULT);
    std::vector<int32_t> st(count, 0);

    if (!nodes) {
        for (uint64_t i = 0; i < count; ++i) {
            const Addr va = roundDown(addrs[i], pageBytes);
            if (!vpageMapped(p, va)) {
                st[i] = -EFAULT;
            } else if (const auto *pte = p->pTable->lookup(va)) {
                st[i] = nodeOf(pte->paddr);
            } else {
                st[i] = -ENOENT;
            }
        }
        if (!proxy.tryWriteBlob(status, st.data(), count * 4))
            return fail(-EFAULT);
        return 0;
    }

    std::vector<int32_t> targets(count);
    if (!readUser(tc, nodes, targets.data(), count * 4))
        return fail(-EFAULT);
    for (uint64_t i = 0; i < count; ++i) {
        // Linux: out of range or without memory -> ENODEV.
        if (targets[i] < 0 || targets[i] >= numNodes())
            return fail(-ENODEV);
    }

    Tick cost = 0;
    int64_t not_moved = 0;
    bool moved_any = false;
    for (uint64_t i = 0; i < count; ++i) {
        const Addr va = roundDown(addrs[i], pageBytes);
        if (!vpageMapped(p, va)) {
            st[i] = -EFAULT;
        } else if (!p->pTable->lookup(va)) {
            st[i] = -ENOENT;
        } else {
            const int r = migrateOne(p, va, targets[i], &cost);
            st[i] = r;
            if (r < 0)
                ++not_moved;
            else
                moved_any = true;
        }
    }
    if (moved_any)
        flushTlbs(p);
    chargeStall(p, tc, cost);
    if (!proxy.tryWriteBlob(status, st.data(), count * 4))
        return fail(-EFAULT);
    return not_moved;
}

int64_t
DeepMemNuma::sysMigratePages(ThreadContext *tc, int64_t pid,
                             uint64_t maxnode, Addr old_nodes,
                             Addr new_nodes)
{
    ++stats.policySyscalls;
    auto fail = [this](int64_t e) {
        ++stats.policySyscallErrors;
        return e;
    };
    Process *p = tc->getProcessPtr();
    if ((int32_t)pid != 0 && (uint64_t)(int32_t)pid != p->pid())
        return fail(-ESRCH);
    uint64_t oldm = 0, newm = 0;
    int64_t r = readNodemask(tc, old_nodes, maxnode, &oldm);
    if (r == 0)
        r = readNodemask(tc, new_nodes, maxnode, &newm);
    if (r)
        return fail(r);
    oldm &= allNodesMask();
    newm &= allNodesMask();
    if (!newm)
        return fail(-EINVAL);

    // Like do_migrate_pages(): the i-th source node goes to the i-th
    // destination node (modulo the number of destinations).
    std::vector<int> dest(numNodes(), -1);
    const int ndst = countNodes(newm);
    int idx = 0;
    for (int s = 0; s < numNodes(); ++s) {
        if (!(oldm & (1ULL << s)))
            continue;
        const int d = nthNode(newm, idx % ndst);
        ++idx;
        if (d != s && !(newm & (1ULL << s)))
            dest[s] = d;
    }

    std::vector<Addr> todo;
    for (const auto &[frame, owner] : frameOwner) {
        const int node = nodeOf(frame);
        if (owner.process == p && node >= 0 && dest[node] >= 0)
            todo.push_back(owner.vpage);
    }
    std::sort(todo.begin(), todo.end());
    Tick cost = 0;
    int64_t not_moved = 0;
    for (Addr va : todo) {
        const auto *pte = p->pTable->lookup(va);
        if (!pte)
            continue;
        const int node = nodeOf(pte->paddr);
        if (migrateOne(p, va, dest[node], &cost) < 0)
            ++not_moved;
    }
    if (!todo.empty())
        flushTlbs(p);
    chargeStall(p, tc, cost);
    return not_moved;
}

int64_t
DeepMemNuma::sysGetcpu(ThreadContext *tc, Addr cpu, Addr node)
{
    SETranslatingPortProxy proxy(tc);
    const uint32_t c = tc->contextId();
    const uint32_t n = localNode;
    if (cpu && !proxy.tryWriteBlob(cpu, &c, 4))
        return -EFAULT;
    if (node && !proxy.tryWriteBlob(node, &n, 4))
        return -EFAULT;
    return 0;
}

// ------------------------------------------------------------ migration

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
    for (auto cid : p->contextIds)
        system->threads[cid]->getMMUPtr()->flushAll();
}

void
DeepMemNuma::chargeStall(Process *p, ThreadContext *only, Tick cost)
{
    if (cost == 0)
        return;
    // The thread that migrates (the caller of the syscall, or every
    // running thread of the process for the controller's migrations) is
    // stalled for the modelled time, as Linux migrates synchronously.
    std::vector<ThreadContext *> tcs;
    if (only) {
        tcs.push_back(only);
    } else {
        for (auto cid : p->contextIds) {
            ThreadContext *tc = system->threads[cid];
            if (tc->status() == ThreadContext::Active)
                tcs.push_back(tc);
        }
    }
    if (tcs.empty())
        return;
    for (auto *tc : tcs)
        tc->suspend();
    auto *wake = new EventFunctionWrapper([tcs]() {
        for (auto *tc : tcs) {
            if (tc->status() == ThreadContext::Suspended)
                tc->activate();
        }
    }, name() + ".migrationStall", true);
    schedule(wake, curTick() + cost);
}

// ------------------------------------------------------------- regions

void
DeepMemNuma::noteRegion(Process *process, Addr start, Addr length,
                        const std::string &source)
{
    if (!mainProcess)
        setup(process);
    if (length == 0)
        return;
    newRegions.emplace_back(nextRegionId++, start, length, source);
    if (regionExits)
        exitSimLoop("deepmem.region");
}

std::vector<Addr>
DeepMemNuma::framesIn(Process *process, Addr start, Addr length)
{
    std::vector<Addr> frames;
    const Addr end = start + roundUp(length, pageBytes);
    for (Addr va = roundDown(start, pageBytes); va < end; va += pageBytes) {
        if (const auto *pte = process->pTable->lookup(va))
            frames.push_back(pte->paddr);
    }
    return frames;
}

void
DeepMemNuma::noteUnmap(Process *process, Addr start, Addr length,
                       const std::vector<Addr> &frames)
{
    for (Addr f : frames) {
        auto it = frameOwner.find(f);
        if (it != frameOwner.end() && it->second.process == process &&
                !process->pTable->lookup(it->second.vpage)) {
            releaseFrame(f);
        }
    }
    const Addr s = roundDown(start, pageBytes);
    const Addr e = start + roundUp(length, pageBytes);
    // The VMAs (and their policies) in the hole are gone; the parts left
    // on either side keep theirs.
    clearRanges(procState(process), s, e);
}

void
DeepMemNuma::unmapRange(Process *process, Addr start, Addr length)
{
    if (length == 0)
        return;
    const std::vector<Addr> frames = framesIn(process, start, length);
    process->memState->unmapRegion(start, length);
    noteUnmap(process, start, length, frames);
}

bool
DeepMemNuma::rangeMapped(Process *p, Addr start, Addr len)
{
    if (start + len < start)
        return false;
    for (Addr va = start; va < start + len; va += pageBytes) {
        if (!vpageMapped(p, va))
            return false;
    }
    return true;
}

bool
DeepMemNuma::rangeFree(Process *p, Addr start, Addr len)
{
    if (start + len < start)
        return false;
    // Page by page: MemState::isUnmapped panics on a mapped page that has
    // no VMA (the ELF loader's pages), so ask it only about pages that
    // the page table does not map.
    for (Addr va = start; va < start + len; va += pageBytes) {
        if (p->pTable->lookup(va) || !p->memState->isUnmapped(va, pageBytes))
            return false;
    }
    return true;
}

namespace
{

constexpr uint64_t MremapMayMove = 1;
constexpr uint64_t MremapFixed = 2;
constexpr uint64_t MremapDontUnmap = 4;

} // anonymous namespace

int64_t
DeepMemNuma::sysMremap(ThreadContext *tc, Addr addr, uint64_t old_len,
                       uint64_t new_len, uint64_t flags, Addr new_addr)
{
    Process *p = tc->getProcessPtr();
    if (!mainProcess)
        setup(p);
    if (flags & ~(MremapMayMove | MremapFixed | MremapDontUnmap))
        return -EINVAL;
    if ((flags & MremapFixed) && !(flags & MremapMayMove))
        return -EINVAL;
    if (flags & MremapDontUnmap) {
        warn_once("mremap: MREMAP_DONTUNMAP is not modelled (EINVAL)");
        return -EINVAL;
    }
    if (addr & (pageBytes - 1))
        return -EINVAL;
    const uint64_t olen = roundUp(old_len, pageBytes);
    const uint64_t nlen = roundUp(new_len, pageBytes);
    if (olen < old_len || nlen < new_len || nlen == 0)
        return -EINVAL;
    // Linux: old_len 0 duplicates a shared mapping; private ones: EINVAL.
    if (olen == 0)
        return -EINVAL;
    if (!vpageMapped(p, addr))
        return -EFAULT;

    ProcState &ps = procState(p);
    // Move [src, src + len) to dst with nlen bytes in all: VMAs, pages
    // (their frames go along), the VMA policies (with their interleave
    // index); a grown part is a new part of the VMA, faulted in later,
    // under the policy of the VMA's last page (Linux: the VMA's policy).
    auto move = [&](Addr src, uint64_t len, Addr dst) {
        const std::vector<RangePolicy> pieces = rangesIn(ps, src, src + len);
        uint64_t tail_index = 0;
        const MemPolicy *tail_pol =
            vmaPolicy(ps, src + len - pageBytes, &tail_index);
        const MemPolicy tail = tail_pol ? *tail_pol : MemPolicy();
        p->memState->remapRegion(src, dst, len);
        if (nlen > len)
            p->memState->mapRegion(dst + len, nlen - len, "anon");
        for (Addr off = 0; off < len; off += pageBytes) {
            if (const auto *pte = p->pTable->lookup(dst + off)) {
                auto it = frameOwner.find(pte->paddr);
                if (it != frameOwner.end() && it->second.process == p)
                    it->second.vpage = dst + off;
            }
        }
        clearRanges(ps, src, src + len);
        clearRanges(ps, dst, dst + nlen);
        for (const auto &r : pieces) {
            setRange(ps, r.start - src + dst, r.end - src + dst, r.policy,
                     r.pgoff);
        }
        if (nlen > len && tail.mode != mpol::Default)
            setRange(ps, dst + len, dst + nlen, tail, tail_index + 1);
        noteRegion(p, dst, nlen, "mmap");
    };

    if (flags & MremapFixed) {
        if (new_addr & (pageBytes - 1) || new_addr + nlen < new_addr)
            return -EINVAL;
        if (new_addr < addr + olen && addr < new_addr + nlen)
            return -EINVAL;
        const uint64_t keep = std::min(olen, nlen);
        if (!rangeMapped(p, addr, keep))
            return -EFAULT;
        // Linux: whatever is at the target goes first; a shrinking move
        // drops the old tail.
        unmapRange(p, new_addr, nlen);
        if (olen > nlen)
            unmapRange(p, addr + nlen, olen - nlen);
        move(addr, keep, new_addr);
        return new_addr;
    }

    if (nlen <= olen) {
        if (nlen < olen)
            unmapRange(p, addr + nlen, olen - nlen);
        return addr;
    }
    if (!rangeMapped(p, addr, olen))
        return -EFAULT;
    const uint64_t grow = nlen - olen;
    // Room to grow in place; never into the main stack's reach (gem5
    // grows the stack on a fault below it, without a VMA there).
    const Addr stack_floor = p->memState->getStackBase() -
        p->memState->getMaxStackSize();
    if (addr + nlen <= stack_floor && rangeFree(p, addr + olen, grow)) {
        // In place: the VMA (and its policy) grows.
        uint64_t tail_index = 0;
        const MemPolicy *tail_pol =
            vmaPolicy(ps, addr + olen - pageBytes, &tail_index);
        const MemPolicy tail = tail_pol ? *tail_pol : MemPolicy();
        p->memState->mapRegion(addr + olen, grow, "anon");
        if (tail.mode != mpol::Default)
            setRange(ps, addr + olen, addr + nlen, tail, tail_index + 1);
        noteRegion(p, addr + olen, grow, "mmap");
        return addr;
    }
    if (!(flags & MremapMayMove))
        return -ENOMEM;
    const Addr dst = p->memState->extendMmap(nlen);
    move(addr, olen, dst);
    return dst;
}

// ----------------------------------------------------------- Python API

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
            if (countNodes(mask) != 1)
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
    setRange(procState(mainProcess), s, e, pol, s >> pageShift);
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
    Tick cost = 0;
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
        const int r = migrateOne(mainProcess, va, target, &cost);
        if (r >= 0) {
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
    chargeStall(mainProcess, nullptr, cost);
    return out;
}

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
        out.push_back(__builtin_popcountll(lines));
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

int
DeepMemNuma::pageNode(uint64_t vpn)
{
    if (!mainProcess)
        return -1;
    const auto *pte = mainProcess->pTable->lookup(vpn << pageShift);
    return pte ? nodeOf(pte->paddr) : -1;
}

// ---------------------------------------------------------------- stats

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
