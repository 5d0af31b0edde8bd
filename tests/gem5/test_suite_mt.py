"""The multi-threaded suite tier (tests/workloads/suite/mt_*.c, docs/suite.md)
run natively: the checksums that should not depend on the thread count do
not, gups's is repeatable, and bad arguments end with exit 2 and a message.
Needs gcc and make only (no gem5)."""

from __future__ import annotations

import os
import re
import subprocess
import unittest

from gem5util import build_workloads

# Small sizes: each run takes well under a second natively.
KERNELS = {
    "mt_stream": ["3", "2"],
    "mt_gups": ["2", "20000"],
    "mt_spmv": ["3", "2"],
    "mt_phases": ["3", "2"],
}


class SuiteMtTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.bin = build_workloads()

    def run_kernel(self, name, *args):
        return subprocess.run([os.path.join(self.bin, name), *args],
                              capture_output=True, text=True, timeout=60)

    def checksum(self, name, args, threads):
        p = self.run_kernel(name, *args, str(threads))
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn(f"threads={threads} ", p.stdout)
        m = re.search(r"checksum=(\S+)", p.stdout)
        self.assertIsNotNone(m, p.stdout)
        return m.group(1)

    def test_checksums_do_not_depend_on_the_thread_count(self):
        for name in ("mt_stream", "mt_spmv", "mt_phases"):
            with self.subTest(kernel=name):
                sums = {t: self.checksum(name, KERNELS[name], t)
                        for t in (1, 2, 3, 5)}
                self.assertEqual(len(set(sums.values())), 1, sums)

    def test_gups_is_repeatable_with_threads(self):
        first = self.checksum("mt_gups", KERNELS["mt_gups"], 4)
        for _ in range(3):
            self.assertEqual(self.checksum("mt_gups", KERNELS["mt_gups"], 4),
                             first)
        self.assertEqual(self.checksum("mt_gups", KERNELS["mt_gups"], 1),
                         self.checksum("mt_gups", KERNELS["mt_gups"], 1))

    def test_default_thread_count_is_the_online_cpus(self):
        p = self.run_kernel("mt_stream", "2", "1")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn(f"threads={os.sysconf('SC_NPROCESSORS_ONLN')} ",
                      p.stdout)

    def test_bad_arguments_exit_2_with_a_message(self):
        cases = [
            ("mt_stream", ["0"], "footprint MiB must be at least 1"),
            ("mt_spmv", ["3", "-1"], "repetitions must be at least 1"),
            ("mt_phases", ["3", "2", "0"], "threads must be 1..256"),
            ("mt_gups", ["1", "10", "300"], "threads must be 1..256"),
        ]
        for name, args, message in cases:
            with self.subTest(kernel=name, args=args):
                p = self.run_kernel(name, *args)
                self.assertEqual(p.returncode, 2, p.stdout)
                self.assertIn(message, p.stderr)


if __name__ == "__main__":
    unittest.main()
