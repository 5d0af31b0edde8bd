"""Unit tests of the gem5-side Python that needs no gem5 (runs in CI).

    python3 -m unittest discover -s tests/gem5 -p 'test_*.py'
"""

from __future__ import annotations

import os
import sys
import tempfile
import unittest

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
sys.path.insert(0, os.path.join(REPO, "gem5-patches", "python"))

from deepmem import events as ev  # noqa: E402
from deepmem.config import (bound_node, node_ranges, node_totals,  # noqa
                            numa_files, parse_latency_ns, parse_node,
                            parse_policy, parse_size, parse_stats)
from deepmem.demo import HotPromote  # noqa: E402
from deepmem.options import OptionsError, parse  # noqa: E402
from deepmem.trace import TraceWriter, read_trace  # noqa: E402

STATS = """
---------- Begin Simulation Statistics ----------
simSeconds                                   0.001000                       # Number of seconds simulated (Second)
simTicks                                   1000000000                       # Number of ticks simulated (Tick)
system.memory.mem_ctrls0.readReqs                 120                       # Number of read requests accepted (Count)
system.memory.mem_ctrls0.writeReqs                 30                       # Number of write requests accepted (Count)
system.memory.mem_ctrls1.readReqs                  70                       # Number of read requests accepted (Count)
system.memory.mem_ctrls1.writeReqs                  5                       # Number of write requests accepted (Count)
system.numa.reads::dram                           120                       # Memory-side read requests seen on each node (Count)
system.numa.reads::nvm                             70                       # Memory-side read requests seen on each node (Count)
system.numa.reads::total                          190                       # Memory-side read requests seen on each node (Count)
system.numa.writes::dram                           30                       # x (Count)
system.numa.writes::nvm                             4                       # x (Count)
system.cpu.cpi                                    nan                       # CPI
---------- End Simulation Statistics   ----------
"""


class ConfigTests(unittest.TestCase):
    def test_sizes_and_latencies(self):
        self.assertEqual(parse_size("64MiB"), 64 << 20)
        self.assertEqual(parse_size("1GB"), 10**9)
        self.assertEqual(parse_size("4096"), 4096)
        self.assertEqual(parse_latency_ns("2us"), 2000.0)
        with self.assertRaisesRegex(ValueError, "size 'lots'"):
            parse_size("lots")

    def test_node_presets_and_options(self):
        n = parse_node("fast:hbm:128MiB")
        self.assertEqual((n.kind, n.interface), ("hbm", "HBM_1000_4H_1x128"))
        self.assertEqual((n.channels, n.bandwidth_gbps), (8, 128.0))
        self.assertEqual(parse_node("one:hbm:1MiB:channels=1").channels, 1)
        self.assertEqual(parse_node("d:ddr4:1MiB").channels, 1)
        with self.assertRaisesRegex(ValueError, "channels must be 1, 2, 4"):
            parse_node("x:ddr4:1MiB:channels=3")
        c = parse_node("far:cxl:64MiB:latency=100ns:bw=8")
        self.assertEqual((c.kind, c.interface), ("cxl", "DDR4_2400_8x8"))
        self.assertEqual(c.added_latency_ns, 100.0)
        self.assertEqual(c.bandwidth_gbps, 8.0)
        self.assertAlmostEqual(c.read_latency_ns, 128.3)
        nvm = parse_node("slow:nvm:256MiB")
        self.assertEqual(nvm.interface, "NVM_2400_1x64")
        with self.assertRaisesRegex(ValueError, "preset 'sram'"):
            parse_node("x:sram:64MiB")
        with self.assertRaisesRegex(ValueError, "multiple of 1 MiB"):
            parse_node("x:ddr4:1000KiB")
        with self.assertRaisesRegex(ValueError, "unknown option"):
            parse_node("x:ddr4:64MiB:speed=3")

    def test_ranges_are_consecutive_in_node_order(self):
        nodes = [parse_node("a:ddr4:64MiB"), parse_node("b:nvm:256MiB"),
                 parse_node("c:hbm:32MiB")]
        self.assertEqual(node_ranges(nodes), [
            (0, 64 << 20), (64 << 20, 256 << 20), (320 << 20, 32 << 20)])

    def test_policies(self):
        self.assertEqual(parse_policy("local", 2).mode, "local")
        p = parse_policy("weighted-interleave:0=3,1=1", 2)
        self.assertEqual((p.nodes, p.weights), ((0, 1), (3, 1)))
        self.assertEqual(bound_node(parse_policy("bind:1", 2)), 1)
        self.assertIsNone(bound_node(parse_policy("interleave:0,1", 2)))
        for bad, msg in [("bind:2", "out of range"), ("bind", "needs nodes"),
                         ("preferred:0,1", "one node"),
                         ("interleave:0=2,1", "weights are only"),
                         ("random", "mode must be")]:
            with self.assertRaisesRegex(ValueError, msg):
                parse_policy(bad, 2)

    def test_every_policy_mode_is_a_gem5_enum_value(self):
        # DeepMemNuma.default_mode is the DeepMemPolicyMode enum of the
        # SimObject file; every mode the command line takes must name one.
        import ast
        path = os.path.join(REPO, "gem5-patches", "extras", "deepmem",
                            "DeepMemNuma.py")
        with open(path, encoding="utf-8") as f:
            tree = ast.parse(f.read())
        enum = next(n for n in tree.body if isinstance(n, ast.ClassDef)
                    and n.name == "DeepMemPolicyMode")
        vals = next(ast.literal_eval(s.value) for s in enum.body
                    if isinstance(s, ast.Assign)
                    and s.targets[0].id == "vals")
        specs = {"local": "local", "bind": "bind:0", "preferred":
                 "preferred:1", "interleave": "interleave:0,1",
                 "weighted-interleave": "weighted-interleave:0=2,1=1"}
        modes = set()
        for text in specs.values():
            modes.add(parse_policy(text, 2).gem5_mode)
        self.assertEqual(modes, set(vals))

    def test_numa_files_for_libnuma(self):
        nodes = [parse_node("a:ddr4:64MiB"), parse_node("b:nvm:256MiB")]
        f = numa_files(nodes)
        self.assertEqual(f["sys/node/online"], "0-1\n")
        self.assertEqual(f["sys/node/possible"], "0-1\n")
        self.assertIn("Node 1 MemTotal:         262144 kB",
                      f["sys/node/node1/meminfo"])
        self.assertEqual(f["sys/node/node0/cpumap"], "00000001\n")
        self.assertEqual(f["sys/node/node1/cpumap"], "00000000\n")
        self.assertEqual(f["sys/node/node0/distance"], "10 20\n")
        self.assertEqual(f["sys/cpu/online"], "0\n")
        self.assertIn("sys/cpu/cpu0/", f)
        self.assertIn("Mems_allowed:\t00000003\n", f["proc/status"])


