"""The run loop (`deepmem.gem5run`) against a scripted fake of gem5's `m5`.

Checks, without gem5, how exits become events, how windows and epochs are
cut and reset, what the trace holds and how replies reach the NUMA object.
"""

from __future__ import annotations

import os
import sys
import tempfile
import types
import unittest
from dataclasses import dataclass, field

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
sys.path.insert(0, os.path.join(REPO, "gem5-patches", "python"))

from deepmem import events as ev  # noqa: E402
from deepmem.options import parse  # noqa: E402
from deepmem.trace import read_trace  # noqa: E402

TICKS_PER_INST = 10


class FakeExit:
    def __init__(self, cause: str, code: int = 0):
        self.cause, self.code = cause, code

    def getCause(self):
        return self.cause

    def getCode(self):
        return self.code


@dataclass
class FakeNuma:
    regions: list = field(default_factory=list)
    counts: dict = field(default_factory=dict)  # (vpn, node) -> [r, w]
    policies: list = field(default_factory=list)
    migrated: list = field(default_factory=list)

    def takeRegions(self):
        out, self.regions = self.regions, []
        return out

    def takePageCounts(self):
        flat = []
        for (vpn, node), (r, w) in sorted(self.counts.items()):
            flat += [vpn, r, w, node]
        self.counts = {}
        return flat

    def takeNodeCounts(self):
        return [0, 0, 0, 0]

    def takeMigrationTotals(self):
        return [0, 0]

    def nodeSummary(self):
        return [10, 5, 15, 10, 0, 0] * 2

    def setRegionPolicy(self, start, length, mode, nodes, weights):
        if any(n > 1 for n in nodes):
            return f"node {max(nodes)} out of range (nodes: 2)"
        self.policies.append((start, length, mode, nodes, weights))
        return ""

    def migratePages(self, vpns, nodes):
        if any(not -2**31 <= n < 2**31 for n in nodes):
            # what pybind11 does with a value that does not fit a C++ int
            raise TypeError("migratePages(): incompatible function "
                            f"arguments. Invoked with: {vpns}, {nodes}")
        self.migrated += list(zip(vpns, nodes))
        return ["ok" if n < 2 else "rejected: node out of range"
                for n in nodes]


class FakeGem5:
    """m5 + the CPU: runs to the next scripted thing or instruction stop."""

    def __init__(self, script, total_insts):
        self.script = list(script)  # (at_insts, "region"|"touch", payload)
        self.total = total_insts
        self.insts = 0
        self.stop_at = None
        self.numa = FakeNuma()
        self.drains = 0

    # cpu
    def scheduleInstStop(self, tid, n, cause):
        assert cause == "deepmem.stop"
        self.stop_at = self.insts + n

    def getCurrentInstCount(self, tid):
        return self.insts

    # m5
    def curTick(self):
        return self.insts * TICKS_PER_INST

    def instantiate(self):
        pass

    def drain(self):
        self.drains += 1

    def simulate(self, ticks=None):
        targets = [self.total]
        if self.stop_at is not None:
            targets.append(self.stop_at)
        limit = None
        if ticks is not None:  # m5.simulate(ticks): a tick limit
            limit = self.insts + ticks // TICKS_PER_INST
            targets.append(limit)
        while self.script and self.script[0][0] <= min(targets):
            at, kind, payload = self.script.pop(0)
            self.insts = at
            if kind == "region":
                self.numa.regions.append(payload)
                return FakeExit("deepmem.region")
            vpn, node, r, w = payload
            acc = self.numa.counts.setdefault((vpn, node), [0, 0])
            acc[0] += r
            acc[1] += w
        self.insts = min(targets)
        if self.insts == self.stop_at:
            self.stop_at = None
            return FakeExit("deepmem.stop")
        if self.insts == limit and limit < self.total:
            return FakeExit("simulate() limit reached")
        return FakeExit("exiting with last active thread context", 3)


def load_gem5run(fake: FakeGem5):
    m5 = types.ModuleType("m5")
    for name in ("curTick", "instantiate", "drain", "simulate"):
        setattr(m5, name, getattr(fake, name))
    core = types.ModuleType("_m5.core")
    core.getClockFrequency = lambda: 10**12
    m5pkg = types.ModuleType("_m5")
    m5pkg.core = core
    sys.modules.update({"m5": m5, "_m5": m5pkg, "_m5.core": core})
    sys.modules.pop("deepmem.gem5run", None)
    import deepmem.gem5run as g

    return g


