"""Run by gem5 (e2e.py): HeteroMemorySystem.set_memory_range moves every
controller's range and the CXL-like link in front of it. Prints OK."""

import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "..", "gem5-patches", "python"))

from m5.objects import AddrRange  # noqa: E402

from deepmem.config import parse_node  # noqa: E402
from deepmem.memory import HeteroMemorySystem  # noqa: E402

MIB = 1 << 20
mem = HeteroMemorySystem([parse_node("dram:ddr4:64MiB"),
                          parse_node("far:cxl:32MiB")])
base = 0x100000000
mem.set_memory_range([AddrRange(base, size=96 * MIB)])
ranges = [(int(r.start), int(r.end)) for r in mem.get_uninterleaved_range()]
assert ranges == [(base, base + 64 * MIB),
                  (base + 64 * MIB, base + 96 * MIB)], ranges
assert len(mem.links) == 1
link_ranges = [(int(r.start), int(r.end)) for r in mem.links[0].ranges]
assert link_ranges == [ranges[1]], (link_ranges, ranges[1])
ports = [(int(r.start), int(r.end)) for r, _ in mem.get_mem_ports()]
assert ports == ranges, ports
print("OK")
