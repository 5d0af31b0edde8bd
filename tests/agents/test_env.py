"""The Python client package (python/deepmem_agents) against both servers:
the estimator's (`deepmem serve`, needs the built CLI) and the gem5 side's
(the scripted simulator, deepmem.bridge.scripted, under this interpreter).

Run: PYTHONPATH=python/deepmem_agents:gem5-patches/python \
     /usr/bin/python3 -m unittest discover -s tests/agents -v
"""

from __future__ import annotations

import gc
import json
import os
import sys
import tempfile
import unittest
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "python" / "deepmem_agents"))

from deepmem_agents import DeepMemEnv, Session  # noqa: E402
from deepmem_agents.backend import (BackendError, ProcessBackend,  # noqa: E402
                                    deepmem_command)
from deepmem_agents.features import EpochView, Features, NodeView  # noqa: E402

QUICKSTART = str(ROOT / "configs" / "experiments" / "quickstart.yaml")
CLI_BUILT = any((ROOT / "src" / "DeepMem.Cli" / "bin" / c / "net10.0" /
                 "deepmem.dll").is_file() for c in ("Debug", "Release")) \
    or bool(os.environ.get("DEEPMEM_CLI"))


def script(epochs: int = 4, dram_pages: int = 256) -> dict:
    nodes = [
        {"id": 0, "name": "dram", "kind": "dram",
         "capacity_bytes": dram_pages * 4096, "read_latency_ns": 50},
        {"id": 1, "name": "nvm", "kind": "nvm",
         "capacity_bytes": 1 << 26, "read_latency_ns": 300},
    ]
    events = [{"region_created": {"region_id": 1, "start_address": 0x400000,
                                  "length_bytes": 64 * 4096,
                                  "source": "mmap"}}]
    for e in range(epochs):
        events.append({"epoch_ended": {
            "epoch": e, "start_tick": e * 1000, "end_tick": (e + 1) * 1000,
            "epoch_instructions": 1000, "total_instructions": (e + 1) * 1000,
            "pages": [[0x400 + i, 10 - i % 10, 0, 1] for i in range(40)]}})
    events.append({"finished": {"exit_code": 0, "ticks": epochs * 1000 + 500,
                                "simulated_seconds": 1e-9,
                                "instructions": epochs * 1000}})
    return {"machine": {"nodes": nodes, "epoch_instructions": 1000,
                        "ticks_per_second": 1e12}, "events": events}


class ScriptedServer(ProcessBackend):
    """The gem5 side's scripted simulator as the env's backend."""

    def __init__(self, data: dict, *extra: str):
        self.dir = tempfile.mkdtemp(prefix="deepmem-agents-test-")
        path = os.path.join(self.dir, "script.json")
        with open(path, "w", encoding="utf-8") as f:
            json.dump(data, f)
        super().__init__(
            [sys.executable, "-m", "deepmem.bridge.scripted", "--script",
             path, "--port", "0", *extra],
            env={"PYTHONPATH": str(ROOT / "gem5-patches" / "python")},
            name="scripted simulator")


def closed_without_resource_warnings(test: unittest.TestCase, make_env):
    """Runs an episode's start, then close(), with ResourceWarning as an
    error: a warning raised in a destructor is unraisable, so the hook
    collects it; the test fails when any comes."""
    caught = []
    old_hook = sys.unraisablehook
    sys.unraisablehook = caught.append
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", ResourceWarning)
            env = make_env()
            env.reset()
            proc = env.backend.process.proc
            env.close()
            closed = proc.stdout.closed and proc.stderr.closed
            del env, proc
            gc.collect()
    finally:
        sys.unraisablehook = old_hook
    test.assertEqual([str(u.exc_value) for u in caught], [])
    test.assertTrue(closed)