class FakeRange:
    def __init__(self, start):
        self.start = start


class FakeInterface:
    """A node's memory interface: per instruction so far, `every` insts
    give one read burst (and every 2*`every` a write burst) that waited
    `ns` ns, 40% of it queued."""

    def __init__(self, fake: FakeGem5, every: int, ns: int):
        self.fake, self.every, self.ns = fake, every, ns

    def resolveStat(self, name):
        reads = self.fake.insts // self.every
        value = {"readBursts": reads,
                 "writeBursts": self.fake.insts // (2 * self.every),
                 "totMemAccLat": reads * self.ns * 1000,
                 "totQLat": reads * self.ns * 400}[name]
        return types.SimpleNamespace(value=value)


def make_backend(fake: FakeGem5, argv, outdir):
    g = load_gem5run(fake)
    opts = parse(argv)
    ctrls = [[types.SimpleNamespace(dram=FakeInterface(fake, 20, 30))],
             [types.SimpleNamespace(dram=FakeInterface(fake, 10, 100)),
              types.SimpleNamespace(dram=FakeInterface(fake, 10, 100))]]
    memory = types.SimpleNamespace(
        node_ranges=lambda: [FakeRange(0), FakeRange(64 << 20)],
        node_controllers=lambda: ctrls)
    built = types.SimpleNamespace(options=opts, numa=fake.numa, cpu=fake,
                                  memory=memory)
    return g, g.Gem5Backend(built, outdir)


