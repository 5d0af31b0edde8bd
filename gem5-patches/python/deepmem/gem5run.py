"""The gem5 run loop: a `SimulatorBackend` over a built DeepMem system.

`Gem5Backend(built, outdir)` implements `deepmem.events.SimulatorBackend`:

* `machine_info()`: nodes, page size, workload, epoch length.
* `next_event()`: simulates until the next event and returns it:
  `RegionCreated` (mmap/brk reported by the syscall layer before the
  program touches the region; only with `region_events`), `EpochEnded`
  (every `epoch_instructions` committed instructions of core 0, or every
  `epoch_ticks` simulated ticks, with the sparse per-page counts of the
  epoch summed over the cores and each core's committed instructions),
  then `Finished` or `Failed`.
* `apply_placement(Placement)`: sets the policy of the region's range
  (default, local, bind, preferred, interleave, weighted interleave).
* `apply_migrations([Migration])`: drains gem5, migrates page by page
  (copy, remap, TLB flush, old frame recycled), stalls the thread for the
  modelled cost; each refused item becomes a `Rejection`.
* `stop(reason)`: the next `next_event()` returns `Finished` at once.

With a trace path, every `window_instructions` instructions a window line
is written (docs/trace-format.md). `run(backend, consumer)` hands the
backend to a consumer: `standalone` (no controller: default placement, no
migrations) or the grpc bridge.
"""

from __future__ import annotations

import json
import os
import time
from collections import defaultdict, deque
from typing import TYPE_CHECKING, Callable, Sequence

import m5


def _freq() -> int:
    import _m5.core

    return int(_m5.core.getClockFrequency())

from deepmem import checks
from deepmem import events as ev
from deepmem.config import PAGE_SIZE, bound_node
from deepmem.trace import TraceWriter
from deepmem.trace import header as trace_header

if TYPE_CHECKING:
    from deepmem.system import Built

REGION_CAUSE = "deepmem.region"
STOP_CAUSE = "deepmem.stop"
# What m5.simulate(ticks) returns when the tick limit is reached.
TICK_CAUSE = "simulate() limit reached"
EXIT_CAUSE = "exiting with last active thread context"
MAX_INSTS_CAUSE = "a thread reached the max instruction count"
LINE_BYTES = 64
# Cumulative scalars of each node's memory interfaces (DRAM or NVM; gem5's
# stats.txt names them system.memory.mem_ctrlsN.dram.<stat>, one controller
# per channel); a trace window carries their change over the window, summed
# over the node's channels, as "mem" (docs/trace-format.md).
MEM_STATS = ("readBursts", "writeBursts", "totMemAccLat", "totQLat")
# x86-64 Linux signal names (the target's numbering, whatever the host).
_SIGNALS = ("HUP INT QUIT ILL TRAP ABRT BUS FPE KILL USR1 SEGV USR2 PIPE "
            "ALRM TERM STKFLT CHLD CONT STOP TSTP TTIN TTOU URG XCPU XFSZ "
            "VTALRM PROF WINCH IO PWR SYS").split()


def signal_name(sig: int) -> str:
    """"SIGABRT" for 6; "signal 34" beyond the classic 31."""
    return f"SIG{_SIGNALS[sig - 1]}" if 1 <= sig <= 31 else f"signal {sig}"


