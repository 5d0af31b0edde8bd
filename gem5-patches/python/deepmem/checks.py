"""The checks patched gem5 makes on a controller's replies, in pure Python.

`Gem5Backend` runs them before calling into C++ (a node id that does not
fit a C++ int would otherwise raise pybind11's TypeError, whose text holds
both argument lists, as the reason of every item); the scripted backend
runs the same functions, so a controller sees the same verdict, with the
same words, from both. The order and wording follow
`DeepMemNuma::setRegionPolicy` and `DeepMemNuma::migratePages`
(gem5-patches/extras/deepmem/deepmem_numa_python.cc).
"""

from __future__ import annotations

from deepmem import events as ev


def node_problem(node: int, nodes: int) -> str | None:
    if not 0 <= node < nodes:
        return f"node {node} out of range (nodes: {nodes})"
    return None


def placement_problem(placement: ev.Placement, nodes: int,
                      region_known: bool) -> str | None:
    """The first reason gem5 refuses `placement`, or None."""
    if not region_known:
        return f"region {placement.region_id} is unknown"
    for n in placement.nodes:
        p = node_problem(n, nodes)
        if p:
            return p
    weights, chosen = placement.weights, placement.nodes
    if weights and len(weights) != len(chosen):
        return f"{len(weights)} weights for {len(chosen)} nodes"
    mode = placement.mode
    if mode == "default":
        return None
    if mode == "interleave" and weights:
        mode = "weighted-interleave"
    if not chosen:
        return f"mode '{mode}' needs at least one node"
    if mode == "preferred" and len(set(chosen)) != 1:
        return "mode 'preferred' takes exactly one node"
    for n, w in zip(chosen, weights):
        if w == 0:
            return f"weight of node {n} is 0"
    return None


def page_not_mapped(page: int) -> str:
    return f"page {page:#x} is not mapped"


def node_full(node: int) -> str:
    return f"node {node} is full"
