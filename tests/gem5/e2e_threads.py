"""End-to-end tests of threaded programs on several cores (needs
DEEPMEM_GEM5=<gem5.opt built with gem5-patches>):

    DEEPMEM_GEM5=/path/to/gem5.opt python3 tests/gem5/e2e_threads.py -v

pthreads and OpenMP programs on --cores N: each thread's core (getcpu),
per-thread memory policies (set_mempolicy per thread, inheritance at
clone, first touch by the touching thread's policy), numactl-style
default policies, move_pages/migrate_pages by tgid on pages of exited
threads, migrations after the workers exit (O3 drain with halted cores),
loaded latency under contention, time epochs, and a 4-core run
driven over the grpc bridge whose epochs carry each core's instructions.
Each test prints the gem5 host time of its runs.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from gem5util import (CONFIG, Run, build_workloads,  # noqa: E402
                      gem5_missing, gem5_path, grpc_missing, out_root,
                      run_gem5, stream_us)

from deepmem.trace import read_trace  # noqa: E402

CORES = ("--cores", "4")
TICKS_PER_NS = 1000  # gem5's tick is 1 ps


def report(run: Run) -> None:
    print(f"\n[e2e] {run.name}: {run.host_s:.1f} s host", flush=True)


def threads_of(run: Run) -> dict[str, int]:
    """THREAD <id> cpu <n> ... lines: thread id -> core."""
    out = {}
    for line in run.stdout.splitlines():
        parts = line.split()
        if len(parts) >= 4 and parts[0] == "THREAD" and parts[2] == "cpu":
            out[parts[1]] = int(parts[3])
    return out


def read_latency_ns(run: Run, node: int, stat: str = "totMemAccLat"
                    ) -> float:
    """Mean read latency (queueing included) of a node's interface over
    the run, as EpochEnded.nodes[].avg_read_latency_ns measures it on a
    node without a link (a CXL node's adds its link); with
    stat="totQLat" the part of it spent queueing."""
    s = run.stats
    iface = f"system.memory.mem_ctrls{node}.dram."
    return s[iface + stat] / s[iface + "readBursts"] / TICKS_PER_NS


@unittest.skipIf(gem5_missing(), gem5_missing())
class Gem5Threads(unittest.TestCase):
    bins = ""

    @classmethod
    def setUpClass(cls):
        cls.bins = build_workloads()

    def bin(self, name: str) -> str:
        return os.path.join(self.bins, name)

    def check_pass(self, run: Run) -> None:
        report(run)
        fails = [ln for ln in run.stdout.splitlines()
                 if ln.startswith("FAIL ")]
        self.assertEqual(fails, [], run.tail())
        self.assertIn("RESULT PASS", run.stdout, run.tail())
        self.assertEqual(run.rc, 0, run.tail())

    # ------------------------------------------- per-thread policies
    def test_each_policy_mode_set_per_thread(self):
        """Three workers on four cores each set_mempolicy and first-touch
        their own pages; get_mempolicy and move_pages see the placement."""
        for mode, nodes in (("bind", "1"), ("interleave", "0,1"),
                            ("preferred", "1"), ("local", "0")):
            with self.subTest(mode=mode):
                run = run_gem5(f"threads-{mode}", self.bin("t_threads"),
                               ("policy", mode, nodes, "3"), CORES)
                self.check_pass(run)
                cores = threads_of(run)
                self.assertEqual(sorted(cores.values()), [0, 1, 2, 3],
                                 run.tail())
                self.assertEqual(cores["main"], 0)

    def test_numactl_style_default_policies(self):
        """The machine's default policy (numactl --membind, --interleave,
        --preferred) places every thread's first touches."""
        for policy, mode, nodes in (("bind:1", "bind", "1"),
                                    ("interleave:0,1", "interleave", "0,1"),
                                    ("preferred:1", "preferred", "1"),
                                    ("local", "local", "0")):
            with self.subTest(policy=policy):
                run = run_gem5(f"numactl-{mode}", self.bin("t_threads"),
                               ("numactl", mode, nodes, "3"),
                               (*CORES, "--policy", policy))
                self.check_pass(run)

    def test_threads_with_different_policies(self):
        """Thread A binds node 0, thread B node 1; their pages follow their
        own policies; pages of exited threads move by tgid; a new thread
        inherits its creator's policy."""
        run = run_gem5("threads-split", self.bin("t_threads"), ("split",),
                       ("--cores", "3"))
        self.check_pass(run)
        s = run.stats
        # move_pages of A's 16 pages to node 1, then migrate_pages of all
        # 32 back to node 0.
        self.assertEqual(s["system.numa.migratedPages"], 48, run.tail())
        self.assertEqual(s["system.numa.migrationsIn::dram"], 32)

    def test_openmp(self):
        run = run_gem5("openmp", self.bin("t_omp"), ("4",), CORES)
        self.check_pass(run)
        self.assertEqual(sorted(threads_of(run).values()), [0, 1, 2, 3])

    # ---------------------------------------------- contention, epochs
    def test_loaded_latency_rises_with_cores_on_one_node(self):
        """Four cores streaming from one DDR4 channel queue at it: the
        node's measured read latency rises over one core's, by its
        queueing part. (Timing CPUs have one miss in flight each: four of
        them use about a quarter of the channel.)"""
        runs = {}
        for cores in (1, 4):
            run = run_gem5(f"stream-mt-{cores}", self.bin("stream_mt"),
                           ("1024", "1", str(cores)),
                           ("--cores", str(cores), "--policy", "bind:0"))
            self.check_pass(run)
            runs[cores] = run
        lat = {c: read_latency_ns(r, 0) for c, r in runs.items()}
        queue = {c: read_latency_ns(r, 0, "totQLat")
                 for c, r in runs.items()}
        us = {c: stream_us(r) for c, r in runs.items()}
        print(f"\n[e2e] ddr4 read latency: 1 core {lat[1]:.1f} ns "
              f"(queueing {queue[1]:.1f}), 4 cores {lat[4]:.1f} ns "
              f"(queueing {queue[4]:.1f}); triad {us[1]:.0f} us vs "
              f"{us[4]:.0f} us", flush=True)
        self.assertGreater(queue[4], 1.5 * queue[1])
        self.assertGreater(lat[4] - lat[1], 0.8 * (queue[4] - queue[1]))
        # Still faster in total: the channel was not saturated by one.
        self.assertLess(us[4], us[1])

    def test_migrations_go_on_after_the_workers_exit(self):
        """hot-promote migrates on every 20k-instruction epoch of core 0,
        so batches come after the worker threads have exited and their O3
        cores halted. Each batch drains gem5 first; before patch 0003 this
        very run hung in that drain (the halted cores never drained)."""
        run = run_gem5("migrate-after-exit", self.bin("stream_mt"),
                       ("256", "1", "4"),
                       (*CORES, "--cpu", "o3", "--policy", "bind:1",
                        "--controller", "hot-promote",
                        "--epoch-insts", "20000"),
                       nodes=("--node", "dram:ddr4:16MiB",
                              "--node", "nvm:nvm:64MiB"), timeout=300)
        self.check_pass(run)
        res = run.result
        self.assertGreater(res["migrated_pages"], 0, res)
        self.assertEqual(res["epochs"], res["core_instructions"][0] // 20000,
                         res)
        # The workers ran to their end (each core committed its share).
        self.assertTrue(all(n > 100_000 for n in res["core_instructions"]),
                        res["core_instructions"])

    def test_time_epochs_on_four_cores_with_a_trace(self):
        """--epoch-ticks ends epochs by simulated time (hot-promote drives
        them); the window trace still adds up with epochs cutting into
        its windows."""
        period = 200_000_000  # 200 us
        run = run_gem5("time-epochs", self.bin("stream_mt"),
                       ("1024", "1", "4"),
                       (*CORES, "--policy", "bind:1", "--controller",
                        "hot-promote", "--epoch-ticks", str(period),
                        "--trace", "TRACE", "--window-insts", "100000"))
        self.check_pass(run)
        res = run.result
        self.assertEqual(res["epochs"], res["ticks"] // period, res)
        self.assertEqual(res["cores"], 4)
        self.assertEqual(len(res["core_instructions"]), 4)
        self.assertTrue(all(n > 0 for n in res["core_instructions"]))
        _, _, windows, end = read_trace(os.path.join(run.outdir, "TRACE"))
        self.assertEqual(sum(w["insts"] for w in windows), end["insts"])
        self.assertEqual(end["insts"], res["core_instructions"][0])
        s = run.stats
        reads = sum(sum(w["reads"]) for w in windows)
        self.assertLessEqual(reads, s["system.numa.reads::total"])
        self.assertGreater(reads, 0.95 * s["system.numa.reads::total"])
        migrated = sum(w.get("migrated", [0, 0])[0] for w in windows)
        self.assertEqual(migrated, s["system.numa.migratedPages"])
        self.assertGreater(migrated, 0)


@unittest.skipIf(gem5_missing(), gem5_missing())
@unittest.skipIf(grpc_missing(), grpc_missing())
class Gem5GrpcFourCores(unittest.TestCase):
    """A 4-core run served over the bridge to a Python controller."""

    def test_epochs_carry_each_cores_instructions(self):
        sys.path.insert(0, os.path.join(os.path.dirname(
            os.path.abspath(__file__)), "..", "bridge"))
        from bridge_harness import Controller

        bins = build_workloads()
        out = tempfile.mkdtemp(prefix="grpc4-", dir=out_root())
        port_file = os.path.join(out, "port")
        t0 = time.time()
        gem5 = subprocess.Popen(
            [gem5_path(), "-d", out, CONFIG, *CORES, "--controller", "grpc",
             "--policy", "bind:1", "--bridge-port-file", port_file,
             "--epoch-insts", "100000",
             os.path.join(bins, "stream_mt"), "1024", "1", "4"],
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
            epochs, moved = [], 0
            while True:
                m = c.recv(timeout=120)
                self.assertIsNotNone(m, "stream ended without Finished")
                kind = m.WhichOneof("event")
                if kind == "region_created":
                    c.ack(m.sequence)
                elif kind == "epoch_ended":
                    e = m.epoch_ended
                    epochs.append((e.epoch_instructions,
                                   list(e.core_instructions),
                                   [n.avg_read_latency_ns for n in e.nodes]))
                    p = e.pages
                    hot = sorted(((r + w, n) for n, r, w, node in zip(
                        p.page_numbers, p.reads, p.writes, p.nodes)
                        if node == 1), reverse=True)[:8]
                    c.migrate(m.sequence, *[(n, 0) for _, n in hot])
                    moved += len(hot)
                else:
                    break
            c.close()
            stdout, _ = gem5.communicate(timeout=120)
        finally:
            if gem5.poll() is None:
                gem5.kill()
        print(f"\n[e2e] grpc-4-cores: {time.time() - t0:.1f} s host, "
              f"{len(epochs)} epochs", flush=True)
        self.assertEqual(kind, "finished", stdout[-2000:])
        self.assertEqual(gem5.returncode, 0, stdout[-2000:])
        self.assertIn("RESULT PASS", stdout)
        self.assertGreater(len(epochs), 2)
        for insts, cores, _ in epochs:
            self.assertEqual(len(cores), 4)
            # Epochs count core 0 (the main thread's core).
            self.assertEqual(cores[0], insts)
        # While the four threads stream, every core commits instructions.
        self.assertTrue(any(all(n > 0 for n in cores)
                            for _, cores, _ in epochs))
        run = Run("grpc4", gem5.returncode, stdout, "", out, 0.0)
        self.assertEqual(run.stats["system.numa.migrationsIn::dram"], moved)
        self.assertGreater(moved, 0)


if __name__ == "__main__":
    unittest.main()