class FeatureTests(unittest.TestCase):
    """Observation summary and the exchange action, without a simulator."""

    def features(self) -> Features:
        f = Features(nodes=2, capacity_pages=[3, 100], hot_pages=2,
                     move_pages=2)
        # dram (0) full with pages 1..3, nvm (1) holds 10 and 11.
        f.observe(EpochView(
            0, 0, 1000, [NodeView(0, 3, 9, 0, 0.0, 3, 0),
                         NodeView(1, 100, 50, 0, 0.0, 2, 98)],
            page_numbers=[1, 2, 3, 10, 11], reads=[5, 0, 4, 40, 10],
            writes=[0, 0, 0, 0, 0], page_nodes=[0, 0, 0, 1, 1]))
        return f

    def test_observation_ends_with_each_nodes_hotness_shares(self):
        f = self.features()
        obs = f.observe(EpochView(1, 1000, 2000,
                                  [NodeView(0, 3, 0, 0, 0.0, 3, 0),
                                   NodeView(1, 100, 0, 0, 0.0, 2, 98)]))
        self.assertEqual(len(obs), f.observation_size)
        self.assertEqual(f.observation_size, 8 * 2 + 2 * 2)
        # Decayed scores: dram 2.5, 0, 2; nvm 20, 5 (total 29.5).
        expect = [4.5 / 29.5, 4.5 / 29.5, 2 / 29.5, 25 / 29.5, 25 / 29.5,
                  25 / 29.5]
        for got, want in zip(obs[-6:], expect):
            self.assertAlmostEqual(got, want)

    def test_exchange_demotes_colder_fast_pages_first_and_only_while_colder(self):
        f = self.features()
        self.assertEqual(f.action_count, 7)
        # (1,0) is pair 1: exchange 1<->0 is action 1 + 2*2 + 1 = 6.
        self.assertEqual(f.describe(6), "exchange 2 pages 1<->0")
        self.assertEqual(f.migrations(6), [(2, 1), (10, 0), (3, 1), (11, 0)])
        # Now dram holds 1 (5), 10 (40), 11 (10); nvm 2 (0), 3 (4): the
        # hottest nvm page is colder than every dram page, nothing moves.
        self.assertEqual(f.migrations(6), [])
        # Plain promotion moves only into free pages (none).
        self.assertEqual(f.migrations(3), [])


class ScriptedServerTests(unittest.TestCase):
    def test_close_leaves_no_unclosed_pipe(self):
        closed_without_resource_warnings(
            self, lambda: DeepMemEnv(None, backend=ScriptedServer(script(2))))

    def test_reset_step_close_over_a_whole_run(self):
        env = DeepMemEnv(None, backend=ScriptedServer(script(4)), move_pages=8)
        try:
            self.assertEqual(env.observation_space.shape, (8 * 2 + 2 * 16,))
            self.assertEqual(env.action_space.n, 7)
            obs, info = env.reset()
            self.assertEqual(len(obs), 48)
            self.assertEqual(info["epoch"], 0)
            rewards, done, steps = [], False, 0
            while not done:
                obs, r, done, trunc, info = env.step(1)  # hottest 0->1: none on 0
                rewards.append(r)
                steps += 1
            self.assertEqual(steps, 4)
            # Each epoch is 1000 ticks at 1e12 ticks/s; the tail is 500.
            self.assertAlmostEqual(rewards[0], -1e-6)
            self.assertAlmostEqual(rewards[-1], -0.5e-6)
            self.assertIsNotNone(env.result)
            # A second episode is a fresh simulator run.
            obs, info = env.reset()
            self.assertEqual(info["epoch"], 0)
        finally:
            env.close()

    def test_a_bad_action_is_refused_and_bad_items_are_rejected_one_by_one(self):
        env = DeepMemEnv(None, backend=ScriptedServer(script(3, dram_pages=4)),
                         move_pages=8)
        try:
            env.reset()
            with self.assertRaisesRegex(ValueError, r"action 99 out of range 0\.\.6"):
                env.step(99)
            # Promote the 8 hottest nvm pages to a dram of 4 free pages: the
            # env moves at most the free pages, so nothing is rejected.
            _, _, _, _, info = env.step(3)
            self.assertEqual(info["moved"], 4)
            self.assertEqual(info.get("rejected", 0), 0)
            # On the raw session, items are judged one by one.
            s = env.session
            ev = env._pending
            s.reply(ev, migrations=[(0x400, 0), (0x401, 9), (0x999999, 0)])
            nxt = s.next_event()
            out = nxt.previous_reply
            self.assertEqual((out.applied, out.rejected), (1, 2))
            reasons = {g.reason: list(g.first_indices) for g in out.groups}
            self.assertEqual(reasons, {"node 9 out of range (nodes: 2)": [1],
                                       "page is not mapped": [2]})
        finally:
            env.close()

    def test_a_crashed_backend_raises_naming_the_cause(self):
        env = DeepMemEnv(None, backend=ScriptedServer(
            script(5), "--die-after", "2", "--die-exit-code", "71"))
        try:
            env.reset()
            with self.assertRaises(BackendError) as caught:
                for _ in range(5):
                    env.step(0)
            text = str(caught.exception)
            self.assertIn("exit code 71", text)
            self.assertIn("dying after event 2", text)
        finally:
            env.close()


