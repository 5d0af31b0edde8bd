"""A stdlib-style heterogeneous memory system: one device per node.

Each node is one device with its own non-interleaved address range, so
gem5's SE mode builds one frame pool per node (pool id = rank by start
address = node id, as the ranges are consecutive). A device has one
`MemCtrl` per channel; a node with several channels (the hbm preset: 8
pseudo channels) interleaves its range over them every CHANNEL_INTERLEAVE
bytes, as gem5's multi-channel memories do. A CXL-like node puts a
`Bridge` with the added latency in front of each controller. With
telemetry on, a `CommMonitor` sits in front of each controller and a
`DeepMemPageProbe` on it counts the requests per page for its node.
"""

from __future__ import annotations

from typing import List, Sequence, Tuple

import m5.objects as objects
from m5.objects import AddrRange, Bridge, CommMonitor, MemCtrl, Port

from gem5.components.memory.abstract_memory_system import (
    AbstractMemorySystem,
)

from deepmem.config import CHANNEL_INTERLEAVE, NodeSpec, node_ranges


def _channel_range(start: int, size: int, channels: int,
                   channel: int) -> AddrRange:
    """Channel `channel`'s share of a node's range."""
    if channels == 1:
        return AddrRange(start, size=size)
    bits = channels.bit_length() - 1
    low = CHANNEL_INTERLEAVE.bit_length() - 1
    return AddrRange(start, size=size, intlvHighBit=low + bits - 1,
                     xorHighBit=0, intlvBits=bits, intlvMatch=channel)


def quiet_monitor() -> CommMonitor:
    # The monitor only hosts the probe point; its own histograms cost host
    # time and are turned off.
    return CommMonitor(
        disable_burst_length_hists=True,
        disable_bandwidth_hists=True,
        disable_latency_hists=True,
        disable_itt_dists=True,
        disable_outstanding_hists=True,
        disable_transaction_hists=True,
        disable_addr_dists=True,
    )


class HeteroMemorySystem(AbstractMemorySystem):
    """N devices, each one NUMA node (presets: ddr4, nvm, hbm, cxl)."""

    def __init__(self, nodes: Sequence[NodeSpec], telemetry: bool = True,
                 base: int = 0) -> None:
        super().__init__()
        if not nodes:
            raise ValueError("HeteroMemorySystem needs at least one node")
        self._nodes = list(nodes)
        self._telemetry = telemetry
        self._ranges = [AddrRange(start, size=size)
                        for start, size in node_ranges(nodes, base)]
        ctrls, links, monitors = [], [], []
        self._entries: list = []
        # Node of each controller (controllers are in node order).
        self._ctrl_node: list[int] = []
        # The CXL-like link in front of each controller, or None.
        self._ctrl_link: list = []
        for node, (spec, rng) in enumerate(zip(self._nodes, self._ranges)):
            iface_cls = getattr(objects, spec.interface, None)
            if iface_cls is None:
                raise ValueError(f"node '{spec.name}': gem5 has no memory "
                                 f"interface '{spec.interface}'")
            for ch in range(spec.channels):
                crng = _channel_range(int(rng.start), spec.size_bytes,
                                      spec.channels, ch)
                ctrl = MemCtrl(dram=iface_cls(range=crng))
                ctrls.append(ctrl)
                self._ctrl_node.append(node)
                self._ctrl_link.append(None)
                entry = ctrl.port
                if telemetry:
                    mon = quiet_monitor()
                    monitors.append(mon)
                    mon.mem_side_port = entry
                    entry = mon.cpu_side_port
                if spec.added_latency_ns > 0:
                    # A bridge delays the request and the response: half
                    # each.
                    link = Bridge(delay=f"{spec.added_latency_ns / 2}ns",
                                  ranges=[crng], req_size=32, resp_size=32)
                    links.append(link)
                    self._ctrl_link[-1] = link
                    link.mem_side_port = entry
                    entry = link.cpu_side_port
                self._entries.append((crng, entry))
        self.mem_ctrls = ctrls
        if links:
            self.links = links
        if monitors:
            self.monitors = monitors

    # --------------------------------------------------- DeepMem helpers
    def node_specs(self) -> List[NodeSpec]:
        return list(self._nodes)

    def node_ranges(self) -> List[AddrRange]:
        return list(self._ranges)

    def node_controllers(self) -> List[List[MemCtrl]]:
        """The controllers of each node (one per channel), in node order."""
        out: List[List[MemCtrl]] = [[] for _ in self._nodes]
        for ctrl, node in zip(self.mem_ctrls, self._ctrl_node):
            out[node].append(ctrl)
        return out

    def attach_probes(self, numa) -> None:
        """Count requests per page for `numa` (telemetry on only)."""
        if not self._telemetry:
            return
        from m5.objects import DeepMemPageProbe

        for mon, node in zip(self.monitors, self._ctrl_node):
            mon.page_probe = DeepMemPageProbe(
                manager=[mon], probe_name="PktRequest", numa=numa, node=node)

    def connect(self, membus) -> None:
        """Plug every node into a classic crossbar."""
        for _, entry in self._entries:
            membus.mem_side_ports = entry

    # ---------------------------------------------- AbstractMemorySystem
    def incorporate_memory(self, board) -> None:
        pass

    def get_mem_ports(self) -> Sequence[Tuple[AddrRange, Port]]:
        return list(self._entries)

    def get_memory_controllers(self) -> List[MemCtrl]:
        return list(self.mem_ctrls)

    def get_size(self) -> int:
        return sum(n.size_bytes for n in self._nodes)

    def set_memory_range(self, ranges: List[AddrRange]) -> None:
        if len(ranges) != 1 or ranges[0].size() != self.get_size():
            raise ValueError("HeteroMemorySystem takes one range of "
                             f"{self.get_size()} bytes, split by node")
        start = int(ranges[0].start)
        by_node = self.node_controllers()
        for i, spec in enumerate(self._nodes):
            self._ranges[i] = AddrRange(start, size=spec.size_bytes)
            for ch, ctrl in enumerate(by_node[i]):
                ctrl.dram.range = _channel_range(start, spec.size_bytes,
                                                 spec.channels, ch)
            start += spec.size_bytes
        self._entries = [(ctrl.dram.range, entry) for ctrl, (_, entry)
                         in zip(self.mem_ctrls, self._entries)]
        # A link only forwards the ranges it was built with.
        for ctrl, link in zip(self.mem_ctrls, self._ctrl_link):
            if link is not None:
                link.ranges = [ctrl.dram.range]

    def get_uninterleaved_range(self) -> List[AddrRange]:
        return list(self._ranges)
