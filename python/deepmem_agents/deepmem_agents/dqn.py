"""A DQN placement agent in PyTorch, trained on the estimator.

Train (writes the model, a learning-curve PNG and a JSON log):

    python3 -m deepmem_agents.dqn train --out results/dqn \
        configs/experiments/suite/cg-ddr-nvm.yaml \
        configs/experiments/suite/spmv-ddr-nvm.yaml --episodes 30

Evaluate through YAML on either backend (the model is read at start):

    policy: { name: python, options: { agent: "deepmem_agents.dqn:DQNAgent",
              agent_options: ["model=results/dqn/dqn.pt"] } }

The network is an MLP over the observation of `features` (two hidden
layers of 64), a target network synced every `sync` steps, an experience
replay of the last 20k transitions, epsilon-greedy exploration decaying
over the episodes, Huber loss, Adam. One episode is one run of one
experiment's workload; experiments are taken in turn.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from collections import deque
from pathlib import Path

import torch
from torch import nn

from deepmem_agents.env import DeepMemEnv
from deepmem_agents.features import Features
from deepmem_agents.pngplot import line_plot


def network(inputs: int, actions: int) -> nn.Module:
    return nn.Sequential(nn.Linear(inputs, 64), nn.ReLU(),
                         nn.Linear(64, 64), nn.ReLU(),
                         nn.Linear(64, actions))


class DQNAgent:
    """The trained agent: greedy on the model's Q-values."""

    def __init__(self, features: Features, model: str = "", epsilon=0.0,
                 seed: int = 0, **_):
        if not model:
            raise ValueError("DQNAgent needs model=<path of dqn.pt>")
        saved = torch.load(model)
        if saved["observation_size"] != features.observation_size or \
                saved["actions"] != features.action_count:
            raise ValueError(
                f"model {model} is for {saved['observation_size']} inputs / "
                f"{saved['actions']} actions, the machine gives "
                f"{features.observation_size} / {features.action_count} "
                "(nodes or hot_pages differ)")
        self.net = network(saved["observation_size"], saved["actions"])
        self.net.load_state_dict(saved["state"])
        self.net.eval()
        self.epsilon = float(epsilon)
        self.rng = random.Random(seed)
        self.actions = features.action_count

    def act(self, obs) -> int:
        if self.rng.random() < self.epsilon:
            return self.rng.randrange(self.actions)
        with torch.no_grad():
            q = self.net(torch.as_tensor(obs, dtype=torch.float32))
        return int(q.argmax())


def train(experiments: list[str], out: Path, episodes: int, seed: int = 0,
          gamma: float = 0.95, lr: float = 1e-3, batch: int = 64,
          sync: int = 200, move_pages: int = 32, log=print) -> dict:
    torch.manual_seed(seed)
    rng = random.Random(seed)
    out.mkdir(parents=True, exist_ok=True)
    envs = [DeepMemEnv(e, move_pages=move_pages) for e in experiments]
    try:
        n_obs = envs[0].observation_space.shape[0]
        n_act = envs[0].action_space.n
        q, target = network(n_obs, n_act), network(n_obs, n_act)
        target.load_state_dict(q.state_dict())
        opt = torch.optim.Adam(q.parameters(), lr=lr)
        replay: deque = deque(maxlen=20_000)
        curve: dict[str, list[float]] = {Path(e).stem: [] for e in experiments}
        steps = 0
        started = time.perf_counter()
        for ep in range(episodes):
            env = envs[ep % len(envs)]
            name = Path(experiments[ep % len(envs)]).stem
            eps = max(0.05, 1.0 - ep / max(1, 0.7 * episodes))
            obs, _ = env.reset()
            done = False
            while not done:
                if rng.random() < eps:
                    a = rng.randrange(n_act)
                else:
                    with torch.no_grad():
                        a = int(q(torch.as_tensor(obs)).argmax())
                nxt, r, done, _, _ = env.step(a)
                replay.append((obs, a, r * 10.0, nxt, done))
                obs = nxt
                steps += 1
                if len(replay) >= batch:
                    sample = rng.sample(replay, batch)
                    s = torch.as_tensor([x[0] for x in sample], dtype=torch.float32)
                    act = torch.as_tensor([x[1] for x in sample])
                    rew = torch.as_tensor([x[2] for x in sample], dtype=torch.float32)
                    s2 = torch.as_tensor([x[3] for x in sample], dtype=torch.float32)
                    d = torch.as_tensor([x[4] for x in sample], dtype=torch.float32)
                    with torch.no_grad():
                        y = rew + gamma * (1 - d) * target(s2).max(1).values
                    pred = q(s).gather(1, act[:, None]).squeeze(1)
                    loss = nn.functional.smooth_l1_loss(pred, y)
                    opt.zero_grad()
                    loss.backward()
                    opt.step()
                if steps % sync == 0:
                    target.load_state_dict(q.state_dict())
            ms = env.result.simulated_seconds * 1e3
            curve[name].append(ms)
            log(f"episode {ep + 1}/{episodes} {name}: {ms:.3f} ms simulated, "
                f"epsilon {eps:.2f}, {steps} steps")
        seconds = time.perf_counter() - started
        torch.save({"state": q.state_dict(), "observation_size": n_obs,
                    "actions": n_act, "move_pages": move_pages},
                   out / "dqn.pt")
        line_plot(str(out / "learning-curve.png"), list(curve.values()))
        summary = {"episodes": episodes, "steps": steps,
                   "seconds": seconds, "steps_per_second": steps / seconds,
                   "simulated_ms": curve,
                   "series_order": list(curve)}
        (out / "training.json").write_text(json.dumps(summary, indent=1))
        log(f"trained: {steps} steps in {seconds:.1f} s "
            f"({steps / seconds:.0f} steps/s, training included); "
            f"model {out / 'dqn.pt'}, curve {out / 'learning-curve.png'} "
            f"(one line per experiment: {', '.join(curve)})")
        return summary
    finally:
        for env in envs:
            env.close()


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="python3 -m deepmem_agents.dqn")
    sub = p.add_subparsers(dest="cmd", required=True)
    t = sub.add_parser("train", help="train on the estimator")
    t.add_argument("experiments", nargs="+")
    t.add_argument("--out", default="results/dqn")
    t.add_argument("--episodes", type=int, default=30)
    t.add_argument("--seed", type=int, default=0)
    t.add_argument("--move-pages", type=int, default=32)
    args = p.parse_args(argv)
    train(args.experiments, Path(args.out), args.episodes, args.seed,
          move_pages=args.move_pages)
    return 0


if __name__ == "__main__":
    sys.exit(main())
