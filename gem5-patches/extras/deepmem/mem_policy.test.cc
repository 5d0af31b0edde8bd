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

#include <gtest/gtest.h>

#include <cerrno>

#include "deepmem/mem_policy.hh"

using namespace gem5;

namespace
{

constexpr unsigned PageShift = 12;
constexpr Addr Page = Addr(1) << PageShift;

MemPolicy
policy(int mode, uint64_t nodes)
{
    MemPolicy pol;
    pol.mode = mode;
    pol.nodes = nodes;
    return pol;
}

} // anonymous namespace

TEST(MemPolicyNodes, NthAndFirstNode)
{
    EXPECT_EQ(nthNode(0b1010, 0), 1);
    EXPECT_EQ(nthNode(0b1010, 1), 3);
    EXPECT_EQ(nthNode(0b1010, 2), 1); // modulo the node count
    EXPECT_EQ(firstNode(0b1100), 2);
    EXPECT_EQ(firstNode(0), -1);
    EXPECT_EQ(allNodes(3), 0b111u);
    EXPECT_EQ(allNodes(64), ~uint64_t(0));
}

TEST(MemPolicyNodes, InterleaveFollowsTheWeights)
{
    MemPolicy pol = policy(mpol::WeightedInterleave, 0b11);
    pol.weights = {3, 1};
    const int want[] = {0, 0, 0, 1, 0, 0, 0, 1};
    for (int i = 0; i < 8; ++i)
        EXPECT_EQ(interleaveNode(pol, i, 2), want[i]) << "index " << i;

    const MemPolicy plain = policy(mpol::Interleave, 0b101);
    EXPECT_EQ(interleaveNode(plain, 0, 3), 0);
    EXPECT_EQ(interleaveNode(plain, 1, 3), 2);
    EXPECT_EQ(interleaveNode(plain, 2, 3), 0);
}

TEST(MemPolicyNodes, Conforms)
{
    EXPECT_TRUE(conforms(policy(mpol::Bind, 0b10), 1));
    EXPECT_FALSE(conforms(policy(mpol::Bind, 0b10), 0));
    EXPECT_TRUE(conforms(policy(mpol::Preferred, 0b100), 2));
    EXPECT_FALSE(conforms(policy(mpol::Preferred, 0b100), 1));
    EXPECT_TRUE(conforms(policy(mpol::Local, 0), 5));
}

TEST(MemPolicyMake, ValidatesLikeLinux)
{
    const std::vector<unsigned> w{1, 1};
    MemPolicy pol;
    EXPECT_EQ(makePolicy(mpol::Bind, 0b10, 0b11, w, &pol), 0);
    EXPECT_EQ(pol.mode, mpol::Bind);
    EXPECT_EQ(pol.nodes, 0b10u);
    // Offline nodes are dropped; none left is EINVAL.
    EXPECT_EQ(makePolicy(mpol::Bind, 0b100, 0b11, w, &pol), -EINVAL);
    EXPECT_EQ(makePolicy(mpol::Default, 0b1, 0b11, w, &pol), -EINVAL);
    EXPECT_EQ(makePolicy(mpol::Local, 0b1, 0b11, w, &pol), -EINVAL);
    EXPECT_EQ(makePolicy(mpol::Max, 0b1, 0b11, w, &pol), -EINVAL);
    // Preferred without nodes means local.
    EXPECT_EQ(makePolicy(mpol::Preferred, 0, 0b11, w, &pol), 0);
    EXPECT_EQ(pol.mode, mpol::Local);
    EXPECT_EQ(makePolicy(mpol::Interleave | mpol::FStaticNodes |
                         mpol::FRelativeNodes, 0b11, 0b11, w, &pol),
              -EINVAL);
}

TEST(PolicyTable, SetFindAndSplit)
{
    PolicyTable table(PageShift);
    table.set(10 * Page, 20 * Page, policy(mpol::Bind, 0b10), 10);
    uint64_t index = 0;
    const MemPolicy *pol = table.find(15 * Page, &index);
    ASSERT_NE(pol, nullptr);
    EXPECT_EQ(pol->mode, mpol::Bind);
    EXPECT_EQ(index, 15u);
    EXPECT_EQ(table.find(20 * Page, nullptr), nullptr);
    EXPECT_EQ(table.find(9 * Page, nullptr), nullptr);

    // A hole in the middle leaves two ranges that keep their index.
    table.clear(12 * Page, 14 * Page);
    EXPECT_EQ(table.size(), 2u);
    EXPECT_EQ(table.find(13 * Page, nullptr), nullptr);
    ASSERT_NE(table.find(14 * Page, &index), nullptr);
    EXPECT_EQ(index, 14u);

    const std::vector<RangePolicy> in = table.in(11 * Page, 16 * Page);
    ASSERT_EQ(in.size(), 2u);
    EXPECT_EQ(in[0].start, 11 * Page);
    EXPECT_EQ(in[0].end, 12 * Page);
    EXPECT_EQ(in[0].pgoff, 11u);
    EXPECT_EQ(in[1].start, 14 * Page);
    EXPECT_EQ(in[1].end, 16 * Page);

    // MPOL_DEFAULT over a range removes its policy.
    table.set(0, 30 * Page, MemPolicy(), 0);
    EXPECT_EQ(table.size(), 0u);
}
