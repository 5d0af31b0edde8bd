"""Configuration of a DeepMem gem5 run, without gem5.

Everything here is plain Python (no `m5`), so the parsing of node specs and
policies, the node address map, the emulated NUMA files for libnuma and the
parsing of gem5's stats.txt run under plain CPython and in CI.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field
from typing import Iterable, Sequence

PAGE_SIZE = 4096
MIB = 1 << 20


@dataclass(frozen=True)
class Preset:
    """A device preset: gem5 interface class and the cost-model numbers."""

    kind: str
    interface: str
    # Copy bandwidth used by the migration cost model (GB/s).
    bandwidth_gbps: float
    # Latency added in front of the controller (CXL-like link), ns.
    added_latency_ns: float = 0.0
    # Unloaded device latencies, for reports only (ns).
    read_latency_ns: float = 0.0
    write_latency_ns: float = 0.0
    # Channels (controllers) the node's addresses are interleaved over.
    channels: int = 1


# The device presets: one table both sides read (device_presets.json next
# to this file; the C# side embeds it). Its read/write latencies are the
# device's own; here they include the link (added_latency_ns), as gem5
# sees them.
PRESETS_FILE = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                            "device_presets.json")


def load_presets(path: str = PRESETS_FILE
                 ) -> tuple[dict[str, Preset], tuple[int, ...], int]:
    """(presets by name, channel counts gem5 builds, bytes per channel
    before the next) from the preset table."""
    with open(path, encoding="utf-8") as f:
        table = json.load(f)
    presets = {}
    for p in table["presets"]:
        added = float(p["added_latency_ns"])
        presets[p["name"]] = Preset(
            p["kind"], p["interface"], float(p["bandwidth_gbps"]), added,
            float(p["read_latency_ns"]) + added,
            float(p["write_latency_ns"]) + added, int(p["channels"]))
    return (presets, tuple(int(c) for c in table["channel_counts"]),
            int(table["channel_interleave_bytes"]))


PRESETS, CHANNEL_COUNTS, CHANNEL_INTERLEAVE = load_presets()


@dataclass(frozen=True)
class NodeSpec:
    name: str
    preset: str
    size_bytes: int
    kind: str
    interface: str
    bandwidth_gbps: float
    added_latency_ns: float
    read_latency_ns: float
    write_latency_ns: float
    channels: int = 1


@dataclass(frozen=True)
class PolicySpec:
    mode: str  # local | bind | preferred | interleave | weighted-interleave
    nodes: tuple[int, ...] = ()
    weights: tuple[int, ...] = ()

    @property
    def gem5_mode(self) -> str:
        """The mode as DeepMemNuma's default_mode (the DeepMemPolicyMode
        enum of DeepMemNuma.py: C++ names, so '_' for '-')."""
        return self.mode.replace("-", "_")


_SIZE_RE = re.compile(r"^\s*(\d+)\s*([KMGT]i?B|B)?\s*$", re.IGNORECASE)
_UNITS = {"": 1, "b": 1, "kb": 1000, "kib": 1 << 10, "mb": 1000**2,
          "mib": 1 << 20, "gb": 1000**3, "gib": 1 << 30, "tb": 1000**4,
          "tib": 1 << 40}
_LAT_RE = re.compile(r"^\s*([\d.]+)\s*(ns|us|ps)?\s*$")


def parse_size(text: str) -> int:
    """'64MiB' -> 67108864. Raises ValueError naming the text."""
    m = _SIZE_RE.match(text)
    if not m:
        raise ValueError(f"size '{text}' is not a number with an optional "
                         "unit (B, KiB, MiB, GiB, KB, MB, GB)")
    return int(m.group(1)) * _UNITS[(m.group(2) or "").lower()]


def parse_latency_ns(text: str) -> float:
    m = _LAT_RE.match(text)
    if not m:
        raise ValueError(f"latency '{text}' is not a number with ns, us or "
                         "ps")
    scale = {"ns": 1.0, "us": 1000.0, "ps": 0.001, None: 1.0}[m.group(2)]
    return float(m.group(1)) * scale


def parse_node(text: str) -> NodeSpec:
    """NAME:PRESET:SIZE[:bw=GBPS][:latency=NS][:interface=CLASS]
    [:channels=N]."""
    parts = text.split(":")
    if len(parts) < 3:
        raise ValueError(f"node '{text}' must be NAME:PRESET:SIZE with "
                         "optional :bw=GBPS, :latency=NS, :interface=CLASS, "
                         ":channels=N")
    name, preset_name, size_text = parts[0], parts[1].lower(), parts[2]
    if not re.match(r"^[A-Za-z_][A-Za-z0-9_]*$", name):
        raise ValueError(f"node name '{name}' must be an identifier")
    if preset_name not in PRESETS:
        raise ValueError(f"node '{name}': preset '{preset_name}' is not one "
                         f"of {', '.join(sorted(PRESETS))}")
    p = PRESETS[preset_name]
    size = parse_size(size_text)
    if size < MIB or size % MIB:
        raise ValueError(f"node '{name}': size must be a positive multiple "
                         f"of 1 MiB (was {size_text})")
    bw, lat, iface = p.bandwidth_gbps, p.added_latency_ns, p.interface
    channels = p.channels
    for opt in parts[3:]:
        key, _, value = opt.partition("=")
        if key == "bw":
            bw = float(value)
            if bw <= 0:
                raise ValueError(f"node '{name}': bw must be > 0 GB/s "
                                 f"(was {value})")
        elif key == "latency":
            lat = parse_latency_ns(value)
        elif key == "interface":
            iface = value
        elif key == "channels":
            if not value.isdigit() or int(value) not in CHANNEL_COUNTS:
                *most, last = CHANNEL_COUNTS
                counts = ", ".join(str(c) for c in most) + f" or {last}"
                raise ValueError(f"node '{name}': channels must be {counts} "
                                 f"(was {value})")
            channels = int(value)
        else:
            raise ValueError(f"node '{name}': unknown option '{opt}' "
                             "(bw=, latency=, interface=, channels=)")
    extra = lat - p.added_latency_ns
    return NodeSpec(name, preset_name, size, p.kind, iface, bw, lat,
                    p.read_latency_ns + extra, p.write_latency_ns + extra,
                    channels)


def check_nodes(nodes: Sequence[NodeSpec]) -> list[str]:
    problems = []
    if len(nodes) < 1:
        problems.append("at least one --node is needed")
    if len(nodes) > 64:
        problems.append(f"at most 64 nodes (was {len(nodes)})")
    names = [n.name for n in nodes]
    for n in sorted(set(names)):
        if names.count(n) > 1:
            problems.append(f"node name '{n}' is used {names.count(n)} "
                            "times")
    return problems


def node_ranges(nodes: Sequence[NodeSpec], base: int = 0
                ) -> list[tuple[int, int]]:
    """(start, size) of each node: consecutive, non-interleaved, in node
    order, so gem5's pool id (rank by start address) equals the node id."""
    out, start = [], base
    for n in nodes:
        out.append((start, n.size_bytes))
        start += n.size_bytes
    return out


