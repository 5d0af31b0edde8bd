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
 * DeepMem.Gem5: Linux memory policies as plain code: the policy of a
 * process or of a VMA, the table of VMA policies of one process, and the
 * node a policy picks. Nothing here depends on a SimObject, so that it can
 * be unit-tested on its own (mem_policy.test.cc).
 */

#ifndef __DEEPMEM_MEM_POLICY_HH__
#define __DEEPMEM_MEM_POLICY_HH__

#include <cstdint>
#include <map>
#include <vector>

#include "base/bitfield.hh"
#include "base/types.hh"

namespace gem5
{

/** Linux memory-policy constants (include/uapi/linux/mempolicy.h). */
namespace mpol
{
constexpr int Default = 0;
constexpr int Preferred = 1;
constexpr int Bind = 2;
constexpr int Interleave = 3;
constexpr int Local = 4;
constexpr int PreferredMany = 5;
constexpr int WeightedInterleave = 6;
constexpr int Max = 7;

constexpr int FStaticNodes = 1 << 15;
constexpr int FRelativeNodes = 1 << 14;
constexpr int FNumaBalancing = 1 << 13;
constexpr int ModeFlags = FStaticNodes | FRelativeNodes | FNumaBalancing;

// get_mempolicy flags
constexpr int FNode = 1;
constexpr int FAddr = 2;
constexpr int FMemsAllowed = 4;

// mbind / move_pages flags
constexpr int MfStrict = 1;
constexpr int MfMove = 2;
constexpr int MfMoveAll = 4;

/** Debian's kernel: CONFIG_NODES_SHIFT=10. */
constexpr int MaxNumNodes = 1024;
} // namespace mpol

/** One memory policy: a Linux mode, its flags, its nodes. */
struct MemPolicy
{
    int mode = mpol::Default;
    int flags = 0;
    uint64_t nodes = 0;
    /** Per-node weights for weighted interleave (index = node). */
    std::vector<unsigned> weights;
};

/** A policy over a virtual range (mbind, or the controller): the policy
 *  of the VMAs there, as Linux keeps it per VMA. */
struct RangePolicy
{
    Addr start;
    Addr end;
    MemPolicy policy;
    /** Interleave index of the first page (Linux: the VMA's vm_pgoff,
     *  which for anonymous memory is the page number it was created at
     *  and which a move by mremap keeps). */
    uint64_t pgoff;
};

/** Whether a node mask holds a node. */
inline bool
hasNode(uint64_t nodes, int node)
{
    return bits(nodes, node);
}

/** The mask of nodes 0 .. n-1. */
inline uint64_t
allNodes(int n)
{
    return mask(n);
}

/** The n-th (0-based, modulo the count) node of a non-empty mask. */
int nthNode(uint64_t nodes, uint64_t n);

/** The lowest node of a mask, or -1 for an empty one. */
int firstNode(uint64_t nodes);

/** The node of interleave position `index` under an interleave or
 *  weighted-interleave policy over `num_nodes` nodes. */
int interleaveNode(const MemPolicy &pol, uint64_t index, int num_nodes);

/** Whether a page on `node` satisfies the policy (mbind MPOL_MF_MOVE). */
bool conforms(const MemPolicy &pol, int node);

/**
 * The policy of a set_mempolicy/mbind mode word and node mask, as Linux
 * validates them: 0 and *out set, or -EINVAL.
 *
 * @param all_nodes mask of the nodes that exist (others are dropped)
 * @param weights default weights of weighted interleave, per node
 */
int64_t makePolicy(uint64_t mode_arg, uint64_t nodes, uint64_t all_nodes,
                   const std::vector<unsigned> &weights, MemPolicy *out);

/**
 * The VMA policies of one process: disjoint ranges, keyed by start
 * address. A range without an entry has no VMA policy (MPOL_DEFAULT).
 */
class PolicyTable
{
  public:
    explicit PolicyTable(unsigned page_shift) : pageShift(page_shift) {}

    /** The VMA policy at a page (nullptr: none) and, for interleaving,
     *  the page's index in its VMA (if il_index is not null). */
    const MemPolicy *find(Addr vpage, uint64_t *il_index) const;
    /** Drop the VMA policies of [start, end), splitting ranges that
     *  cross its ends. */
    void clear(Addr start, Addr end);
    /** Give [start, end) one VMA policy (MPOL_DEFAULT: none). */
    void set(Addr start, Addr end, const MemPolicy &pol, uint64_t pgoff);
    /** The VMA policies inside [start, end), cut to it. */
    std::vector<RangePolicy> in(Addr start, Addr end) const;

    size_t size() const { return ranges.size(); }

  private:
    unsigned pageShift;
    std::map<Addr, RangePolicy> ranges;
};

} // namespace gem5

#endif // __DEEPMEM_MEM_POLICY_HH__
