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
 * DeepMem.Gem5: changes of the address space: new regions (mmap, brk),
 * munmap (frames back to their pools, VMA policies dropped) and mremap
 * (the VMA policy moves and grows with the mapping).
 */

#include <algorithm>
#include <cerrno>

#include "base/intmath.hh"
#include "base/logging.hh"
#include "cpu/thread_context.hh"
#include "deepmem/deepmem_numa.hh"
#include "mem/page_table.hh"
#include "sim/mem_state.hh"
#include "sim/process.hh"
#include "sim/sim_exit.hh"

namespace gem5
{

bool
DeepMemNuma::vpageMapped(Process *p, Addr vpage)
{
    if (p->pTable->lookup(vpage))
        return true;
    return !p->memState->isUnmapped(vpage, pageBytes);
}

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
        if (it != frameOwner.end() &&
                sameSpace(it->second.process, process) &&
                !process->pTable->lookup(it->second.vpage)) {
            releaseFrame(f);
        }
    }
    const Addr s = roundDown(start, pageBytes);
    const Addr e = start + roundUp(length, pageBytes);
    // The VMAs (and their policies) in the hole are gone; the parts left
    // on either side keep theirs.
    vmaPolicies(process).clear(s, e);
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

    PolicyTable &vma = vmaPolicies(p);
    // Move [src, src + len) to dst with nlen bytes in all: VMAs, pages
    // (their frames go along), the VMA policies (with their interleave
    // index); a grown part is a new part of the VMA, faulted in later,
    // under the policy of the VMA's last page (Linux: the VMA's policy).
    auto move = [&](Addr src, uint64_t len, Addr dst) {
        const std::vector<RangePolicy> pieces = vma.in(src, src + len);
        uint64_t tail_index = 0;
        const MemPolicy *tail_pol =
            vma.find(src + len - pageBytes, &tail_index);
        const MemPolicy tail = tail_pol ? *tail_pol : MemPolicy();
        p->memState->remapRegion(src, dst, len);
        if (nlen > len)
            p->memState->mapRegion(dst + len, nlen - len, "anon");
        for (Addr off = 0; off < len; off += pageBytes) {
            if (const auto *pte = p->pTable->lookup(dst + off)) {
                auto it = frameOwner.find(pte->paddr);
                if (it != frameOwner.end() &&
                        sameSpace(it->second.process, p))
                    it->second.vpage = dst + off;
            }
        }
        vma.clear(src, src + len);
        vma.clear(dst, dst + nlen);
        for (const auto &r : pieces) {
            vma.set(r.start - src + dst, r.end - src + dst, r.policy,
                    r.pgoff);
        }
        if (nlen > len && tail.mode != mpol::Default)
            vma.set(dst + len, dst + nlen, tail, tail_index + 1);
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
            vma.find(addr + olen - pageBytes, &tail_index);
        const MemPolicy tail = tail_pol ? *tail_pol : MemPolicy();
        p->memState->mapRegion(addr + olen, grow, "anon");
        if (tail.mode != mpol::Default)
            vma.set(addr + olen, addr + nlen, tail, tail_index + 1);
        noteRegion(p, addr + olen, grow, "mmap");
        return addr;
    }
    if (!(flags & MremapMayMove))
        return -ENOMEM;
    const Addr dst = p->memState->extendMmap(nlen);
    move(addr, olen, dst);
    return dst;
}

} // namespace gem5
