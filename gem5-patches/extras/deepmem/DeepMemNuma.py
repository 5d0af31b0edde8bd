# Copyright (c) 2026 The DeepMem.Gem5 authors
# All rights reserved.
#
# Redistribution and use in source and binary forms, with or without
# modification, are permitted provided that the following conditions are
# met: redistributions of source code must retain the above copyright
# notice, this list of conditions and the following disclaimer;
# redistributions in binary form must reproduce the above copyright
# notice, this list of conditions and the following disclaimer in the
# documentation and/or other materials provided with the distribution;
# neither the name of the copyright holders nor the names of its
# contributors may be used to endorse or promote products derived from
# this software without specific prior written permission.
#
# THIS SOFTWARE IS PROVIDED BY THE COPYRIGHT HOLDERS AND CONTRIBUTORS
# "AS IS" AND ANY EXPRESS OR IMPLIED WARRANTIES, INCLUDING, BUT NOT
# LIMITED TO, THE IMPLIED WARRANTIES OF MERCHANTABILITY AND FITNESS FOR
# A PARTICULAR PURPOSE ARE DISCLAIMED. IN NO EVENT SHALL THE COPYRIGHT
# OWNER OR CONTRIBUTORS BE LIABLE FOR ANY DIRECT, INDIRECT, INCIDENTAL,
# SPECIAL, EXEMPLARY, OR CONSEQUENTIAL DAMAGES (INCLUDING, BUT NOT
# LIMITED TO, PROCUREMENT OF SUBSTITUTE GOODS OR SERVICES; LOSS OF USE,
# DATA, OR PROFITS; OR BUSINESS INTERRUPTION) HOWEVER CAUSED AND ON ANY
# THEORY OF LIABILITY, WHETHER IN CONTRACT, STRICT LIABILITY, OR TORT
# (INCLUDING NEGLIGENCE OR OTHERWISE) ARISING IN ANY WAY OUT OF THE USE
# OF THIS SOFTWARE, EVEN IF ADVISED OF THE POSSIBILITY OF SUCH DAMAGE.

# DeepMem.Gem5: the NUMA machine (policies, placement, migration,
# telemetry totals) for gem5 SE mode.

from m5.params import *
from m5.proxy import *
from m5.SimObject import (
    PyBindMethod,
    SimObject,
)


class DeepMemPolicyMode(ScopedEnum):
    """Linux memory-policy modes a run's default policy can have."""

    vals = ["local", "bind", "preferred", "interleave", "weighted_interleave"]


class DeepMemNuma(SimObject):
    type = "DeepMemNuma"
    cxx_header = "deepmem/deepmem_numa.hh"
    cxx_class = "gem5::DeepMemNuma"

    node_ranges = VectorParam.AddrRange(
        "Physical range of each node, in node order"
    )
    node_names = VectorParam.String([], "Name of each node (for stats)")
    node_bandwidth = VectorParam.Float(
        "Copy bandwidth of each node in GB/s (migration cost)"
    )
    interleave_weights = VectorParam.UInt32(
        [], "Per-node weights of MPOL_WEIGHTED_INTERLEAVE (default 1)"
    )
    local_node = Param.Int(0, "Node of the CPU (first touch, getcpu)")
    default_mode = Param.DeepMemPolicyMode(
        "local", "Policy when neither mbind nor set_mempolicy applies"
    )
    default_nodes = VectorParam.Int([], "Nodes of the default policy")
    migration_page_latency = Param.Latency(
        "2us", "Fixed cost of migrating one page"
    )
    region_exits = Param.Bool(
        False, "Exit the simulation loop when a region is created"
    )
    page_bytes = Param.Addr(4096, "Page size of the workload")

    cxx_exports = [
        PyBindMethod("takeRegions"),
        PyBindMethod("setRegionPolicy"),
        PyBindMethod("migratePages"),
        PyBindMethod("takePageCounts"),
        PyBindMethod("takeTouches"),
        PyBindMethod("takeNodeCounts"),
        PyBindMethod("nodeSummary"),
        PyBindMethod("takeMigrationTotals"),
        PyBindMethod("pageNode"),
    ]
