"""End-to-end tests of the patched gem5 (needs DEEPMEM_GEM5=<gem5.opt>).

    DEEPMEM_GEM5=/path/to/build/X86/gem5.opt python3 tests/gem5/e2e.py -v

Without DEEPMEM_GEM5 every test is skipped with a message. Each test prints
the gem5 host time of its runs ("[e2e] <name>: <s> s host").
"""

from __future__ import annotations

import os
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from gem5util import (CTRL, Run, build_workloads,  # noqa: E402
                      gem5_missing, gem5_path, grpc_missing, out_root,
                      run_gem5, stream_us)

from deepmem.config import node_totals  # noqa: E402
from deepmem.trace import read_trace  # noqa: E402

STREAM_ARGS = ("1024", "1")
# t_signal's cases that die, with the signal (exit status 128 + signal).
SIGNAL_DEATHS = {"abort": (6, "SIGABRT"), "raise": (15, "SIGTERM"),
                 "kill": (9, "SIGKILL"), "tgkill": (10, "SIGUSR1"),
                 "segv": (11, "SIGSEGV"), "fpe": (8, "SIGFPE"),
                 "ill": (4, "SIGILL"), "handled-abort": (6, "SIGABRT"),
                 "blocked": (12, "SIGUSR2")}


def report(run: Run) -> None:
    print(f"\n[e2e] {run.name}: {run.host_s:.1f} s host", flush=True)


