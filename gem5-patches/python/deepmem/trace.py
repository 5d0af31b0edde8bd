"""Window-trace writer and checker, the gem5 side's one home of the format
(docs/trace-format.md; the C# side's is DeepMem.Estimator.TraceFormat).
No gem5: the C# conformance test drives this writer under plain CPython."""

from __future__ import annotations

import gzip
import json
from typing import IO, Sequence

FORMAT = "deepmem-window-trace"
VERSION = 1
FILE_SUFFIX = ".trace.jsonl.gz"
CALIBRATION_FILE = "calibration" + FILE_SUFFIX


def header(page_size: int, window_instructions: int,
           ticks_per_second: int, cpu: str, nodes: Sequence[dict],
           bound_node: int | None, default_policy: dict,
           binary: str, args: Sequence[str], cores: int = 1) -> dict:
    """The header line's fields (`format` and `version` are added by the
    writer). `nodes`: {"name", "kind", "capacity_bytes",
    "bandwidth_gbps"} in node order; `cpu`: "TimingSimple" or "O3";
    `default_policy`: {"mode", "nodes", "weights"}; `cores`: CPU cores
    of the run, written only when more than 1 (readers take 1 when absent)."""
    h = {
        "page_size": page_size,
        "window_instructions": window_instructions,
        "ticks_per_second": ticks_per_second,
        "cpu": cpu,
        "nodes": [{"id": i, "name": n["name"], "kind": n["kind"],
                   "capacity_bytes": n["capacity_bytes"],
                   "bandwidth_gbps": n["bandwidth_gbps"]}
                  for i, n in enumerate(nodes)],
        "bound_node": bound_node,
        "default_policy": dict(default_policy),
        "workload": {"binary": binary, "args": list(args)},
    }
    if cores != 1:
        h["cores"] = cores
    return h


class TraceWriter:
    """gzip-compressed JSON lines: header, regions and windows, end."""

    def __init__(self, path: str, header: dict):
        self._f: IO[str] = gzip.open(path, "wt", encoding="utf-8")
        self._windows = 0
        self._write(dict({"format": FORMAT, "version": VERSION}, **header))

    def _write(self, obj: dict) -> None:
        self._f.write(json.dumps(obj, separators=(",", ":")) + "\n")

    def region(self, region_id: int, start: int, length: int,
               source: str) -> None:
        self._write({"region": {"id": region_id, "start": start,
                                "length": length, "source": source}})

    def window(self, ticks: int, insts: int, pages: Sequence[int],
               reads: Sequence[int], writes: Sequence[int],
               nodes: Sequence[int],
               resident: Sequence[int] | None = None,
               migrated: Sequence[int] | None = None,
               mem: Sequence[Sequence[int]] | None = None,
               touches: Sequence[tuple[int, int]] | None = None) -> None:
        line = {"w": self._windows, "ticks": ticks, "insts": insts,
                "pages": list(pages), "reads": list(reads),
                "writes": list(writes), "nodes": list(nodes)}
        if resident is not None:
            # Frames the process holds per node at the window's end, traced
            # or not (program image, stack, page tables): the estimator
            # charges the untraced ones against node capacity.
            line["resident"] = list(resident)
        if migrated is not None and migrated[0]:
            # [pages, ticks]: pages moved at this window's start (the
            # controller's reply to the previous epoch) and the stall gem5
            # charged for them, which is part of this window's ticks.
            line["migrated"] = [int(migrated[0]), int(migrated[1])]
        if mem is not None:
            # Per node: [reads, writes, read_latency_ticks, queue_ticks]
            # the node's memory interface served in this window (bursts;
            # summed read latency from arrival to data, and its queueing
            # part): bandwidth and memory-level parallelism per window.
            line["mem"] = [[int(v) for v in node] for node in mem]
        if touches is not None:
            # The CPU's data accesses in this window, per page: the pages
            # (sorted) and how many of their cache lines were touched,
            # hits included. A page moved to a new frame loses its cached
            # lines, so these are what a move makes the caches refetch.
            line["cpu_pages"] = [int(p) for p, _ in touches]
            line["cpu_lines"] = [int(n) for _, n in touches]
        self._write(line)
        self._windows += 1

    @property
    def windows(self) -> int:
        return self._windows

    def end(self, ticks: int, insts: int, exit_code: int) -> None:
        self._write({"end": True, "ticks": ticks, "insts": insts,
                     "exit_code": exit_code})
        self._f.close()


def read_trace(path: str) -> tuple[dict, list[dict], list[dict], dict]:
    """(header, regions, windows, end) of a trace; checks the shape."""
    regions, windows, end = [], [], None
    with gzip.open(path, "rt", encoding="utf-8") as f:
        header = json.loads(f.readline())
        if header.get("format") != FORMAT:
            raise ValueError(f"{path}: not a {FORMAT} file")
        for line in f:
            obj = json.loads(line)
            if "region" in obj:
                regions.append(obj["region"])
            elif "w" in obj:
                n = len(obj["pages"])
                for key in ("reads", "writes", "nodes"):
                    if len(obj[key]) != n:
                        raise ValueError(f"{path}: window {obj['w']}: "
                                         f"{key} has {len(obj[key])} "
                                         f"entries, pages {n}")
                if len(obj.get("cpu_lines", [])) != len(
                        obj.get("cpu_pages", [])):
                    raise ValueError(f"{path}: window {obj['w']}: "
                                     "cpu_lines and cpu_pages differ in "
                                     "length")
                windows.append(obj)
            elif obj.get("end"):
                end = obj
    if end is None:
        raise ValueError(f"{path}: no end line (truncated run?)")
    return header, regions, windows, end