class Gem5Backend:
    def __init__(self, built: "Built", outdir: str):
        self._b = built
        self._opts = built.options
        self._numa = built.numa
        self._cpu = built.cpu
        self._cpus = tuple(getattr(built, "cpus", ()) or (built.cpu,))
        self._outdir = outdir
        o = self._opts
        self._window = o.window_instructions if o.trace else 0
        self._epoch = o.epoch_instructions
        self._epoch_ticks = getattr(o, "epoch_ticks", 0)
        self._next_tick_stop = 0
        # Instruction stops: trace windows and instruction epochs (core 0).
        self._step = self._window or self._epoch
        self._started = False
        self._done = False
        self._stop_reason = ""
        self._pending: deque = deque()
        self._regions: dict[int, tuple[int, int]] = {}
        self._trace: TraceWriter | None = None
        self._steps = 0
        self._next_stop = 0
        self._epochs = 0
        self._last_tick = 0
        self._last_insts = 0
        self._epoch_tick = 0
        self._epoch_insts = 0
        self._epoch_core_insts = [0] * len(self._cpus)
        # What a time epoch took from the counters inside a trace window
        # (the window's line gets it when the window ends).
        self._carry: dict = defaultdict(lambda: [0, 0])
        self._carry_mig = [0, 0]
        self._epoch_pages: dict = defaultdict(lambda: [0, 0])
        self._epoch_nodes = [[0, 0] for _ in o.nodes]
        self._epoch_mig = [0, 0]
        self._totals = [[0, 0] for _ in o.nodes]
        self._mig_total = [0, 0]
        self._window_mig = (0, 0)
        self._mem_last: list[list[int]] = []
        self._epoch_mem: list[list[int]] = []
        self.host_seconds = 0.0

    # ------------------------------------------------------- protocol
    def machine_info(self) -> ev.MachineInfo:
        o = self._opts
        nodes = []
        for i, (n, rng) in enumerate(zip(o.nodes,
                                         self._b.memory.node_ranges())):
            nodes.append(ev.NodeInfo(
                id=i, name=n.name, kind=n.kind, base_address=int(rng.start),
                capacity_bytes=n.size_bytes,
                read_latency_ns=n.read_latency_ns,
                write_latency_ns=n.write_latency_ns,
                bandwidth_gbps=n.bandwidth_gbps))
        return ev.MachineInfo(
            simulator="gem5", nodes=tuple(nodes), page_size=PAGE_SIZE,
            binary=o.binary, args=tuple(o.args), working_dir=os.getcwd(),
            epoch_instructions=o.epoch_instructions,
            ticks_per_second=_freq()
            if self._started else 10**12,
            cpu_model="O3" if o.cpu == "o3" else "TimingSimple",
            epoch_ticks=o.epoch_ticks, cores=o.cores)

    def next_event(self) -> ev.Event:
        if not self._started:
            self._start()
        if self._pending:
            return self._pending.popleft()
        if self._done:
            raise RuntimeError("next_event after Finished/Failed")
        if self._stop_reason:
            return self._finish(-1, f"stopped: {self._stop_reason}")
        while True:
            t0 = time.time()
            if self._epoch_ticks:
                exit_event = m5.simulate(
                    max(self._next_tick_stop - m5.curTick(), 1))
            else:
                exit_event = m5.simulate()
            self.host_seconds += time.time() - t0
            cause = exit_event.getCause()
            self._poll_regions()
            if cause == REGION_CAUSE:
                pass
            elif cause == TICK_CAUSE and self._epoch_ticks:
                if m5.curTick() >= self._next_tick_stop:
                    self._pending.append(self._tick_epoch())
                    self._next_tick_stop += self._epoch_ticks
            elif cause == STOP_CAUSE:
                epoch = self._boundary()
                self._schedule_stop()
                if epoch is not None:
                    self._pending.append(epoch)
            elif cause == EXIT_CAUSE:
                # A program killed by a signal exits 128 + signal; the
                # workload says which signal it was.
                sig = self.fatal_signal()
                code = exit_event.getCode()
                note = (f"killed by {signal_name(sig)} (exit {code})"
                        if sig else "")
                return self._finish(code, note, sig)
            elif cause == MAX_INSTS_CAUSE:
                return self._finish(0, cause)
            else:
                return self._fail(f"gem5 stopped: {cause} "
                                  f"(code {exit_event.getCode()})")
            if self._pending:
                return self._pending.popleft()

    def apply_placement(self, placement: ev.Placement) -> ev.Outcome:
        region = self._regions.get(placement.region_id)
        # Checked here first: ids that do not fit a C++ int would raise.
        problem = checks.placement_problem(placement, len(self._opts.nodes),
                                           region is not None)
        if problem:
            return ev.Outcome(0, [ev.Rejection(0, problem)])
        mode = placement.mode
        if mode == "interleave" and placement.weights:
            mode = "weighted-interleave"
        err = self._numa.setRegionPolicy(
            region[0], region[1], mode, [int(n) for n in placement.nodes],
            [int(w) for w in placement.weights])
        if err:
            return ev.Outcome(0, [ev.Rejection(0, err)])
        return ev.Outcome(1, [])

    def apply_migrations(self, migrations: Sequence[ev.Migration]
                         ) -> ev.Outcome:
        if not migrations:
            return ev.Outcome(0, [])
        out = ev.Outcome()
        # Node ids are checked here, so that C++ only sees ones that fit
        # (pybind11 would refuse the whole call with both lists in the
        # message); the rest keep their index in the reply.
        nodes = len(self._opts.nodes)
        valid = []
        for i, m in enumerate(migrations):
            problem = checks.node_problem(m.target_node, nodes)
            if problem:
                out.rejections.append(ev.Rejection(i, problem))
            else:
                valid.append(i)
        if valid:
            # No request may be in flight while frames change hands.
            m5.drain()
            results = self._numa.migratePages(
                [int(migrations[i].page_number) for i in valid],
                [int(migrations[i].target_node) for i in valid])
            for i, r in zip(valid, results):
                if r.startswith("ok"):
                    out.applied += 1
                else:
                    out.rejections.append(
                        ev.Rejection(i, r.removeprefix("rejected: ")))
            out.rejections.sort(key=lambda r: r.index)
        return out

    def stop(self, reason: str) -> None:
        self._stop_reason = reason or "controller asked to stop"

    # ------------------------------------------------------ internals
    def _start(self) -> None:
        m5.instantiate()
        self._started = True
        o = self._opts
        if o.trace:
            nodes = [{"name": n.name, "kind": n.kind,
                      "capacity_bytes": n.size_bytes,
                      "bandwidth_gbps": n.bandwidth_gbps} for n in o.nodes]
            path = o.trace if os.path.isabs(o.trace) else os.path.join(
                self._outdir, o.trace)
            self._trace = TraceWriter(path, trace_header(
                page_size=PAGE_SIZE, window_instructions=self._window,
                ticks_per_second=_freq(),
                cpu="O3" if o.cpu == "o3" else "TimingSimple",
                nodes=nodes, bound_node=bound_node(o.policy),
                default_policy={"mode": o.policy.mode,
                                "nodes": list(o.policy.nodes),
                                "weights": list(o.policy.weights)},
                binary=o.binary, args=o.args, cores=o.cores))
        self._next_tick_stop = m5.curTick() + self._epoch_ticks
        self._schedule_stop()

    def _schedule_stop(self) -> None:
        """Next window/epoch stop at the next multiple of the step (O3 may
        commit a few instructions past a stop in the same cycle)."""
        if not self._step:
            return
        self._next_stop += self._step
        now = self._insts()
        while self._next_stop <= now:
            self._next_stop += self._step
        self._cpu.scheduleInstStop(0, self._next_stop - now, STOP_CAUSE)

    def _insts(self) -> int:
        """Committed instructions of core 0 (the main thread's core):
        epochs and trace windows count these, so they align by the main
        thread's program position whatever the other threads do."""
        return int(self._cpu.getCurrentInstCount(0))

    def _core_insts(self) -> list[int]:
        """Committed instructions of every core since the start."""
        return [int(c.getCurrentInstCount(0)) for c in self._cpus]

    def _poll_regions(self) -> None:
        for rid, start, length, source in self._numa.takeRegions():
            self._regions[rid] = (start, length)
            if self._trace:
                self._trace.region(rid, start, length, source)
            if self._opts.region_events:
                self._pending.append(ev.RegionCreated(
                    region_id=rid, start_address=start,
                    length_bytes=length, source=source,
                    instructions=self._insts(), tick=m5.curTick()))

    def _take(self):
        """Counts since the last take: trace window and epoch sums."""
        flat = self._numa.takePageCounts()
        nodes = self._numa.takeNodeCounts()
        mig = self._numa.takeMigrationTotals()
        self._window_mig = (mig[0], mig[1])
        for i in range(len(self._totals)):
            for k in (0, 1):
                self._totals[i][k] += nodes[2 * i + k]
                self._epoch_nodes[i][k] += nodes[2 * i + k]
        for k in (0, 1):
            self._mig_total[k] += mig[k]
            self._epoch_mig[k] += mig[k]
        rows = sorted(zip(flat[0::4], flat[3::4], flat[1::4], flat[2::4]))
        if self._epoch or self._epoch_ticks:
            for vpn, node, r, w in rows:
                acc = self._epoch_pages[(vpn, node)]
                acc[0] += r
                acc[1] += w
        return rows

    def _mem_counters(self) -> list[list[int]]:
        """MEM_STATS of every node's memory interfaces (summed over its
        channels), cumulative."""
        return [[sum(int(ctrl.dram.resolveStat(name).value)
                     for ctrl in ctrls) for name in MEM_STATS]
                for ctrls in self._b.memory.node_controllers()]

    def _mem_since(self, since: list[list[int]]):
        """(now, now - since): the memory counters and their change since
        `since` (an empty list: since the start, when all were 0)."""
        now = self._mem_counters()
        return now, [[a - b for a, b in zip(n, s)] if since else n
                     for n, s in zip(now, since or now)]

    def _with_carry(self, rows):
        """rows plus what time epochs took inside this window."""
        if not self._carry:
            return rows
        acc = self._carry
        for vpn, node, r, w in rows:
            acc[(vpn, node)][0] += r
            acc[(vpn, node)][1] += w
        merged = sorted((k[0], k[1], v[0], v[1]) for k, v in acc.items())
        self._carry = defaultdict(lambda: [0, 0])
        self._window_mig = (self._window_mig[0] + self._carry_mig[0],
                            self._window_mig[1] + self._carry_mig[1])
        self._carry_mig = [0, 0]
        return merged

    def _tick_epoch(self) -> ev.EpochEnded:
        """A time epoch ends (--epoch-ticks): the counts so far go to the
        epoch; a trace window open now gets them when it ends."""
        tick, insts = m5.curTick(), self._insts()
        rows = self._take()
        if self._trace:
            for vpn, node, r, w in rows:
                self._carry[(vpn, node)][0] += r
                self._carry[(vpn, node)][1] += w
            self._carry_mig[0] += self._window_mig[0]
            self._carry_mig[1] += self._window_mig[1]
        return self._epoch_event(tick, insts)

    def _write_window(self, rows, tick: int, insts: int) -> None:
        rows = self._with_carry(rows)
        summary = self._numa.nodeSummary()
        self._mem_last, mem = self._mem_since(self._mem_last)
        touches = None
        if self._opts.trace_touches:
            flat = self._numa.takeTouches()
            touches = sorted(zip(flat[0::2], flat[1::2]))
        self._trace.window(
            tick - self._last_tick, insts - self._last_insts,
            [r[0] for r in rows], [r[2] for r in rows],
            [r[3] for r in rows], [r[1] for r in rows],
            resident=[summary[6 * i] for i in range(len(self._opts.nodes))],
            migrated=self._window_mig,
            mem=mem, touches=touches)

    def _boundary(self) -> ev.EpochEnded | None:
        tick, insts = m5.curTick(), self._insts()
        rows = self._take()
        if self._trace:
            self._write_window(rows, tick, insts)
        self._last_tick, self._last_insts = tick, insts
        self._steps += 1
        if (not self._epoch or self._epoch_ticks
                or self._next_stop % self._epoch):
            return None
        return self._epoch_event(tick, insts)

    def _epoch_event(self, tick: int, insts: int) -> ev.EpochEnded:
        pages = sorted(self._epoch_pages.items())
        self._epoch_mem, mem = self._mem_since(self._epoch_mem)
        stats = self._node_stats(self._epoch_nodes, mem)
        cores = self._core_insts()
        e = ev.EpochEnded(
            epoch=self._epochs, start_tick=self._epoch_tick, end_tick=tick,
            epoch_instructions=insts - self._epoch_insts,
            total_instructions=insts, nodes=tuple(stats),
            page_numbers=tuple(k[0] for k, _ in pages),
            reads=tuple(v[0] for _, v in pages),
            writes=tuple(v[1] for _, v in pages),
            page_nodes=tuple(k[1] for k, _ in pages),
            migrated_pages=self._epoch_mig[0],
            migration_ticks=self._epoch_mig[1],
            core_instructions=tuple(
                c - p for c, p in zip(cores, self._epoch_core_insts)))
        self._epochs += 1
        self._epoch_tick, self._epoch_insts = tick, insts
        self._epoch_core_insts = cores
        self._epoch_pages.clear()
        self._epoch_nodes = [[0, 0] for _ in self._opts.nodes]
        self._epoch_mig = [0, 0]
        return e

    def node_stats(self) -> list[ev.NodeStats]:
        return self._node_stats(self._totals, self._mem_counters())

    def _node_stats(self, counts, mem) -> list[ev.NodeStats]:
        """Per-node stats from (reads, writes) per node, the memory
        counters over the same span (MEM_STATS per node: the measured mean
        read latency) and the current resident/free frames of each node.
        The read latency is the controllers' (arrival to data, queueing
        included) plus the node's link (a CXL-like node's added latency,
        the Bridge in front of its controllers), as a read from the cache
        sees it and as MachineInfo's read_latency_ns counts it: without
        the link a CXL node would look as near as local DRAM."""
        summary = self._numa.nodeSummary()
        ticks_per_ns = _freq() / 1e9
        out = []
        for i, (r, w) in enumerate(counts):
            s = summary[6 * i:6 * i + 6]
            bursts, latency = mem[i][0], mem[i][2]
            link = self._opts.nodes[i].added_latency_ns
            out.append(ev.NodeStats(
                node=i, reads=r, writes=w, bytes_read=r * LINE_BYTES,
                bytes_written=w * LINE_BYTES,
                avg_read_latency_ns=latency / bursts / ticks_per_ns + link
                if bursts else 0.0,
                resident_pages=s[0], free_pages=s[1]))
        return out

    def fatal_signal(self) -> int:
        """The signal that ended the program (0: none, or no workload
        that tells)."""
        workload = getattr(getattr(self._b, "system", None), "workload",
                           None)
        get = getattr(workload, "fatalSignal", None)
        return int(get()) if get else 0

    def _finish(self, code: int, note: str, sig: int = 0) -> ev.Finished:
        tick, insts = m5.curTick(), self._insts()
        rows = self._take()
        if self._trace:
            if insts > self._last_insts or rows or self._carry:
                self._write_window(rows, tick, insts)
            self._trace.end(tick, insts, code)
        self._done = True
        fin = ev.Finished(
            exit_code=code, ticks=tick,
            simulated_seconds=tick / _freq(),
            instructions=insts, nodes=tuple(self.node_stats()),
            migrated_pages=self._mig_total[0],
            migration_ticks=self._mig_total[1], output_dir=self._outdir)
        self._write_result(fin, note, sig)
        return fin

    def _fail(self, reason: str) -> ev.Failed:
        self._done = True
        if self._trace:
            self._trace.end(m5.curTick(), self._insts(), -1)
        return ev.Failed(reason=reason)

    def _write_result(self, fin: ev.Finished, note: str,
                      sig: int = 0) -> None:
        o = self._opts
        rec = {
            "backend": "gem5", "binary": o.binary, "args": list(o.args),
            "exit_code": fin.exit_code, "note": note,
            # The signal that killed the program (then exit_code is
            # 128 + signal), or null.
            "signal": sig or None,
            "signal_name": signal_name(sig) if sig else None,
            "ticks": fin.ticks, "simulated_seconds": fin.simulated_seconds,
            "instructions": fin.instructions,
            "cpu": o.cpu, "cores": len(self._cpus),
            "core_instructions": self._core_insts(),
            "policy": o.policy.mode,
            "policy_nodes": list(o.policy.nodes),
            "nodes": [{"name": n.name, "preset": n.preset,
                       "reads": s.reads, "writes": s.writes,
                       "resident_pages": s.resident_pages,
                       "free_pages": s.free_pages}
                      for n, s in zip(o.nodes, fin.nodes)],
            "migrated_pages": fin.migrated_pages,
            "migration_ticks": fin.migration_ticks,
            "epochs": self._epochs,
            "windows": self._trace.windows if self._trace else 0,
            "host_seconds_simulating": self.host_seconds,
            "stats": os.path.join(self._outdir, "stats.txt"),
        }
        with open(os.path.join(self._outdir, o.result), "w") as f:
            json.dump(rec, f, indent=1)


# ----------------------------------------------------------- consumers

Consumer = Callable[[ev.SimulatorBackend], ev.Event]


def standalone(backend: ev.SimulatorBackend) -> ev.Event:
    """No controller: default placement, no migrations."""
    while True:
        event = backend.next_event()
        if isinstance(event, (ev.Finished, ev.Failed)):
            return event


def run(backend: ev.SimulatorBackend, consumer: Consumer = standalone
        ) -> ev.Event:
    """Hand the backend to a consumer (standalone, or the grpc bridge)."""
    return consumer(backend)
