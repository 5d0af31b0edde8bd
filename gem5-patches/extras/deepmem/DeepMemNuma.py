# DeepMem.Gem5: the NUMA machine (policies, placement, migration,
# telemetry totals) for gem5 SE mode.

from m5.params import *
from m5.proxy import *
from m5.SimObject import (
    PyBindMethod,
    SimObject,
)


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
    default_mode = Param.String(
        "local",
        "Policy when neither mbind nor set_mempolicy applies: local, bind, "
        "preferred, interleave, weighted-interleave",
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
