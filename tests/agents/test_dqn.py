"""A short PyTorch training on the estimator (skipped without torch or
the built CLI): the model, the learning-curve PNG, the first-touch
baseline, the evaluations and the steps/s come out, and the trained agent
runs as the policy host would run it."""

from __future__ import annotations

import importlib.util
import json
import sys
import tempfile
import unittest
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "python" / "deepmem_agents"))

from test_env import CLI_BUILT, QUICKSTART  # noqa: E402

HAVE_TORCH = importlib.util.find_spec("torch") is not None


@unittest.skipUnless(HAVE_TORCH, "torch is not installed (apt-get install python3-torch)")
@unittest.skipUnless(CLI_BUILT, "the deepmem CLI is not built")
class DqnSmokeTests(unittest.TestCase):
    def test_a_short_training_writes_model_curve_and_throughput(self):
        from deepmem_agents import dqn
        from deepmem_agents.features import Features
        out = Path(tempfile.mkdtemp(prefix="deepmem-dqn-"))
        lines = []
        summary = dqn.train([QUICKSTART], out, episodes=2, log=lines.append)
        self.assertEqual(summary["steps"], 2 * 46)
        self.assertGreater(summary["steps_per_second"], 0)
        self.assertEqual(len(summary["simulated_ms"]["quickstart"]), 2)
        # The first-touch baseline the rewards are shaped against, and the
        # greedy evaluation at the end (the model saved is the best one).
        self.assertAlmostEqual(summary["first_touch_ms"]["quickstart"], 9.834, 2)
        self.assertEqual([e["episodes"] for e in summary["evaluations"]], [2])
        self.assertEqual(summary["saved_after_episodes"], 2)
        png = (out / "learning-curve.png").read_bytes()
        self.assertEqual(png[:8], b"\x89PNG\r\n\x1a\n")
        self.assertGreater(len(png), 1000)
        self.assertEqual(json.loads((out / "training.json").read_text())["episodes"], 2)
        features = Features(nodes=2, capacity_pages=[256, 16384])
        agent = dqn.DQNAgent(features, model=str(out / "dqn.pt"))
        self.assertIn(agent.act([0.0] * features.observation_size), range(7))
        with self.assertRaisesRegex(ValueError, "hot_pages differ"):
            dqn.DQNAgent(Features(nodes=2, capacity_pages=[1, 1], hot_pages=4),
                         model=str(out / "dqn.pt"))


if __name__ == "__main__":
    unittest.main()