def parse_policy(text: str, num_nodes: int) -> PolicySpec:
    """local | bind:N[,N] | preferred:N | interleave:N,N |
    weighted-interleave:N=W,N=W."""
    mode, _, rest = text.partition(":")
    mode = mode.strip().lower()
    modes = ("local", "bind", "preferred", "interleave",
             "weighted-interleave")
    if mode not in modes:
        raise ValueError(f"policy '{text}': mode must be one of "
                         f"{', '.join(modes)}")
    if mode == "local":
        if rest:
            raise ValueError(f"policy '{text}': local takes no nodes")
        return PolicySpec("local")
    if not rest:
        raise ValueError(f"policy '{text}': {mode} needs nodes, e.g. "
                         f"{mode}:0,1")
    nodes, weights = [], []
    for item in rest.split(","):
        node_text, eq, w_text = item.partition("=")
        try:
            node = int(node_text)
        except ValueError:
            raise ValueError(f"policy '{text}': '{node_text}' is not a node "
                             "number") from None
        if not 0 <= node < num_nodes:
            raise ValueError(f"policy '{text}': node {node} out of range "
                             f"(nodes: {num_nodes})")
        nodes.append(node)
        if eq:
            if mode != "weighted-interleave":
                raise ValueError(f"policy '{text}': weights are only for "
                                 "weighted-interleave")
            weights.append(int(w_text))
            if weights[-1] < 1:
                raise ValueError(f"policy '{text}': weight of node {node} "
                                 f"must be >= 1 (was {w_text})")
    if mode == "preferred" and len(nodes) != 1:
        raise ValueError(f"policy '{text}': preferred takes one node")
    if weights and len(weights) != len(nodes):
        raise ValueError(f"policy '{text}': give a weight for every node "
                         "or for none")
    return PolicySpec(mode, tuple(nodes), tuple(weights))


def bound_node(policy: PolicySpec) -> int | None:
    """The single node every page goes to, or None."""
    if policy.mode in ("bind", "preferred") and len(policy.nodes) == 1:
        return policy.nodes[0]
    return None