class StatsTests(unittest.TestCase):
    def test_parse_last_dump(self):
        s = parse_stats(STATS + STATS.replace("0.001000", "0.002000"))
        self.assertEqual(s["simSeconds"], 0.002)
        self.assertEqual(s["system.numa.reads::dram"], 120)
        self.assertNotEqual(s["system.cpu.cpi"], s["system.cpu.cpi"])
        self.assertEqual(parse_stats(STATS + STATS, dump=0)["simTicks"],
                         1e9)

    def test_no_dump_is_an_error(self):
        with self.assertRaisesRegex(ValueError, "no statistics"):
            parse_stats("hello\n")

    def test_node_totals_pair_numa_and_controller(self):
        t = node_totals(parse_stats(STATS), ["dram", "nvm"],
                        ctrl_path="system.memory.mem_ctrls{i}")
        self.assertEqual((t[0].reads, t[0].ctrl_reads), (120, 120))
        self.assertEqual((t[1].writes, t[1].ctrl_writes), (4, 5))


class OptionsTests(unittest.TestCase):
    def test_defaults(self):
        o = parse(["/bin/true"])
        self.assertEqual([n.name for n in o.nodes], ["dram", "nvm"])
        self.assertEqual(o.policy.mode, "local")
        self.assertEqual(o.cpu, "timing")
        self.assertEqual(o.l2_size, 256 << 10)
        self.assertTrue(o.telemetry)
        self.assertFalse(o.region_events)
        self.assertEqual((o.cores, o.epoch_ticks), (1, 0))

    def test_cores_and_time_epochs(self):
        o = parse(["--cores", "4", "--epoch-ticks", "1000000000", "x"])
        self.assertEqual((o.cores, o.epoch_ticks, o.epoch_instructions),
                         (4, 10**9, 0))
        with self.assertRaises(OptionsError) as cm:
            parse(["--cores", "0", "--epoch-ticks", "-5", "x"])
        text = " | ".join(cm.exception.problems)
        self.assertIn("--cores must be 1 to 64 (was 0)", text)
        self.assertIn("--epoch-ticks must be >= 0 (was -5)", text)
        with self.assertRaisesRegex(OptionsError, "exclude each other"):
            parse(["--epoch-ticks", "10", "--epoch-insts", "10", "x"])
        self.assertEqual(parse(["--controller", "hot-promote",
                                "--epoch-ticks", "10", "x"]).epoch_ticks, 10)

    def test_binary_arguments_are_kept(self):
        o = parse(["--cpu", "o3", "prog", "-x", "--node", "y"])
        self.assertEqual((o.binary, o.args), ("prog", ("-x", "--node", "y")))
        self.assertEqual(o.cpu, "o3")

    def test_every_problem_is_reported(self):
        with self.assertRaises(OptionsError) as cm:
            parse(["--node", "a:ddr4:64MiB", "--node", "a:nvm:64MiB",
                   "--policy", "bind:7", "--trace", "t.gz",
                   "--epoch-insts", "-1", "x"])
        text = " | ".join(cm.exception.problems)
        self.assertIn("'a' is used 2 times", text)
        self.assertIn("node 7 out of range", text)
        self.assertIn("--trace needs --window-insts", text)
        self.assertIn("--epoch-insts must be >= 0", text)

    def test_epoch_must_be_whole_windows(self):
        with self.assertRaisesRegex(OptionsError, "multiple of"):
            parse(["--trace", "t", "--window-insts", "300",
                   "--epoch-insts", "1000", "x"])

    def test_controller_turns_on_region_events(self):
        self.assertTrue(parse(["--controller", "grpc", "x"]).region_events)

    def test_trace_touches_needs_a_trace(self):
        with self.assertRaisesRegex(OptionsError,
                                    "--trace-touches needs --trace"):
            parse(["--trace-touches", "x"])
        o = parse(["--trace", "t", "--window-insts", "10", "--trace-touches",
                   "x"])
        self.assertTrue(o.trace_touches)
        self.assertFalse(parse(["x"]).trace_touches)


