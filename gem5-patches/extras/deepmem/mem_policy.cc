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

#include "deepmem/mem_policy.hh"

#include <algorithm>
#include <cerrno>
#include <iterator>

namespace gem5
{

int
nthNode(uint64_t nodes, uint64_t n)
{
    n %= popCount(nodes);
    for (; n > 0; --n)
        nodes &= nodes - 1; // drop the lowest node
    return findLsbSet(nodes);
}

int
firstNode(uint64_t nodes)
{
    return nodes ? findLsbSet(nodes) : -1;
}

int
interleaveNode(const MemPolicy &pol, uint64_t index, int num_nodes)
{
    if (pol.mode != mpol::WeightedInterleave)
        return nthNode(pol.nodes, index);
    auto weight = [&pol](int node) -> uint64_t {
        return node < (int)pol.weights.size() ? pol.weights[node] : 1;
    };
    uint64_t total = 0;
    for (int i = 0; i < num_nodes; ++i) {
        if (hasNode(pol.nodes, i))
            total += weight(i);
    }
    uint64_t pos = index % total;
    for (int i = 0; i < num_nodes; ++i) {
        if (!hasNode(pol.nodes, i))
            continue;
        if (pos < weight(i))
            return i;
        pos -= weight(i);
    }
    return firstNode(pol.nodes);
}

bool
conforms(const MemPolicy &pol, int node)
{
    switch (pol.mode) {
      case mpol::Preferred:
        return node == firstNode(pol.nodes);
      case mpol::Bind:
      case mpol::PreferredMany:
      case mpol::Interleave:
      case mpol::WeightedInterleave:
        return hasNode(pol.nodes, node);
      default:
        return true;
    }
}

int64_t
makePolicy(uint64_t mode_arg, uint64_t nodes, uint64_t all_nodes,
           const std::vector<unsigned> &weights, MemPolicy *out)
{
    const int mode_word = (int)mode_arg;
    const int flags = mode_word & mpol::ModeFlags;
    const int mode = mode_word & ~mpol::ModeFlags;
    if (mode < 0 || mode >= mpol::Max || (uint64_t)(uint32_t)mode_word !=
            (mode_arg & mask(32)))
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
    const uint64_t valid = nodes & all_nodes;
    if (mode != mpol::Local && !valid)
        return -EINVAL;
    pol.mode = mode;
    pol.flags = flags & (mpol::FStaticNodes | mpol::FRelativeNodes);
    pol.nodes = mode == mpol::Local ? 0 : valid;
    pol.weights = weights;
    *out = pol;
    return 0;
}

const MemPolicy *
PolicyTable::find(Addr vpage, uint64_t *il_index) const
{
    auto it = ranges.upper_bound(vpage);
    if (it == ranges.begin())
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
PolicyTable::clear(Addr start, Addr end)
{
    if (start >= end)
        return;
    // A range that starts before `start` and reaches into the hole is
    // cut there; its part beyond `end` (if any) becomes a range of its own.
    auto it = ranges.lower_bound(start);
    if (it != ranges.begin()) {
        auto prev = std::prev(it);
        RangePolicy &r = prev->second;
        if (r.end > start) {
            if (r.end > end) {
                RangePolicy tail = r;
                tail.start = end;
                tail.pgoff = r.pgoff + ((end - r.start) >> pageShift);
                ranges.emplace(end, tail);
            }
            r.end = start;
        }
    }
    it = ranges.lower_bound(start);
    while (it != ranges.end() && it->first < end) {
        RangePolicy r = it->second;
        it = ranges.erase(it);
        if (r.end > end) {
            r.pgoff += (end - r.start) >> pageShift;
            r.start = end;
            ranges.emplace(end, r);
            break;
        }
    }
}

void
PolicyTable::set(Addr start, Addr end, const MemPolicy &pol, uint64_t pgoff)
{
    clear(start, end);
    if (start < end && pol.mode != mpol::Default)
        ranges.emplace(start, RangePolicy{start, end, pol, pgoff});
}

std::vector<RangePolicy>
PolicyTable::in(Addr start, Addr end) const
{
    std::vector<RangePolicy> out;
    auto it = ranges.upper_bound(start);
    if (it != ranges.begin())
        --it;
    for (; it != ranges.end() && it->first < end; ++it) {
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

} // namespace gem5