class RunLoopTests(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.out = self.tmp.name

    def tearDown(self):
        self.tmp.cleanup()

    def test_regions_epochs_and_finish(self):
        fake = FakeGem5([
            (50, "region", (1, 0x10000, 8192, "mmap")),
            (60, "touch", (0x10, 1, 4, 1)),
            (150, "touch", (0x11, 0, 2, 0)),
            (250, "touch", (0x10, 1, 1, 0)),
        ], total_insts=330)
        g, b = make_backend(fake, ["--epoch-insts", "100", "--controller",
                                   "grpc", "prog"], self.out)
        info = b.machine_info()
        self.assertEqual([n.name for n in info.nodes], ["dram", "nvm"])
        self.assertEqual(info.nodes[1].base_address, 64 << 20)
        events = []
        while True:
            e = b.next_event()
            events.append(e)
            if isinstance(e, ev.RegionCreated):
                out = b.apply_placement(ev.Placement(e.region_id, "bind",
                                                     (1,)))
                self.assertEqual(out.applied, 1)
            if isinstance(e, (ev.Finished, ev.Failed)):
                break
        kinds = [type(e).__name__ for e in events]
        self.assertEqual(kinds, ["RegionCreated", "EpochEnded", "EpochEnded",
                                 "EpochEnded", "Finished"])
        r = events[0]
        self.assertEqual((r.region_id, r.start_address, r.length_bytes,
                          r.instructions), (1, 0x10000, 8192, 50))
        self.assertEqual(fake.numa.policies,
                         [(0x10000, 8192, "bind", [1], [])])
        e0, e1, e2 = events[1:4]
        self.assertEqual((e0.epoch, e0.start_tick, e0.end_tick,
                          e0.epoch_instructions), (0, 0, 1000, 100))
        self.assertEqual((e0.page_numbers, e0.reads, e0.writes,
                          e0.page_nodes), ((0x10,), (4,), (1,), (1,)))
        self.assertEqual(e1.page_numbers, (0x11,))  # counts were reset
        self.assertEqual((e2.page_numbers, e2.reads), ((0x10,), (1,)))
        self.assertEqual(e2.total_instructions, 300)
        # Measured mean read latency per node and epoch (node 1 has two
        # channels; both wait 100 ns).
        self.assertEqual([n.avg_read_latency_ns for n in e1.nodes],
                         [30.0, 100.0])
        fin = events[-1]
        self.assertEqual((fin.exit_code, fin.instructions, fin.ticks),
                         (3, 330, 3300))
        self.assertEqual(b._regions[1], (0x10000, 8192))

    def test_read_latency_of_a_cxl_node_counts_its_link(self):
        # The second node is CXL-like (70 ns link in front of its
        # controllers): its measured latency is the controllers' 100 ns
        # plus the link, as MachineInfo's nominal latency counts it; the
        # local DDR4 node keeps its controller's 30 ns.
        fake = FakeGem5([(60, "touch", (0x10, 1, 4, 1))], total_insts=230)
        g, b = make_backend(fake, ["--node", "dram:ddr4:64MiB", "--node",
                                   "cxl:cxl:256MiB", "--epoch-insts", "100",
                                   "--controller", "grpc", "prog"], self.out)
        info = b.machine_info()
        self.assertAlmostEqual(info.nodes[1].read_latency_ns,
                               info.nodes[0].read_latency_ns + 70.0)
        epochs = []
        while True:
            e = b.next_event()
            if isinstance(e, ev.EpochEnded):
                epochs.append(e)
            if isinstance(e, (ev.Finished, ev.Failed)):
                break
        self.assertEqual([n.avg_read_latency_ns for n in epochs[1].nodes],
                         [30.0, 170.0])

    def test_trace_windows_and_end(self):
        fake = FakeGem5([
            (10, "region", (1, 0x20000, 4096, "brk")),
            (20, "touch", (0x20, 0, 3, 1)),
            (120, "touch", (0x20, 0, 1, 0)),
            (130, "touch", (0x21, 1, 0, 2)),
        ], total_insts=250)
        g, b = make_backend(fake, ["--trace", "t.jsonl.gz",
                                   "--window-insts", "100", "--policy",
                                   "bind:1", "prog", "a"], self.out)
        fin = g.standalone(b)
        self.assertIsInstance(fin, ev.Finished)
        h, regions, windows, end = read_trace(
            os.path.join(self.out, "t.jsonl.gz"))
        self.assertEqual(h["bound_node"], 1)
        self.assertEqual(h["workload"], {"binary": "prog", "args": ["a"]})
        self.assertEqual(regions, [{"id": 1, "start": 0x20000,
                                    "length": 4096, "source": "brk"}])
        self.assertEqual([w["insts"] for w in windows], [100, 100, 50])
        self.assertEqual([w["ticks"] for w in windows], [1000, 1000, 500])
        self.assertEqual(windows[0]["pages"], [0x20])
        self.assertEqual((windows[1]["pages"], windows[1]["nodes"],
                          windows[1]["writes"]), ([0x20, 0x21], [0, 1],
                                                  [0, 2]))
        self.assertEqual(windows[2]["pages"], [])
        # Memory counters per window and node, summed over node 1's two
        # channels: 100 insts = 5 reads on node 0, 2 x 10 on node 1.
        self.assertEqual(windows[0]["mem"], [[5, 2, 150000, 60000],
                                             [20, 10, 2000000, 800000]])
        self.assertEqual(windows[2]["mem"][0], [2, 1, 60000, 24000])
        self.assertEqual(end, {"end": True, "ticks": 2500, "insts": 250,
                               "exit_code": 3})
        self.assertEqual(b.next_event.__self__, b)

    def test_time_epochs_cut_into_trace_windows(self):
        fake = FakeGem5([
            (20, "touch", (0x20, 0, 3, 1)),
            (120, "touch", (0x20, 0, 1, 0)),
            (160, "touch", (0x21, 1, 5, 0)),
            (230, "touch", (0x21, 1, 2, 0)),
        ], total_insts=250)
        g, b = make_backend(fake, ["--trace", "t.jsonl.gz",
                                   "--window-insts", "100",
                                   "--epoch-ticks", "1500", "prog"],
                            self.out)
        events = []
        while True:
            e = b.next_event()
            events.append(e)
            if isinstance(e, (ev.Finished, ev.Failed)):
                break
        epochs = [e for e in events if isinstance(e, ev.EpochEnded)]
        # Every 1500 ticks (150 instructions here), whatever the windows.
        self.assertEqual([(e.start_tick, e.end_tick) for e in epochs],
                         [(0, 1500)])
        e0 = epochs[0]
        self.assertEqual((e0.epoch_instructions, e0.core_instructions),
                         (150, (150,)))
        self.assertEqual((e0.page_numbers, e0.reads), ((0x20,), (4,)))
        # The epoch at 150 instructions took window 2's counts so far: the
        # window's line still has them.
        _, _, windows, _ = read_trace(os.path.join(self.out, "t.jsonl.gz"))
        self.assertEqual([w["insts"] for w in windows], [100, 100, 50])
        self.assertEqual((windows[1]["pages"], windows[1]["reads"]),
                         ([0x20, 0x21], [1, 5]))
        self.assertEqual((windows[2]["pages"], windows[2]["reads"]),
                         ([0x21], [2]))

    def test_migrations_drain_and_report_rejections(self):
        fake = FakeGem5([], total_insts=10)
        g, b = make_backend(fake, ["prog"], self.out)
        out = b.apply_migrations([ev.Migration(5, 0), ev.Migration(6, 7)])
        self.assertEqual(fake.drains, 1)
        self.assertEqual(out.applied, 1)
        self.assertEqual([(r.index, r.reason) for r in out.rejections],
                         [(1, "node 7 out of range (nodes: 2)")])
        self.assertEqual(b.apply_migrations([]).applied, 0)
        self.assertEqual(fake.drains, 1)

    def test_a_node_id_beyond_a_cpp_int_is_one_short_reason(self):
        # Before: pybind11's TypeError, holding both lists, was the reason
        # of every item of the reply.
        fake = FakeGem5([], total_insts=10)
        g, b = make_backend(fake, ["prog"], self.out)
        moves = [ev.Migration(5 + i, 0) for i in range(1000)]
        moves[500] = ev.Migration(9, 2**32 - 1)
        out = b.apply_migrations(moves)
        self.assertEqual(out.applied, 999)
        self.assertEqual([(r.index, r.reason) for r in out.rejections],
                         [(500, "node 4294967295 out of range (nodes: 2)")])
        self.assertEqual(len(fake.numa.migrated), 999)
        out = b.apply_placement(ev.Placement(9, "bind", (2**32 - 1,)))
        self.assertEqual(out.rejections[0].reason, "region 9 is unknown")
        b._regions[2] = (0, 4096)
        out = b.apply_placement(ev.Placement(2, "bind", (2**32 - 1,)))
        self.assertEqual(out.rejections[0].reason,
                         "node 4294967295 out of range (nodes: 2)")

    def test_unknown_region_and_bad_node_are_rejected(self):
        fake = FakeGem5([], total_insts=10)
        g, b = make_backend(fake, ["prog"], self.out)
        out = b.apply_placement(ev.Placement(9, "bind", (1,)))
        self.assertIn("region 9 is unknown", out.rejections[0].reason)
        b._regions[2] = (0, 4096)
        out = b.apply_placement(ev.Placement(2, "bind", (4,)))
        self.assertIn("out of range", out.rejections[0].reason)

    def test_stop_finishes_at_once(self):
        fake = FakeGem5([], total_insts=1000)
        g, b = make_backend(fake, ["--epoch-insts", "100", "prog"],
                            self.out)
        self.assertIsInstance(b.next_event(), ev.EpochEnded)
        b.stop("enough")
        fin = b.next_event()
        self.assertIsInstance(fin, ev.Finished)
        self.assertEqual((fin.exit_code, fin.instructions), (-1, 100))

    def test_signal_death_is_recorded(self):
        import json

        fake = FakeGem5([], total_insts=10)
        g, b = make_backend(fake, ["prog"], self.out)
        self.assertEqual(b.fatal_signal(), 0)  # no workload: none
        b._b.system = types.SimpleNamespace(workload=types.SimpleNamespace(
            fatalSignal=lambda: 6))
        fin = g.standalone(b)
        with open(os.path.join(self.out, "deepmem_result.json")) as f:
            rec = json.load(f)
        self.assertEqual((rec["exit_code"], rec["signal"],
                          rec["signal_name"], rec["note"]),
                         (fin.exit_code, 6, "SIGABRT",
                          f"killed by SIGABRT (exit {fin.exit_code})"))
        self.assertEqual([g.signal_name(n) for n in (11, 9, 34)],
                         ["SIGSEGV", "SIGKILL", "signal 34"])


if __name__ == "__main__":
    unittest.main()