@unittest.skipIf(gem5_missing(), gem5_missing())
class Gem5EndToEnd(unittest.TestCase):
    bins = ""

    @classmethod
    def setUpClass(cls):
        cls.bins = build_workloads()
        cls.streams: dict[str, Run] = {}

    def bin(self, name: str) -> str:
        return os.path.join(self.bins, name)

    def check_pass(self, run: Run) -> None:
        report(run)
        fails = [ln for ln in run.stdout.splitlines()
                 if ln.startswith("FAIL ")]
        self.assertEqual(fails, [], run.tail())
        self.assertIn("RESULT PASS", run.stdout, run.tail())
        self.assertEqual(run.rc, 0, run.tail())

    def stream(self, policy: str, *extra: str) -> Run:
        key = policy + " ".join(extra)
        if key not in self.streams:
            name = "stream-" + policy.replace(":", "") + (
                "-" + "-".join(e.strip("-") for e in extra if
                               e.startswith("--")) if extra else "")
            self.streams[key] = run_gem5(
                name, self.bin("stream"), STREAM_ARGS,
                ("--policy", policy, *extra))
            report(self.streams[key])
        return self.streams[key]

    # ---------------------------------------------------- system calls
    def test_set_mempolicy(self):
        self.check_pass(run_gem5("set_mempolicy",
                                 self.bin("t_set_mempolicy")))

    def test_get_mempolicy(self):
        self.check_pass(run_gem5("get_mempolicy",
                                 self.bin("t_get_mempolicy")))

    def test_mbind(self):
        self.check_pass(run_gem5("mbind", self.bin("t_mbind")))

    def test_move_pages_and_migration_stats(self):
        run = run_gem5("move_pages", self.bin("t_move_pages"))
        self.check_pass(run)
        s = run.stats
        # 64 to node 1, 32 back, 1 more: 97 migrations, each charged.
        self.assertEqual(s["system.numa.migratedPages"], 97, run.tail())
        self.assertEqual(s["system.numa.migrationsIn::nvm"], 65)
        self.assertEqual(s["system.numa.migrationsIn::dram"], 32)
        per_page = 2_000_000 + 4096 / 2.3e9 * 1e12  # ticks
        self.assertAlmostEqual(s["system.numa.migrationTicks"],
                               97 * per_page, delta=97 * 2)
        # Old frames are recycled: the 32 pages moved back to dram reuse
        # the 64 dram frames freed by the first move.
        self.assertEqual(s["system.numa.freedFrames::total"], 97)
        self.assertEqual(s["system.numa.recycledFrames::dram"], 32)

    def test_migrate_pages(self):
        self.check_pass(run_gem5("migrate_pages",
                                 self.bin("t_migrate_pages")))

    def test_errno(self):
        run = run_gem5("errno", self.bin("t_errno"))
        self.check_pass(run)
        self.assertGreaterEqual(run.stats["system.numa.policySyscallErrors"],
                                27)

    def test_libnuma(self):
        self.check_pass(run_gem5("libnuma", self.bin("t_libnuma")))

    # ------------------------------------------ VMA policies, signals
    def test_mremap_keeps_the_policy(self):
        self.check_pass(run_gem5("mremap", self.bin("t_mremap")))

    def test_vma_splits_keep_the_policy(self):
        self.check_pass(run_gem5("vma_split", self.bin("t_vma_split")))

    def test_signal_deaths_fail_the_run(self):
        for case, (sig, name) in SIGNAL_DEATHS.items():
            with self.subTest(case=case):
                run = run_gem5(f"signal-{case}", self.bin("t_signal"),
                               (case,))
                report(run)
                self.assertEqual(run.rc, 128 + sig, run.tail())
                self.assertIn(f"READY {case}", run.stdout)
                self.assertNotIn("AFTER", run.stdout)
                self.assertIn(f"DEEPMEM_KILLED signal={sig} name={name}",
                              run.stdout)
                r = run.result
                self.assertEqual((r["exit_code"], r["signal"],
                                  r["signal_name"]),
                                 (128 + sig, sig, name))
                self.assertEqual(r["note"],
                                 f"killed by {name} (exit {128 + sig})")
        self.assertIn("PENDING", run.stdout)  # blocked, then unblocked
        for case, code in (("ignored", 0), ("exit3", 3)):
            with self.subTest(case=case):
                run = run_gem5(f"signal-{case}", self.bin("t_signal"),
                               (case,))
                report(run)
                self.assertEqual(run.rc, code, run.tail())
                self.assertIn(f"AFTER {case}", run.stdout)
                self.assertNotIn("DEEPMEM_KILLED", run.stdout)
                self.assertEqual((run.result["exit_code"],
                                  run.result["signal"]), (code, None))

    def test_numactl_realloc_test(self):
        """numactl's own test/realloc_test.c, built statically against
        libnuma outside this repository (DEEPMEM_NUMACTL_REALLOC names
        the binary); on node 0 and on node 1."""
        binary = os.environ.get("DEEPMEM_NUMACTL_REALLOC", "")
        if not binary:
            self.skipTest("DEEPMEM_NUMACTL_REALLOC is not set (a static "
                          "build of numactl's test/realloc_test.c)")
        for node in ("0", "1"):
            with self.subTest(node=node):
                run = run_gem5(f"realloc_test-{node}", binary, (node,))
                report(run)
                self.assertEqual(run.rc, 0, run.tail())
                self.assertIn(f"Allocate data in node: {node}", run.stdout)
                self.assertIn("Moved reallocs:", run.stdout)

    # ------------------------------------------------ nodes and speed
    def test_stream_nvm_slower_than_ddr(self):
        ddr = self.stream("bind:0")
        nvm = self.stream("bind:1")
        for run in (ddr, nvm):
            self.assertEqual(run.rc, 0, run.tail())
            self.assertIn("RESULT PASS", run.stdout)
        s_ddr, s_nvm = ddr.stats, nvm.stats
        self.assertEqual(s_ddr["system.numa.allocations::nvm"], 0)
        self.assertEqual(s_nvm["system.numa.allocations::dram"], 0)
        ratio = stream_us(nvm) / stream_us(ddr)
        sim_ratio = s_nvm["simSeconds"] / s_ddr["simSeconds"]
        print(f"[e2e] stream triad NVM/DDR time ratio {ratio:.2f} "
              f"(whole run {sim_ratio:.2f})", flush=True)
        self.assertGreater(ratio, 1.3)
        self.assertLess(ratio, 20.0)

    def test_every_preset_runs_and_orders_plausibly(self):
        nodes = ("--node", "dram:ddr4:64MiB", "--node", "nvm:nvm:64MiB",
                 "--node", "hbm:hbm:64MiB", "--node", "cxl:cxl:64MiB")
        us = {}
        for i, name in enumerate(("dram", "nvm", "hbm", "cxl")):
            run = run_gem5(f"preset-{name}", self.bin("stream"), STREAM_ARGS,
                           ("--policy", f"bind:{i}"), nodes=nodes)
            report(run)
            self.assertEqual(run.rc, 0, run.tail())
            self.assertIn("RESULT PASS", run.stdout)
            self.assertGreater(run.stats[f"system.numa.reads::{name}"], 1000)
            us[name] = stream_us(run)
            if name == "hbm":
                # One stack: controllers 2..9 are its 8 pseudo channels;
                # the 256-byte interleave spreads the stream over all of
                # them, and the node's telemetry counts what they served.
                per = [run.stats[CTRL.format(i=c) + ".readReqs"]
                       for c in range(2, 10)]
                self.assertEqual(sum(per),
                                 run.stats["system.numa.reads::hbm"])
                self.assertGreater(min(per), sum(per) / 16, per)
        print("[e2e] stream triad us per preset: " + ", ".join(
            f"{k} {v:.0f}" for k, v in us.items()), flush=True)
        self.assertLess(us["dram"], us["cxl"])  # 70 ns added per access
        self.assertLess(us["cxl"], us["nvm"])
        self.assertLess(0.5, us["hbm"] / us["dram"])
        self.assertLess(us["hbm"] / us["dram"], 2.0)

    def test_node_totals_match_controllers(self):
        run = self.stream("interleave:0,1")
        self.assertEqual(run.rc, 0, run.tail())
        totals = node_totals(run.stats, ["dram", "nvm"], ctrl_path=CTRL)
        for t in totals:
            self.assertGreater(t.reads, 1000, t)
            self.assertEqual((t.reads, t.writes),
                             (t.ctrl_reads, t.ctrl_writes), t)

    def test_first_touch_spills_to_next_node(self):
        run = run_gem5("spill", self.bin("stream"), ("4096", "1"),
                       nodes=("--node", "dram:ddr4:8MiB", "--node",
                              "nvm:nvm:64MiB"))
        report(run)
        self.assertEqual(run.rc, 0, run.tail())
        s = run.stats
        # 8 MiB = 2048 frames: all but a few on dram (gem5's MemPool cannot
        # hand out a pool's last page), the rest spilled to nvm.
        self.assertGreaterEqual(s["system.numa.residentPages::dram"], 2040)
        self.assertGreater(s["system.numa.allocations::nvm"], 900)
        self.assertGreater(s["system.numa.fallbackAllocations::nvm"], 900)

    # ------------------------------------------------------ telemetry
    def test_window_trace(self):
        k = 100_000
        run = self.stream("bind:1", "--trace", "TRACE", "--window-insts",
                          str(k))
        self.assertEqual(run.rc, 0, run.tail())
        path = os.path.join(run.outdir, "TRACE")
        header, regions, windows, end = read_trace(path)
        self.assertEqual(header["version"], 1)
        self.assertEqual(header["bound_node"], 1)
        self.assertEqual(header["window_instructions"], k)
        self.assertEqual([n["name"] for n in header["nodes"]],
                         ["dram", "nvm"])
        self.assertTrue(any(r["length"] >= 1 << 20 for r in regions))
        self.assertEqual(end["exit_code"], 0)
        self.assertEqual(sum(w["insts"] for w in windows), end["insts"])
        self.assertEqual(sum(w["ticks"] for w in windows), end["ticks"])
        self.assertTrue(all(w["insts"] == k for w in windows[:-1]))
        reads = sum(sum(w["reads"]) for w in windows)
        writes = sum(sum(w["writes"]) for w in windows)
        s = run.stats
        # Pages of freed frames only count in the node totals.
        self.assertLessEqual(reads, s["system.numa.reads::total"])
        self.assertGreater(reads, 0.95 * s["system.numa.reads::total"])
        self.assertLessEqual(writes, s["system.numa.writes::total"])
        self.assertTrue(all(set(w["nodes"]) <= {1} for w in windows))
        # Per-window memory counters add up to the interfaces' totals.
        for node in (0, 1):
            iface = f"system.memory.mem_ctrls{node}.dram."
            for k, stat in enumerate(("readBursts", "writeBursts",
                                      "totMemAccLat", "totQLat")):
                self.assertEqual(sum(w["mem"][node][k] for w in windows),
                                 s[iface + stat], (node, stat))
        self.assertGreater(sum(w["mem"][1][0] for w in windows), 1000)

    def test_trace_touches(self):
        k = "100000"
        plain = self.stream("bind:1", "--trace", "TRACE", "--window-insts", k)
        run = self.stream("bind:1", "--trace", "TRACE", "--window-insts", k,
                          "--trace-touches")
        self.assertEqual(run.rc, 0, run.tail())
        _, _, base, _ = read_trace(os.path.join(plain.outdir, "TRACE"))
        _, _, windows, _ = read_trace(os.path.join(run.outdir, "TRACE"))
        # The monitor in front of the L1 data cache changes no timing and
        # no memory-side count.
        self.assertEqual(len(windows), len(base))
        for a, b in zip(base, windows):
            for key in ("ticks", "insts", "pages", "reads", "writes"):
                self.assertEqual(a[key], b[key], (a["w"], key))
            self.assertNotIn("cpu_pages", a)
        lines = [n for w in windows for n in w["cpu_lines"]]
        self.assertTrue(all(1 <= n <= 64 for n in lines))
        for w in windows:
            self.assertEqual(w["cpu_pages"], sorted(set(w["cpu_pages"])))
        # stream reads every line once from memory, and the CPU touched it.
        reads = sum(sum(w["reads"]) for w in windows)
        self.assertGreater(sum(lines), 0.95 * reads)

    def test_set_memory_range_moves_links_too(self):
        script = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                              "check_memory_ranges.py")
        p = subprocess.run([gem5_path(), "-d", out_root(), script],
                           capture_output=True, text=True, timeout=120)
        self.assertEqual(p.returncode, 0, p.stdout[-2000:] + p.stderr[-2000:])
        self.assertIn("OK", p.stdout.splitlines())

    def test_telemetry_overhead(self):
        on = self.stream("bind:0")
        off = self.stream("bind:0", "--no-telemetry")
        self.assertEqual(off.rc, 0, off.tail())
        self.assertEqual(on.stats["simTicks"], off.stats["simTicks"],
                         "counters must not change timing")
        ratio = on.host_s / off.host_s
        print(f"[e2e] telemetry host-time ratio (one run each) "
              f"{ratio:.3f}", flush=True)
        self.assertLess(ratio, 1.5)

    # ------------------------------------------------------------- O3
    def test_o3_stream_and_migration(self):
        run = run_gem5("o3-stream", self.bin("stream"), ("512", "1"),
                       ("--cpu", "o3", "--policy", "bind:1"))
        report(run)
        self.assertEqual(run.rc, 0, run.tail())
        self.assertIn("RESULT PASS", run.stdout)
        self.assertGreater(run.stats["system.numa.reads::nvm"], 1000)
        self.check_pass(run_gem5("o3-move_pages", self.bin("t_move_pages"),
                                 options=("--cpu", "o3")))

    def test_o3_controller_migrations_keep_data(self):
        run = run_gem5("o3-hot-promote", self.bin("stream"), STREAM_ARGS,
                       ("--cpu", "o3", "--controller", "hot-promote",
                        "--epoch-insts", "300000"))
        report(run)
        self.assertEqual(run.rc, 0, run.tail())
        self.assertIn("RESULT PASS", run.stdout)  # data survived drains
        self.assertGreater(run.stats["system.numa.migratedPages"], 0)

    # ----------------------------------------------------- controller
    def test_controller_places_and_promotes(self):
        run = run_gem5("hot-promote", self.bin("stream"), STREAM_ARGS,
                       ("--controller", "hot-promote", "--epoch-insts",
                        "300000", "--trace", "TRACE", "--window-insts",
                        "100000"))
        report(run)
        self.assertEqual(run.rc, 0, run.tail())
        self.assertIn("RESULT PASS", run.stdout)  # data survived
        demo = [ln for ln in run.stdout.splitlines()
                if ln.startswith("DEEPMEM_DEMO")]
        self.assertTrue(demo, run.tail())
        fields = dict(kv.split("=") for kv in demo[0].split()[1:])
        self.assertGreaterEqual(int(fields["placed"]), 3)
        self.assertGreater(int(fields["promoted"]), 0)
        s = run.stats
        self.assertEqual(s["system.numa.migrationsIn::dram"],
                         int(fields["promoted"]))
        self.assertEqual(run.result["migrated_pages"],
                         int(fields["promoted"]))
        # The window trace says where the migrations happened: at the
        # start of the window after an epoch, with gem5's stall inside it.
        _, _, windows, _ = read_trace(os.path.join(run.outdir, "TRACE"))
        moved = [w for w in windows if "migrated" in w]
        self.assertTrue(moved)
        self.assertEqual(sum(w["migrated"][0] for w in moved),
                         int(fields["promoted"]))
        self.assertTrue(all(0 < w["migrated"][1] <= w["ticks"]
                            and w["w"] % 3 == 0 for w in moved))


