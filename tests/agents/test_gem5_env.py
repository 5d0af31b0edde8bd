"""gem5 end to end: the Python env (DeepMemEnv) drives a real gem5 run.

A tiny workload (stream, 1024 doubles, one pass) on DDR4 + NVM under the
timing CPU, every region preferring NVM: reset, a few step() calls
promoting the hottest NVM pages to DDR4, then no-ops to the end of the run; the observation's shape, finite
negative rewards, gem5's Finished and its exit are checked.

Needs the patched gem5 (DEEPMEM_GEM5=<gem5.opt>), the built CLI and the
test workloads (make -C tests/workloads). Run:
  DEEPMEM_GEM5=... PYTHONPATH=gem5-patches/python:python/deepmem_agents \\
    /usr/bin/python3 -m unittest discover -s tests/agents -v
"""

from __future__ import annotations

import math
import os
import shutil
import sys
import tempfile
import time
import unittest
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "python" / "deepmem_agents"))

from deepmem_agents import DeepMemEnv  # noqa: E402

GEM5 = os.environ.get("DEEPMEM_GEM5", "")
STREAM = ROOT / "tests" / "workloads" / "bin" / "stream"
CLI_BUILT = any((ROOT / "src" / "DeepMem.Cli" / "bin" / c / "net10.0" /
                 "deepmem.dll").is_file() for c in ("Debug", "Release")) \
    or bool(os.environ.get("DEEPMEM_CLI"))

EXPERIMENT = """\
name: agents-gem5-e2e
memory:
  nodes:
    - {{ name: dram, preset: ddr4, capacity: 1MiB }}
    - {{ name: nvm, preset: nvm, capacity: 64MiB }}
cpu:
  model: timing
workload:
  binary: {binary}
  args: ["1024", "1"]
policy:
  name: first-touch
epoch: 20k
backend: gem5
output: {output}
"""


def skip_reason() -> str | None:
    if not GEM5:
        return ("DEEPMEM_GEM5 is not set (the patched gem5.opt); "
                "see docs/gem5.md")
    if not os.access(GEM5, os.X_OK):
        return f"DEEPMEM_GEM5={GEM5} is not an executable"
    if not STREAM.is_file():
        return f"{STREAM} missing: run make -C tests/workloads"
    if not CLI_BUILT:
        return "the CLI is not built (dotnet build DeepMem.Gem5.sln)"
    return None


@unittest.skipIf(skip_reason() is not None, skip_reason() or "")
class Gem5EnvTest(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="deepmem-agents-gem5-")
        self.addCleanup(shutil.rmtree, self.dir, True)
        self.yaml = os.path.join(self.dir, "e2e.yaml")
        with open(self.yaml, "w", encoding="utf-8") as f:
            f.write(EXPERIMENT.format(binary=STREAM,
                                      output=os.path.join(self.dir, "out")))

    def test_env_drives_a_real_gem5_run_to_its_end(self):
        t0 = time.monotonic()
        # Every region prefers NVM, so that there is something to promote.
        env = DeepMemEnv(self.yaml, backend="gem5", hot_pages=8,
                         move_pages=16, region_placement=("preferred", [1]))
        try:
            n = env.features.nodes
            self.assertEqual(n, 2)
            size = 8 * n + 2 * 8
            self.assertEqual(tuple(env.observation_space.shape), (size,))
            self.assertEqual(env.action_space.n, 1 + 3 * n * (n - 1))
            # (0,1) is pair 0, (1,0) pair 1: action 3 = hottest nvm -> dram.
            promote = 3
            self.assertEqual(env.features.describe(promote),
                             "hottest 16 pages 1->0")

            obs, info = env.reset()
            self.assertEqual(len(obs), size)
            self.assertIn("epoch", info, "gem5 ended before its first epoch")
            gem5 = env.backend.process
            self.assertTrue(gem5.alive())

            rewards, moved, steps, terminated = [], 0, 0, False
            while not terminated and steps < 500:
                action = promote if steps < 3 else 0
                obs, reward, terminated, truncated, info = env.step(action)
                self.assertEqual(len(obs), size)
                self.assertFalse(truncated)
                rewards.append(reward)
                moved += info["moved"]
                steps += 1
            self.assertTrue(terminated, f"no end after {steps} steps")
            self.assertGreaterEqual(steps, 3, "fewer epochs than the test "
                                    "needs: lower the epoch")
            for r in rewards:
                self.assertTrue(math.isfinite(r) and r < 0,
                                f"reward {r} (all: {rewards})")
            self.assertGreater(moved, 0, "the promotions asked for nothing")
            self.assertGreater(env.result.migrated_pages, 0)
            self.assertEqual(env.result.exit_code, 0)
            self.assertGreater(env.result.simulated_seconds, 0)
            # gem5 ends on its own after Finished.
            code = gem5.proc.wait(60)
            self.assertEqual(code, 0, gem5.tail_text())
            print(f"\n[agents-gem5] {steps} steps, {moved} pages asked to "
                  f"move, {env.result.migrated_pages} migrated, return "
                  f"{sum(rewards):.3f} ms, host {time.monotonic() - t0:.1f} s",
                  file=sys.stderr)
        finally:
            env.close()
        self.assertIsNone(env.backend.process)


if __name__ == "__main__":
    unittest.main()