class TraceTests(unittest.TestCase):
    def test_round_trip(self):
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "t.jsonl.gz")
            w = TraceWriter(path, {"page_size": 4096,
                                   "window_instructions": 10})
            w.region(1, 4096, 8192, "mmap")
            w.window(100, 10, [1, 2], [3, 0], [0, 1], [0, 1],
                     resident=[4, 2], migrated=(0, 0))
            w.window(50, 4, [], [], [], [], migrated=(3, 20),
                     mem=[[2, 1, 300, 100], [0, 0, 0, 0]],
                     touches=[(1, 64), (7, 3)])
            w.end(150, 14, 0)
            h, regions, windows, end = read_trace(path)
        self.assertEqual(h["format"], "deepmem-window-trace")
        self.assertEqual(regions[0]["length"], 8192)
        self.assertEqual([x["w"] for x in windows], [0, 1])
        self.assertEqual(windows[0]["resident"], [4, 2])
        self.assertNotIn("migrated", windows[0])  # nothing moved
        self.assertEqual(windows[1]["migrated"], [3, 20])
        self.assertNotIn("mem", windows[0])
        self.assertEqual(windows[1]["mem"], [[2, 1, 300, 100], [0, 0, 0, 0]])
        self.assertNotIn("cpu_pages", windows[0])
        self.assertEqual(windows[1]["cpu_pages"], [1, 7])
        self.assertEqual(windows[1]["cpu_lines"], [64, 3])
        self.assertEqual(end, {"end": True, "ticks": 150, "insts": 14,
                               "exit_code": 0})

    def test_truncated_trace_is_an_error(self):
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "t.jsonl.gz")
            w = TraceWriter(path, {})
            w._f.close()
            with self.assertRaisesRegex(ValueError, "no end line"):
                read_trace(path)


class FakeBackend:
    """Scripted events; records what the controller applied."""

    def __init__(self, events):
        self.events = list(events)
        self.placements, self.migrations = [], []

    def machine_info(self):
        return ev.MachineInfo("fake", (), 4096, "x")

    def next_event(self):
        return self.events.pop(0)

    def apply_placement(self, p):
        self.placements.append(p)
        return ev.Outcome(1)

    def apply_migrations(self, ms):
        self.migrations.append(list(ms))
        return ev.Outcome(len(ms) - 1, [ev.Rejection(0, "rejected: full")])

    def stop(self, reason):
        pass


class DemoControllerTests(unittest.TestCase):
    def test_places_big_regions_and_promotes_hot_slow_pages(self):
        b = FakeBackend([
            ev.RegionCreated(1, 0x10000, 4096, "mmap"),
            ev.RegionCreated(2, 0x100000, 2 << 20, "mmap"),
            ev.EpochEnded(0, 0, 10, 100, 100, page_numbers=(5, 6, 7, 8),
                          reads=(1, 9, 4, 50), writes=(0, 0, 1, 0),
                          page_nodes=(1, 1, 1, 0)),
            ev.Finished(0, 20, 2e-11, 200),
        ])
        demo = HotPromote(top=2)
        final = demo(b)
        self.assertIsInstance(final, ev.Finished)
        self.assertEqual([p.region_id for p in b.placements], [2])
        self.assertEqual(b.placements[0].nodes, (1,))
        self.assertEqual([m.page_number for m in b.migrations[0]], [6, 7])
        self.assertEqual((demo.promoted, demo.rejected),
                         (1, ["rejected: full"]))


if __name__ == "__main__":
    unittest.main()