@unittest.skipUnless(CLI_BUILT, "the deepmem CLI is not built (dotnet build src/DeepMem.Cli)")
class EstimatorServerTests(unittest.TestCase):
    def test_close_leaves_no_unclosed_pipe(self):
        closed_without_resource_warnings(self, lambda: DeepMemEnv(QUICKSTART))

    def test_reset_step_close_on_the_estimator_with_returns_from_simulated_time(self):
        env = DeepMemEnv(QUICKSTART)
        try:
            self.assertEqual(env.action_space.n, 7)
            returns = []
            for actions in ([0], [2, 3]):
                obs, info = env.reset()
                total, done, i = 0.0, False, 0
                while not done:
                    obs, r, done, _, info = env.step(actions[i % len(actions)])
                    total += r
                    i += 1
                returns.append((total, env.result.simulated_seconds, i))
            (noop, noop_s, steps), (moves, moves_s, _) = returns
            self.assertGreater(steps, 10)
            # The return is minus the simulated time after the first epoch.
            self.assertLess(abs(noop) - noop_s * 1e3, 0)
            self.assertGreater(abs(noop), 0.5 * noop_s * 1e3)
            self.assertNotAlmostEqual(noop_s, moves_s)
        finally:
            env.close()

    def test_bad_items_are_rejected_one_by_one_in_gem5s_words(self):
        env = DeepMemEnv(QUICKSTART)
        try:
            env.reset()
            ev = env._pending
            page = ev.epoch_ended.pages.page_numbers[0]
            env.session.reply(ev, migrations=[(page, 1), (page, 9), (0x999999, 1)])
            out = env.session.next_event().previous_reply
            self.assertEqual((out.applied, out.rejected), (1, 2))
            reasons = {g.reason: list(g.first_indices) for g in out.groups}
            self.assertEqual(reasons, {"node 9 out of range (nodes: 2)": [1],
                                       "page is not mapped": [2]})
        finally:
            env.close()

    def test_a_crashed_estimator_server_raises_naming_the_cause(self):
        env = DeepMemEnv(QUICKSTART)
        try:
            env.reset()
            os.kill(env.backend.process.proc.pid, 9)
            with self.assertRaises(BackendError) as caught:
                for _ in range(100):
                    env.step(0)
            self.assertIn("killed by signal 9", str(caught.exception))
            self.assertIn("estimator server", str(caught.exception))
        finally:
            env.close()

    def test_a_missing_experiment_and_bad_traces_are_named(self):
        with self.assertRaisesRegex(BackendError, "not found"):
            DeepMemEnv("/nonexistent/exp.yaml")
        bad = Path(tempfile.mkdtemp()) / "exp.yaml"
        bad.write_text(Path(QUICKSTART).read_text().replace(
            "../traces/cg-ddr-nvm", str(bad.parent / "none")).replace(
            "../../tests", str(ROOT / "tests")))
        with self.assertRaises(BackendError) as caught:
            DeepMemEnv(str(bad))
        self.assertIn("exit code 2", str(caught.exception))
        self.assertIn("does not exist", str(caught.exception))


if __name__ == "__main__":
    unittest.main()
