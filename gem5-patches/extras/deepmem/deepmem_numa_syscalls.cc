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
 * DeepMem.Gem5: the memory-policy system calls (set_mempolicy, mbind,
 * get_mempolicy, move_pages, migrate_pages, getcpu) with Linux's
 * checks and error numbers.
 */

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "base/intmath.hh"
#include "base/trace.hh"
#include "cpu/thread_context.hh"
#include "debug/DeepMem.hh"
#include "deepmem/deepmem_numa.hh"
#include "mem/page_table.hh"
#include "mem/se_translating_port_proxy.hh"
#include "sim/process.hh"

namespace gem5
{

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
    const uint64_t nbits = maxnode - 1;
    if (nbits == 0)
        return 0;
    if (nbits > pageBytes * 8)
        return -EINVAL;
    const uint64_t words = divCeil(nbits, 64);
    std::vector<uint64_t> buf(words, 0);
    if (!readUser(tc, nmask, buf.data(), words * 8))
        return -EFAULT;
    if (nbits % 64)
        buf[words - 1] &= gem5::mask(nbits % 64);
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
        r = makePolicy(mode, nodes, allNodesMask(), defaultWeights, &pol);
    if (r) {
        ++stats.policySyscallErrors;
        return r;
    }
    // The calling thread's policy only, as in Linux.
    Process *p = tc->getProcessPtr();
    TaskState &ts = taskState(p);
    ts.policy = pol;
    ts.ilCounter = 0;
    DPRINTF(DeepMem, "set_mempolicy: pid %d, mode %d, nodes %#x\n",
            p->pid(), pol.mode, pol.nodes);
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
    r = makePolicy(mode, nodes, allNodesMask(), defaultWeights, &pol);
    if (r)
        return fail(r);
    for (Addr va = start; va < end; va += pageBytes) {
        if (!vpageMapped(p, va))
            return fail(-EFAULT);
    }

    PolicyTable &vma = vmaPolicies(p);
    TaskState &ts = taskState(p);
    vma.set(start, end, pol, start >> pageShift);
    DPRINTF(DeepMem, "mbind [%#x, %#x): mode %d, nodes %#x, flags %#x\n",
            start, end, pol.mode, pol.nodes, flags);

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
            vma.find(va, &il_index);
            const int target = policyNode(ts, pol, true, il_index, va,
                                          false);
            const int res = migrateOne(p, va, target, &cost);
            if (res < 0)
                misplaced = true;
            else
                moved_any = true;
        }
        if (moved_any)
            flushTlbs(p);
        chargeStall(tc, cost);
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
        TaskState &ts = taskState(p);
        const MemPolicy *pol = nullptr;
        MemPolicy none;
        const Addr vpage = roundDown(addr, pageBytes);
        if (flags & mpol::FAddr) {
            if (!vpageMapped(p, vpage))
                return fail(-EFAULT);
            pol = vmaPolicies(p).find(vpage, nullptr);
        } else if (addr) {
            return fail(-EINVAL);
        } else if (ts.policy.mode != mpol::Default) {
            // The calling thread's policy.
            pol = &ts.policy;
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
                mode_out = interleaveNode(*pol, ts.ilCounter, numNodes());
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
    if (!ownPid(p, pid))
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
    chargeStall(tc, cost);
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
    if (!ownPid(p, pid))
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
    const int ndst = popCount(newm);
    int idx = 0;
    for (int s = 0; s < numNodes(); ++s) {
        if (!hasNode(oldm, s))
            continue;
        const int d = nthNode(newm, idx % ndst);
        ++idx;
        if (d != s && !hasNode(newm, s))
            dest[s] = d;
    }

    std::vector<Addr> todo;
    for (const auto &[frame, owner] : frameOwner) {
        const int node = nodeOf(frame);
        // Pages of every thread of the process, exited ones included.
        if (sameSpace(owner.process, p) && node >= 0 && dest[node] >= 0)
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
    chargeStall(tc, cost);
    return not_moved;
}

int64_t
DeepMemNuma::sysGetcpu(ThreadContext *tc, Addr cpu, Addr node)
{
    SETranslatingPortProxy proxy(tc);
    // The core the thread runs on: one thread context per CPU.
    const uint32_t c = tc->cpuId();
    const uint32_t n = localNode;
    if (cpu && !proxy.tryWriteBlob(cpu, &c, 4))
        return -EFAULT;
    if (node && !proxy.tryWriteBlob(node, &n, 4))
        return -EFAULT;
    return 0;
}

} // namespace gem5
