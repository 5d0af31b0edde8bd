"""A scripted simulator: the bridge server without gem5, for contract tests.

It plays a JSON script of events through the real bridge (`driver.py`,
`server.py`) and checks the controller's replies the way patched gem5
does, so a controller sees the same rejections it would see from gem5.

Command line (run with PYTHONPATH=gem5-patches/python)::

    /usr/bin/python3 -m deepmem.bridge.scripted --script FILE.json
        [--host 127.0.0.1] [--port 0] [--port-file PATH]
        [--allow-remote] [--token-file PATH]
        [--reply-timeout SECONDS] [--connect-timeout SECONDS]
        [--fallback default|stop]
        [--transcript PATH]
        [--die-after K] [--die-exit-code N]
        [--hang-before K] [--event-seconds S]
        [--protocol-version N]

Once listening it prints one line ``DEEPMEM_BRIDGE_PORT=<n>`` on stdout
(and writes ``<n>`` to --port-file when given). Log lines go to stderr,
each starting with ``deepmem-bridge:`` or ``scripted:``. The token comes
from the first line of --token-file, else from $DEEPMEM_BRIDGE_TOKEN.

Failure simulation (K counts script events from 1; with a controller that
answers everything, event K is the message with sequence K):

* ``--die-after K``: after event K was sent and its reply applied, when the
  simulator would produce the next event, print a line to stderr and
  ``os._exit(--die-exit-code)`` (default 70): the stream breaks mid-run.
  K = 0 dies right after the session opens.
* ``--hang-before K``: sleep forever instead of producing event K (the
  controller's own deadline must fire; end the process with a signal).
* ``--event-seconds S``: take S host seconds to produce each event after
  the first, as gem5 takes host time to simulate an epoch.
* ``--protocol-version N``: the server speaks version N (the real one is 2),
  so a current controller is refused with a line naming both versions.

Exit status: 0 run completed and every expectation met; 3 an expectation
failed (one ``scripted: expectation failed: ...`` line each on stderr);
2 bad command line, script or bridge options; 1 internal error;
--die-exit-code when told to die.

Script format (plain JSON)::

    {
      "machine": {                        # all optional but "nodes"
        "simulator": "deepmem scripted",  "page_size": 4096,
        "binary": "/bin/true", "args": [], "working_dir": "",
        "epoch_instructions": 1000000, "ticks_per_second": 1e12,
        "cpu_model": "TimingSimple", "epoch_ticks": 0, "cores": 1,
        "nodes": [
          {"id": 0, "name": "dram", "kind": "dram",
           "capacity_bytes": 1073741824, "base_address": 0,
           "read_latency_ns": 50, "write_latency_ns": 50,
           "bandwidth_gbps": 19.2,
           "used_pages": 0}               # frames taken by others
        ]
      },
      "events": [
        {"region_created": {"region_id": 1, "start_address": 4194304,
                            "length_bytes": 65536, "source": "mmap",
                            "program_policy": "", "instructions": 0,
                            "tick": 0},
         "expect": {"call": "placement", "applied": 1, "rejected": [],
                    "placement": {"mode": "bind", "nodes": [1]}}},
        {"epoch_ended": {"epoch": 0, "start_tick": 0, "end_tick": 1000,
                         "epoch_instructions": 1000000,
                         "total_instructions": 1000000,
                         "pages": [[1024, 10, 2, 0], [1025, 3, 0, 1]]},
         "expect": {"call": "migrations", "applied": 1, "rejected": [1],
                    "migrations": [[1024, 1], [99999, 0]]}},
        {"epoch_ended": {"epoch": 1, "start_tick": 1000, "end_tick": 2000,
                         "epoch_instructions": 1000000,
                         "total_instructions": 2000000,
                         "synthetic_pages": {"count": 10000,
                                             "first_page": 1024,
                                             "node": 0,
                                             "reads": 1, "writes": 0}}},
        {"finished": {"exit_code": 0, "ticks": 2000,
                      "simulated_seconds": 2e-09, "instructions": 2000000,
                      "output_dir": "m5out"}}
      ]
    }

Events are region_created, epoch_ended, finished, failed (fields as in
`deepmem.events`; "pages" rows are [page_number, reads, writes, node]; an
epoch without "nodes" gets per-node stats computed from the script state).
Anything after the first finished/failed is never reached; a script
without one ends with a plain Finished. After a Stop (reply or fallback)
the next event is the script's finished event, else a plain Finished.

State and checks (as patched gem5 does them):

* a page is *mapped* when it lies in a region created so far, and
  *resident* on a node once an epoch reported it there (or it migrated);
* with the checks and words of patched gem5 (`deepmem.checks`), first
  problem only: a migration is rejected when the node does not exist, the
  page is not mapped (in no region, or never touched: gem5 has no page
  table entry for it yet), or the target node is full (resident pages +
  used_pages = capacity in pages); a page already on its target counts as
  applied;
* a placement is rejected when the region is unknown, a node does not
  exist, weights differ in number from the nodes, a mode other than
  default names no node, preferred names more than one, or a weight is
  0.

Expectations (optional "expect" per event) describe what the *simulator*
saw between this event and the next: "call" is one of "placement",
"migrations", "stop", "none" (an ack, a reply the bridge rejected as a
whole, or no reply at all); "applied" and "rejected" (item indices) are
the backend's verdict; "placement" / "migrations" compare the items.

--transcript writes one JSON object per line: {"event": k, "kind": ...}
when event k is produced, {"call": ..., "event": k, "items": ...,
"applied": n, "rejected": [[index, reason], ...]} per backend call,
{"stop": reason}, and last {"result": {...}} with the run summary.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import sys
import time
from dataclasses import fields
from typing import Any, Sequence

from deepmem import checks
from deepmem import events as ev
from deepmem.safeio import say

DEFAULT_DIE_EXIT_CODE = 70
EXIT_EXPECTATION = 3
EXIT_USAGE = 2

_EVENT_TYPES = {
    "region_created": ev.RegionCreated,
    "epoch_ended": ev.EpochEnded,
    "finished": ev.Finished,
    "failed": ev.Failed,
}
_CALLS = ("placement", "migrations", "stop", "none")


def _say(message: str) -> None:
    say(f"scripted: {message}")


class ScriptError(ValueError):
    """The script is malformed; `problems` lists every problem."""

    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


# ------------------------------------------------------------------ parse

def _check_fields(where: str, data: Any, allowed: Sequence[str],
                  required: Sequence[str], problems: list[str]) -> bool:
    if not isinstance(data, dict):
        problems.append(f"{where} must be an object "
                        f"(was {type(data).__name__})")
        return False
    for key in data:
        if key not in allowed:
            problems.append(f"{where}: unknown field {key!r} "
                            f"(known: {', '.join(allowed)})")
    for key in required:
        if key not in data:
            problems.append(f"{where}: missing field {key!r}")
    return True


def _build(cls: type, where: str, data: dict, problems: list[str]) -> Any:
    known = {f.name for f in fields(cls)}  # unknown ones are reported apart
    try:
        return cls(**{k: v for k, v in data.items() if k in known})
    except TypeError as exc:
        problems.append(f"{where}: {exc}")
        return None


def _parse_machine(data: Any, problems: list[str]):
    machine_fields = [f.name for f in fields(ev.MachineInfo)]
    node_fields = [f.name for f in fields(ev.NodeInfo)] + ["used_pages"]
    if not _check_fields("machine", data, machine_fields, ["nodes"],
                         problems):
        return None, {}
    nodes = []
    used: dict[int, int] = {}
    raw_nodes = data.get("nodes", [])
    if not isinstance(raw_nodes, list) or not raw_nodes:
        problems.append("machine.nodes must be a non-empty list")
        raw_nodes = []
    for i, raw in enumerate(raw_nodes):
        where = f"machine.nodes[{i}]"
        if not _check_fields(where, raw, node_fields,
                             ["id", "name", "kind", "capacity_bytes"],
                             problems):
            continue
        raw = dict(raw)
        used_pages = raw.pop("used_pages", 0)
        raw.setdefault("base_address", 0)
        node = _build(ev.NodeInfo, where, raw, problems)
        if node is not None:
            nodes.append(node)
            used[node.id] = int(used_pages)
    ids = sorted(n.id for n in nodes)
    if ids and ids != list(range(len(ids))):
        problems.append(f"machine.nodes ids must be 0..{len(ids) - 1} "
                        f"(were {ids})")
    rest = {k: v for k, v in data.items() if k != "nodes"}
    rest.setdefault("simulator", "deepmem scripted")
    rest.setdefault("page_size", 4096)
    rest.setdefault("binary", "")
    if "ticks_per_second" in rest:
        rest["ticks_per_second"] = int(rest["ticks_per_second"])
    if not isinstance(rest["page_size"], int) or rest["page_size"] <= 0:
        problems.append("machine.page_size must be a positive integer "
                        f"(was {rest['page_size']!r})")
    info = _build(ev.MachineInfo, "machine", {**rest, "nodes": tuple(nodes)},
                  problems)
    return info, used


def _parse_epoch(where: str, data: dict, problems: list[str]):
    data = dict(data)
    pages = data.pop("pages", None)
    synthetic = data.pop("synthetic_pages", None)
    nodes = data.pop("nodes", None)
    if pages is not None and synthetic is not None:
        problems.append(f"{where}: give pages or synthetic_pages, not both")
    cols: tuple[list[int], ...] = ([], [], [], [])
    if isinstance(pages, list):
        for j, row in enumerate(pages):
            if (not isinstance(row, list) or len(row) != 4
                    or not all(isinstance(x, int) for x in row)):
                problems.append(f"{where}.pages[{j}] must be "
                                "[page_number, reads, writes, node] "
                                f"(was {row!r})")
                continue
            for col, x in zip(cols, row):
                col.append(x)
    elif isinstance(pages, dict):
        keys = ("page_numbers", "reads", "writes", "nodes")
        if _check_fields(f"{where}.pages", pages, keys, keys, problems):
            lens = {len(pages[k]) for k in keys}
            if len(lens) != 1:
                problems.append(f"{where}.pages: arrays differ in length")
            else:
                cols = tuple(list(pages[k]) for k in keys)
    elif pages is not None:
        problems.append(f"{where}.pages must be a list of rows or an "
                        "object of arrays")
    if synthetic is not None:
        keys = ("count", "first_page", "node", "reads", "writes")
        if _check_fields(f"{where}.synthetic_pages", synthetic, keys,
                         ("count", "first_page"), problems):
            n = int(synthetic["count"])
            first = int(synthetic["first_page"])
            cols = (list(range(first, first + n)),
                    [int(synthetic.get("reads", 1))] * n,
                    [int(synthetic.get("writes", 0))] * n,
                    [int(synthetic.get("node", 0))] * n)
    stats = None
    if nodes is not None:
        stats = []
        allowed = [f.name for f in fields(ev.NodeStats)]
        for j, raw in enumerate(nodes):
            w = f"{where}.nodes[{j}]"
            if _check_fields(w, raw, allowed, ["node"], problems):
                s = _build(ev.NodeStats, w, raw, problems)
                if s is not None:
                    stats.append(s)
    epoch = _build(ev.EpochEnded, where,
                   {**data, "page_numbers": tuple(cols[0]),
                    "reads": tuple(cols[1]), "writes": tuple(cols[2]),
                    "page_nodes": tuple(cols[3]),
                    "nodes": tuple(stats or ())}, problems)
    return epoch, stats is None


def _parse_expect(where: str, data: Any, problems: list[str]) -> dict:
    keys = ("call", "applied", "rejected", "placement", "migrations")
    if not _check_fields(where, data, keys, (), problems):
        return {}
    if "call" in data and data["call"] not in _CALLS:
        problems.append(f"{where}.call must be one of {', '.join(_CALLS)} "
                        f"(was {data['call']!r})")
    return dict(data)


class Script:
    """A parsed script: machine, events, per-event expectations."""

    def __init__(self, data: Any):
        problems: list[str] = []
        if not _check_fields("script", data, ("machine", "events"),
                             ("machine", "events"), problems):
            raise ScriptError(problems)
        self.machine, self.used_pages = _parse_machine(data["machine"],
                                                       problems)
        self.events: list[ev.Event] = []
        self.auto_stats: list[bool] = []
        self.expect: list[dict] = []
        raw_events = data["events"]
        if not isinstance(raw_events, list):
            problems.append("events must be a list")
            raw_events = []
        for i, raw in enumerate(raw_events):
            where = f"events[{i}]"
            if not isinstance(raw, dict):
                problems.append(f"{where} must be an object")
                continue
            kinds = [k for k in raw if k in _EVENT_TYPES]
            others = [k for k in raw if k not in _EVENT_TYPES
                      and k != "expect"]
            if len(kinds) != 1 or others:
                problems.append(
                    f"{where} must hold exactly one of "
                    f"{', '.join(_EVENT_TYPES)} and optionally expect "
                    f"(had {', '.join(raw) or 'nothing'})")
                continue
            kind = kinds[0]
            body = raw[kind]
            where = f"{where}.{kind}"
            if not isinstance(body, dict):
                problems.append(f"{where} must be an object")
                continue
            auto = False
            if kind == "epoch_ended":
                event, auto = _parse_epoch(where, body, problems)
            else:
                event = _build(_EVENT_TYPES[kind], where, body, problems)
            self.events.append(event)
            self.auto_stats.append(auto)
            self.expect.append(_parse_expect(f"events[{i}].expect",
                                             raw.get("expect", {}),
                                             problems))
        if problems:
            raise ScriptError(problems)

    @classmethod
    def load(cls, path: str) -> "Script":
        try:
            with open(path, encoding="utf-8") as f:
                data = json.load(f)
        except OSError as exc:
            raise ScriptError([f"cannot read {path}: {exc.strerror}"])
        except json.JSONDecodeError as exc:
            raise ScriptError([f"{path} is not valid JSON: {exc}"])
        return cls(data)


# ---------------------------------------------------------------- backend

class ScriptedBackend:
    """`SimulatorBackend` that plays a `Script` and checks replies."""

    def __init__(self, script: Script, die_after: int | None = None,
                 die_exit_code: int = DEFAULT_DIE_EXIT_CODE,
                 hang_before: int | None = None,
                 event_seconds: float = 0.0,
                 transcript: str = ""):
        self.script = script
        self.machine = script.machine
        self.page_size = self.machine.page_size
        self.capacity = {n.id: n.capacity_bytes // self.page_size
                         for n in self.machine.nodes}
        self.used = dict(script.used_pages)
        self.die_after = die_after
        self.die_exit_code = die_exit_code
        self.hang_before = hang_before
        self.event_seconds = event_seconds
        self._transcript = (open(transcript, "w", encoding="utf-8")
                            if transcript else None)
        self.regions: dict[int, tuple[int, int]] = {}  # id -> page range
        self.resident: dict[int, int] = {}  # page -> node
        self.on_node: dict[int, int] = {}  # node -> resident pages
        self.placements: dict[int, ev.Placement] = {}
        self.migrated_pages = 0
        self.stop_reason: str | None = None
        self.produced = 0  # events produced so far
        # what the simulator saw after each event: (call, items, outcome)
        self.seen: list[list[tuple[str, Any, ev.Outcome | None]]] = []
        self.done = False

    # ------------------------------------------------------ protocol

    def machine_info(self) -> ev.MachineInfo:
        return self.machine

    def next_event(self) -> ev.Event:
        if self.done:
            raise RuntimeError("next_event called after Finished/Failed")
        if self.die_after is not None and self.produced >= self.die_after:
            _say(f"dying after event {self.produced} as told "
                 f"(exit code {self.die_exit_code})")
            if self._transcript:
                self._transcript.close()
            os._exit(self.die_exit_code)
        if self.hang_before is not None and \
                self.produced + 1 >= self.hang_before:
            _say(f"hanging before event {self.produced + 1} as told")
            while True:
                time.sleep(3600)
        if self.event_seconds > 0 and self.produced > 0:
            time.sleep(self.event_seconds)  # host time of simulating
        event = self._next_from_script()
        self.produced += 1
        self.seen.append([])
        if isinstance(event, (ev.Finished, ev.Failed)):
            self.done = True
        self._record({"event": self.produced,
                      "kind": type(event).__name__})
        return event

    def _next_from_script(self) -> ev.Event:
        events = self.script.events
        if self.stop_reason is not None:
            final = next((e for e in events[self.produced:]
                          if isinstance(e, (ev.Finished, ev.Failed))),
                         None)
            return final if final is not None else self._plain_finished()
        if self.produced >= len(events):
            return self._plain_finished()
        event = events[self.produced]
        if isinstance(event, ev.RegionCreated):
            first = event.start_address // self.page_size
            end = -(-(event.start_address + event.length_bytes)
                    // self.page_size)
            self.regions[event.region_id] = (first, end)
        elif isinstance(event, ev.EpochEnded):
            for page, node in zip(event.page_numbers, event.page_nodes):
                self._move(page, node)
            if self.script.auto_stats[self.produced]:
                event = self._with_stats(event)
        return event

    def _plain_finished(self) -> ev.Finished:
        return ev.Finished(exit_code=0, ticks=0, simulated_seconds=0.0,
                           instructions=0,
                           migrated_pages=self.migrated_pages)

    def _with_stats(self, epoch: ev.EpochEnded) -> ev.EpochEnded:
        reads = dict.fromkeys(self.capacity, 0)
        writes = dict.fromkeys(self.capacity, 0)
        for r, w, node in zip(epoch.reads, epoch.writes, epoch.page_nodes):
            if node in reads:
                reads[node] += r
                writes[node] += w
        stats = tuple(
            ev.NodeStats(node=n, reads=reads[n], writes=writes[n],
                         bytes_read=64 * reads[n],
                         bytes_written=64 * writes[n],
                         resident_pages=self._resident_on(n),
                         free_pages=max(0, self.capacity[n]
                                        - self._in_use(n)))
            for n in sorted(self.capacity))
        return dataclasses.replace(epoch, nodes=stats)

    def _move(self, page: int, node: int) -> None:
        old = self.resident.get(page)
        if old is not None:
            self.on_node[old] -= 1
        self.resident[page] = node
        self.on_node[node] = self.on_node.get(node, 0) + 1

    def _resident_on(self, node: int) -> int:
        return self.on_node.get(node, 0)

    def _in_use(self, node: int) -> int:
        return self._resident_on(node) + self.used.get(node, 0)

    def apply_placement(self, placement: ev.Placement) -> ev.Outcome:
        problem = checks.placement_problem(
            placement, len(self.capacity), placement.region_id in self.regions)
        if problem:
            outcome = ev.Outcome(0, [ev.Rejection(0, problem)])
        else:
            self.placements[placement.region_id] = placement
            outcome = ev.Outcome(1, [])
        self._saw("placement", placement, outcome)
        return outcome

    def apply_migrations(self, migrations: Sequence[ev.Migration]
                         ) -> ev.Outcome:
        outcome = ev.Outcome()
        nodes = len(self.capacity)
        for i, m in enumerate(migrations):
            # gem5's order: node id, page table entry, node already, room.
            problem = checks.node_problem(m.target_node, nodes)
            page = m.page_number
            current = self.resident.get(page)
            if problem is None and (current is None
                                    or not self._in_region(page)):
                # A page is in gem5's page table once touched.
                problem = checks.page_not_mapped(page)
            if (problem is None and current != m.target_node
                    and self._in_use(m.target_node)
                    >= self.capacity[m.target_node]):
                problem = checks.node_full(m.target_node)
            if problem:
                outcome.rejections.append(ev.Rejection(i, problem))
                continue
            if current != m.target_node:
                self._move(page, m.target_node)
                self.migrated_pages += 1
            outcome.applied += 1
        self._saw("migrations", list(migrations), outcome)
        return outcome

    def _in_region(self, page: int) -> bool:
        return any(lo <= page < hi for lo, hi in self.regions.values())

    def stop(self, reason: str) -> None:
        self.stop_reason = reason
        self._saw("stop", reason, None)

    # --------------------------------------------------- bookkeeping

    def _record(self, entry: dict) -> None:
        if self._transcript:
            self._transcript.write(json.dumps(entry) + "\n")
            self._transcript.flush()

    def _saw(self, call: str, items: Any, outcome: ev.Outcome | None) -> None:
        if self.seen:
            self.seen[-1].append((call, items, outcome))
        if call == "stop":
            self._record({"stop": items, "event": self.produced})
            return
        assert outcome is not None
        if call == "placement":
            shown: Any = {"region_id": items.region_id, "mode": items.mode,
                          "nodes": list(items.nodes),
                          "weights": list(items.weights)}
        else:
            shown = [[m.page_number, m.target_node] for m in items]
        self._record({"call": call, "event": self.produced, "items": shown,
                      "applied": outcome.applied,
                      "rejected": [[r.index, r.reason]
                                   for r in outcome.rejections]})

    def close(self) -> None:
        if self._transcript:
            self._transcript.close()
            self._transcript = None

    def unmet_expectations(self) -> list[str]:
        """Every expectation of the script that the run did not meet."""
        out = []
        for i, expect in enumerate(self.script.expect):
            if not expect:
                continue
            name = f"event {i + 1} ({type(self.script.events[i]).__name__})"
            if i >= len(self.seen):
                out.append(f"{name}: never produced")
                continue
            calls = [c for c in self.seen[i] if c[0] != "stop"]
            stops = [c for c in self.seen[i] if c[0] == "stop"]
            call = calls[0][0] if calls else ("stop" if stops else "none")
            if "call" in expect and expect["call"] != call:
                out.append(f"{name}: expected call {expect['call']}, "
                           f"got {call}")
                continue
            if not calls:
                for key in ("applied", "rejected", "placement",
                            "migrations"):
                    if key in expect:
                        out.append(f"{name}: expected {key} but the "
                                   "simulator received no items")
                continue
            _, items, outcome = calls[0]
            assert outcome is not None
            if "applied" in expect and expect["applied"] != outcome.applied:
                out.append(f"{name}: expected {expect['applied']} applied, "
                           f"got {outcome.applied}")
            rejected = [r.index for r in outcome.rejections]
            if "rejected" in expect and list(expect["rejected"]) != rejected:
                out.append(f"{name}: expected rejected items "
                           f"{expect['rejected']}, got {rejected}")
            if "placement" in expect and call == "placement":
                want = expect["placement"]
                got = {"region_id": items.region_id, "mode": items.mode,
                       "nodes": list(items.nodes),
                       "weights": list(items.weights)}
                diff = {k: (v, got.get(k)) for k, v in want.items()
                        if got.get(k) != v}
                if diff:
                    out.append(f"{name}: placement differs: " + ", ".join(
                        f"{k} expected {a!r} got {b!r}"
                        for k, (a, b) in diff.items()))
            if "migrations" in expect and call == "migrations":
                got_m = [[m.page_number, m.target_node] for m in items]
                if got_m != [list(x) for x in expect["migrations"]]:
                    out.append(f"{name}: migrations expected "
                               f"{expect['migrations']}, got {got_m}")
        return out


# -------------------------------------------------------------------- CLI

def build_parser() -> argparse.ArgumentParser:
    from deepmem.bridge.server import add_bridge_arguments
    p = argparse.ArgumentParser(
        prog="python3 -m deepmem.bridge.scripted",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--script", required=True, help="the JSON script")
    p.add_argument("--transcript", default="",
                   help="write what the simulator saw as JSON lines here")
    add_bridge_arguments(p)
    f = p.add_argument_group("failure simulation")
    f.add_argument("--die-after", type=int, metavar="K",
                   help="exit abruptly after event K (0 = before the "
                        "first event)")
    f.add_argument("--die-exit-code", type=int,
                   default=DEFAULT_DIE_EXIT_CODE, metavar="N",
                   help=f"exit code for --die-after "
                        f"(default {DEFAULT_DIE_EXIT_CODE})")
    f.add_argument("--hang-before", type=int, metavar="K",
                   help="sleep forever instead of producing event K")
    f.add_argument("--event-seconds", type=float, default=0.0,
                   metavar="S",
                   help="spend S host seconds producing each event after "
                        "the first (a slow simulation)")
    f.add_argument("--protocol-version", type=int, metavar="N",
                   help="speak protocol version N instead of the real one")
    return p


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    from deepmem.bridge.driver import run_bridge
    from deepmem.bridge.server import BridgeError, config_from_args
    problems = []
    if args.die_after is not None and args.die_after < 0:
        problems.append(f"--die-after must be 0 or more "
                        f"(was {args.die_after})")
    if args.event_seconds < 0:
        problems.append(f"--event-seconds must not be negative "
                        f"(was {args.event_seconds})")
    if args.hang_before is not None and args.hang_before < 1:
        problems.append(f"--hang-before must be 1 or more "
                        f"(was {args.hang_before})")
    try:
        overrides = {}
        if args.protocol_version is not None:
            overrides["protocol_version"] = args.protocol_version
        config = config_from_args(args, **overrides)
        problems += config.problems()
        script = Script.load(args.script)
    except ScriptError as exc:
        problems += [f"script {args.script}: {p}" for p in exc.problems]
    except BridgeError as exc:
        problems.append(str(exc))
    if problems:
        for p in problems:
            _say(f"error: {p}")
        return EXIT_USAGE
    backend = ScriptedBackend(script, die_after=args.die_after,
                              die_exit_code=args.die_exit_code,
                              hang_before=args.hang_before,
                              event_seconds=args.event_seconds,
                              transcript=args.transcript)
    try:
        result = run_bridge(backend, config)
    except BridgeError as exc:
        _say(f"error: {exc}")
        return EXIT_USAGE
    except KeyboardInterrupt:
        _say("interrupted")
        return 130
    backend._record({"result": {
        "mode": result.mode, "fallback_reason": result.fallback_reason,
        "events_sent": result.events_sent,
        "events_unsent": result.events_unsent, "replies": result.replies,
        "rejections": result.rejections,
        "final": type(result.final).__name__ if result.final else None}})
    backend.close()
    unmet = backend.unmet_expectations()
    for line in unmet:
        _say(f"expectation failed: {line}")
    _say(f"done: {result.events_sent} events sent, {result.replies} "
         f"replies, {result.rejections} rejected items, mode {result.mode}")
    return EXIT_EXPECTATION if unmet else 0


if __name__ == "__main__":
    sys.exit(main())