def _list(ids: Iterable[int]) -> str:
    ids = sorted(ids)
    if not ids:
        return ""
    runs, start, prev = [], ids[0], ids[0]
    for i in ids[1:] + [None]:
        if i is not None and i == prev + 1:
            prev = i
            continue
        runs.append(f"{start}" if start == prev else f"{start}-{prev}")
        if i is not None:
            start = prev = i
    return ",".join(runs)


def numa_files(nodes: Sequence[NodeSpec], cpus: int = 1,
               cpu_node: int = 0) -> dict[str, str]:
    """Files that libnuma reads, relative to a folder F. gem5 redirects
    /sys/devices/system/ to F/sys/ and /proc/self/ to F/proc/ (gem5 only
    redirects paths below a folder, so whole folders are emulated: the
    node topology, a CPU folder with `cpus` CPUs, and /proc/self/status
    with Cpus_allowed and Mems_allowed). A trailing '/' names an empty
    folder."""
    n = len(nodes)
    all_nodes = _list(range(n))
    cpu_list = _list(range(cpus))
    files = {
        "sys/node/possible": all_nodes + "\n",
        "sys/node/online": all_nodes + "\n",
        "sys/node/has_memory": all_nodes + "\n",
        "sys/node/has_normal_memory": all_nodes + "\n",
        "sys/node/has_cpu": f"{cpu_node}\n",
        "sys/cpu/possible": cpu_list + "\n",
        "sys/cpu/present": cpu_list + "\n",
        "sys/cpu/online": cpu_list + "\n",
    }
    for c in range(cpus):
        files[f"sys/cpu/cpu{c}/"] = ""
    cpu_mask = (1 << cpus) - 1
    for i, node in enumerate(nodes):
        kb = node.size_bytes // 1024
        mine = i == cpu_node
        files[f"sys/node/node{i}/cpumap"] = (
            f"{cpu_mask if mine else 0:08x}\n")
        files[f"sys/node/node{i}/cpulist"] = (
            (cpu_list if mine else "") + "\n")
        files[f"sys/node/node{i}/meminfo"] = (
            f"Node {i} MemTotal:       {kb:8d} kB\n"
            f"Node {i} MemFree:        {kb:8d} kB\n"
            f"Node {i} MemUsed:        {0:8d} kB\n")
        dist = " ".join("10" if j == i else "20" for j in range(n))
        files[f"sys/node/node{i}/distance"] = dist + "\n"
    mems = (1 << n) - 1
    files["proc/status"] = (
        "Name:\tworkload\n"
        f"Cpus_allowed:\t{cpu_mask:x}\n"
        f"Cpus_allowed_list:\t{cpu_list}\n"
        f"Mems_allowed:\t{mems:08x}\n"
        f"Mems_allowed_list:\t{all_nodes}\n")
    return files


# ------------------------------------------------------------ stats.txt

_STAT_LINE = re.compile(r"^(\S+)\s+(-?[\d.eE+-]+|nan|inf|-inf)\s")


def parse_stats(text: str, dump: int = -1) -> dict[str, float]:
    """One dump of gem5's stats.txt (the last by default) as name -> value.
    Vector entries keep gem5's names (`a.b::sub`)."""
    dumps: list[dict[str, float]] = []
    current: dict[str, float] | None = None
    for line in text.splitlines():
        if line.startswith("---------- Begin Simulation Statistics"):
            current = {}
            continue
        if line.startswith("---------- End Simulation Statistics"):
            if current is not None:
                dumps.append(current)
            current = None
            continue
        if current is None:
            continue
        m = _STAT_LINE.match(line + " ")
        if m:
            current[m.group(1)] = float(m.group(2))
    if current:
        dumps.append(current)
    if not dumps:
        raise ValueError("no statistics dump in the text")
    return dumps[dump]


@dataclass
class NodeTotals:
    name: str
    reads: int
    writes: int
    ctrl_reads: int
    ctrl_writes: int


def node_totals(stats: dict[str, float], names: Sequence[str],
                numa_path: str = "system.numa",
                ctrl_path: str = "system.mem_ctrls{i}") -> list[NodeTotals]:
    """Telemetry totals next to each controller's own request counts."""
    out = []
    for i, name in enumerate(names):
        ctrl = ctrl_path.format(i=i)
        out.append(NodeTotals(
            name,
            int(stats.get(f"{numa_path}.reads::{name}", -1)),
            int(stats.get(f"{numa_path}.writes::{name}", -1)),
            int(stats.get(f"{ctrl}.readReqs", -1)),
            int(stats.get(f"{ctrl}.writeReqs", -1))))
    return out