@unittest.skipIf(gem5_missing(), gem5_missing())
@unittest.skipIf(grpc_missing(), grpc_missing())
class Gem5GrpcController(unittest.TestCase):
    """gem5 serves the run over the bridge; a Python controller drives it."""

    def test_controller_places_and_migrates_over_grpc(self):
        import subprocess
        import tempfile
        import time

        sys.path.insert(0, os.path.join(os.path.dirname(
            os.path.abspath(__file__)), "..", "bridge"))
        from bridge_harness import Controller, pb2

        from gem5util import CONFIG, out_root

        bins = build_workloads()
        out = tempfile.mkdtemp(prefix="grpc-", dir=out_root())
        port_file = os.path.join(out, "port")
        t0 = time.time()
        gem5 = subprocess.Popen(
            [gem5_path(), "-d", out, CONFIG, "--controller", "grpc",
             "--bridge-port-file", port_file, "--epoch-insts", "300000",
             os.path.join(bins, "stream"), *STREAM_ARGS],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        try:
            def port() -> str:
                if not os.path.exists(port_file):
                    return ""
                with open(port_file) as f:
                    return f.read().strip()

            for _ in range(300):
                if port():
                    break
                time.sleep(0.1)
            c = Controller(int(port()))
            self.assertTrue(c.hello().accepted)
            c.open()
            kinds, placed, moved, rejected = [], 0, 0, []
            latency = {0: [], 1: []}
            while True:
                m = c.recv(timeout=120)
                self.assertIsNotNone(m, "stream ended without Finished")
                kind = m.WhichOneof("event")
                kinds.append(kind)
                if m.HasField("previous_reply"):
                    rejected += [r.reason for r in
                                 m.previous_reply.rejections]
                if kind == "region_created":
                    e = m.region_created
                    if e.length_bytes >= 1 << 20:
                        c.place(m.sequence, e.region_id,
                                pb2.PLACEMENT_MODE_BIND, [1])
                        placed += 1
                    else:
                        c.ack(m.sequence)
                elif kind == "epoch_ended":
                    for n in m.epoch_ended.nodes:
                        if n.reads:
                            latency[n.node].append(n.avg_read_latency_ns)
                    p = m.epoch_ended.pages
                    hot = sorted(
                        ((r + w, n) for n, r, w, node in zip(
                            p.page_numbers, p.reads, p.writes, p.nodes)
                         if node == 1), reverse=True)[:16]
                    c.migrate(m.sequence, *[(n, 0) for _, n in hot])
                    moved += len(hot)
                else:
                    break
            c.close()
            stdout, _ = gem5.communicate(timeout=120)
        finally:
            if gem5.poll() is None:
                gem5.kill()
        print(f"\n[e2e] grpc-controller: {time.time() - t0:.1f} s host",
              flush=True)
        self.assertEqual(kinds[-1], "finished", stdout[-2000:])
        self.assertEqual(gem5.returncode, 0, stdout[-2000:])
        self.assertIn("RESULT PASS", stdout)
        self.assertGreaterEqual(placed, 3)
        self.assertIn("epoch_ended", kinds)
        self.assertEqual(rejected, [])
        run = Run("grpc", gem5.returncode, stdout, "", out, 0.0)
        self.assertEqual(run.stats["system.numa.migrationsIn::dram"], moved)
        self.assertGreater(moved, 0)
        # Each epoch carries the measured mean read latency per node: NVM's
        # reads wait longer than DRAM's.
        self.assertTrue(latency[1] and all(v > 0 for v in latency[1]))
        self.assertGreater(sum(latency[1]) / len(latency[1]),
                           sum(latency[0]) / max(1, len(latency[0])))


@unittest.skipIf(gem5_missing(), gem5_missing())
@unittest.skipIf(grpc_missing(), grpc_missing())
class Gem5ControllerKilled(unittest.TestCase):
    """kill -9 of the controller mid-run, while gem5's stdout and stderr
    are pipes to it (as when deepmem runs gem5): gem5 applies its fallback
    and exits on its own. "stop": the run ends at once, its result file
    says why, status 1 (the program did not finish); "default": the program
    runs to its end on the default policy, status 0."""

    def run_and_kill(self, fallback: str):
        import json
        import signal
        import tempfile
        import time

        from gem5util import CONFIG, out_root

        bins = build_workloads()
        out = tempfile.mkdtemp(prefix=f"killed-{fallback}-", dir=out_root())
        port_file = os.path.join(out, "port")
        saw = os.path.join(out, "parent-saw.txt")
        program_out = os.path.join(out, "program.out")
        r_out, w_out = os.pipe()
        r_err, w_err = os.pipe()
        t0 = time.time()
        # The test is gem5's parent (to read its exit status); the
        # "controller" holds the only reading ends of gem5's pipes.
        gem5 = subprocess.Popen(
            [gem5_path(), "-d", out, CONFIG, "--controller", "grpc",
             "--region-events", "--bridge-port-file", port_file,
             "--bridge-fallback", fallback, "--bridge-reply-timeout", "600",
             "--epoch-insts", "300000", "--stdout-file", program_out,
             os.path.join(bins, "stream"), *STREAM_ARGS],
            stdin=subprocess.DEVNULL, stdout=w_out, stderr=w_err)
        os.close(w_out)
        os.close(w_err)
        here = os.path.dirname(os.path.abspath(__file__))
        parent = subprocess.Popen(
            [sys.executable, os.path.join(here, "controller_parent.py"),
             port_file, str(r_out), str(r_err), saw],
            pass_fds=(r_out, r_err), stdout=subprocess.PIPE, text=True,
            env=dict(os.environ, PYTHONPATH=os.path.join(
                here, "..", "..", "gem5-patches", "python")))
        os.close(r_out)
        os.close(r_err)
        try:
            line = parent.stdout.readline().strip()
            self.assertTrue(line.startswith("holding event"),
                            f"controller: {line!r}")
            parent.send_signal(signal.SIGKILL)
            parent.wait(60)
            parent.stdout.close()
            code = gem5.wait(timeout=900)
        finally:
            for p in (parent, gem5):
                if p.poll() is None:
                    p.kill()
                    p.wait(60)
        print(f"\n[e2e] killed-{fallback}: {time.time() - t0:.1f} s host",
              flush=True)
        with open(saw, encoding="utf-8", errors="replace") as f:
            seen = f.read()[-3000:]
        with open(os.path.join(out, "deepmem_result.json")) as f:
            result = json.load(f)
        with open(program_out, encoding="utf-8", errors="replace") as f:
            program = f.read()
        return code, result, program, seen

    def test_stop_fallback_ends_the_run_with_its_reason(self):
        code, result, program, seen = self.run_and_kill("stop")
        self.assertEqual(code, 1, seen)
        self.assertTrue(result["note"].startswith(
            "stopped: controller unavailable"), result["note"])
        self.assertNotIn("RESULT PASS", program)

    def test_default_fallback_finishes_the_program(self):
        code, result, program, seen = self.run_and_kill("default")
        self.assertEqual(code, 0, seen)
        self.assertEqual(result["exit_code"], 0)
        self.assertEqual(result["note"], "")
        self.assertGreaterEqual(result["epochs"], 1)
        self.assertIn("RESULT PASS", program)


if __name__ == "__main__":
    if gem5_missing():
        print(f"SKIP: {gem5_missing()}")
    unittest.main()
