"""A DQN placement agent in PyTorch, trained on the estimator.

Train (writes the model, a learning-curve PNG and a JSON log; the suite's
DDR4+NVM workloads, as docs/agents.md):

    python3 -m deepmem_agents.dqn train --out results/dqn \
        configs/experiments/suite/{cg,spmv,stencil,gups,chase,phases}-ddr-nvm.yaml \
        --episodes 480

Evaluate through YAML on either backend (the model is read at start):

    policy: { name: python, options: { agent: "deepmem_agents.dqn:DQNAgent",
              agent_options: ["model=results/dqn/dqn.pt"] } }

The network is an MLP over the observation of `features` (two hidden
layers of 64); double DQN (the online network picks the next action, a
target network synced every `sync` steps values it), an experience replay
of the last 50k transitions, epsilon-greedy exploration decaying linearly
to 0.05 over the first 60% of the episodes, Huber loss, Adam. One episode
is one run of one experiment's workload; experiments are taken in turn.
Rewards are shaped against a first-touch run of each experiment (see
`train`), and the model saved is the best of the greedy evaluations.
Training is deterministic for a seed (same model bytes on a rerun).
"""

from __future__ import annotations

import argparse
import copy
import json
import math
import random
import sys
import time
from collections import deque
from pathlib import Path

import torch
from torch import nn

from deepmem_agents.env import DeepMemEnv
from deepmem_agents.features import Features
from deepmem_agents.curve import learning_curve


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


def _greedy(q: nn.Module, obs) -> int:
    with torch.no_grad():
        return int(q(torch.as_tensor(obs, dtype=torch.float32)).argmax())


def _episode(env: DeepMemEnv, choose) -> tuple[list[float], float]:
    """One run under `choose(obs) -> action`: the steps' rewards and the
    run's simulated ms."""
    obs, _ = env.reset()
    rewards: list[float] = []
    done = False
    while not done:
        obs, r, done, _, _ = env.step(choose(obs))
        rewards.append(r)
    return rewards, env.result.simulated_seconds * 1e3


def train(experiments: list[str], out: Path, episodes: int, seed: int = 0,
          gamma: float = 0.9, lr: float = 5e-4, batch: int = 64,
          sync: int = 100, move_pages: int = 32, eval_every: int = 0,
          log=print) -> dict:
    """Double DQN on the estimator over `experiments`, taken in turn.

    Reward shaping: the env's reward is minus the epoch's simulated ms;
    the learner sees, per step, the first-touch run's time for the same
    epoch minus the agent's (epochs are instruction windows, so the
    i-th epoch is the same work under any policy), divided by the
    first-touch run's mean epoch time. An episode's shaped return is
    then the time saved against first-touch in mean epochs, on the same
    scale for every workload. Every `eval_every` episodes (default: four
    rounds over the experiments) and at the end the greedy
    agent runs every experiment once; the model saved is the one with
    the best geometric-mean speed-up over first-touch.
    """
    torch.manual_seed(seed)
    rng = random.Random(seed)
    out.mkdir(parents=True, exist_ok=True)
    names = [Path(e).stem for e in experiments]
    envs = [DeepMemEnv(e, move_pages=move_pages) for e in experiments]
    try:
        n_obs = envs[0].observation_space.shape[0]
        n_act = envs[0].action_space.n
        # First-touch baseline per experiment: per-epoch ms and total ms.
        base = [_episode(env, lambda _: 0) for env in envs]
        scale = [max(1e-9, -sum(r) / len(r)) if r else 1.0 for r, _ in base]
        q, target = network(n_obs, n_act), network(n_obs, n_act)
        target.load_state_dict(q.state_dict())
        opt = torch.optim.Adam(q.parameters(), lr=lr)
        replay: deque = deque(maxlen=50_000)
        curve: dict[str, list[float]] = {n: [] for n in names}
        evals: list[dict] = []
        best = (-1.0, None, 0)
        every = eval_every or 4 * len(envs)
        steps = 0
        train_s = 0.0
        started = time.perf_counter()

        def evaluate(after: int) -> None:
            nonlocal best
            ms = [_episode(env, lambda o: _greedy(q, o))[1] for env in envs]
            speedups = [b[1] / m for b, m in zip(base, ms)]
            gmean = math.prod(speedups) ** (1 / len(speedups))
            evals.append({"episodes": after, "simulated_ms": dict(zip(names, ms)),
                          "speedup_geomean": gmean})
            log(f"evaluation after {after} episodes: speed-up over "
                f"first-touch " + ", ".join(f"{n} {x:.3f}" for n, x in
                                            zip(names, speedups))
                + f"; geometric mean {gmean:.3f}")
            if gmean > best[0]:
                best = (gmean, copy.deepcopy(q.state_dict()), after)

        for ep in range(episodes):
            t0 = time.perf_counter()
            k = ep % len(envs)
            env = envs[k]
            eps = max(0.05, 1.0 - ep / max(1, 0.6 * episodes))
            obs, _ = env.reset()
            done = False
            i = 0
            base_r = base[k][0]
            while not done:
                a = rng.randrange(n_act) if rng.random() < eps \
                    else _greedy(q, obs)
                nxt, r, done, _, _ = env.step(a)
                ref = base_r[i] if i < len(base_r) else -scale[k]
                replay.append((obs, a, (r - ref) / scale[k], nxt, done))
                obs = nxt
                steps += 1
                i += 1
                if len(replay) >= batch:
                    sample = rng.sample(replay, batch)
                    s = torch.as_tensor([x[0] for x in sample], dtype=torch.float32)
                    act = torch.as_tensor([x[1] for x in sample])
                    rew = torch.as_tensor([x[2] for x in sample], dtype=torch.float32)
                    s2 = torch.as_tensor([x[3] for x in sample], dtype=torch.float32)
                    d = torch.as_tensor([x[4] for x in sample], dtype=torch.float32)
                    with torch.no_grad():  # double DQN: q picks, target values
                        a2 = q(s2).argmax(1, keepdim=True)
                        y = rew + gamma * (1 - d) * \
                            target(s2).gather(1, a2).squeeze(1)
                    pred = q(s).gather(1, act[:, None]).squeeze(1)
                    loss = nn.functional.smooth_l1_loss(pred, y)
                    opt.zero_grad()
                    loss.backward()
                    opt.step()
                if steps % sync == 0:
                    target.load_state_dict(q.state_dict())
            train_s += time.perf_counter() - t0
            ms = env.result.simulated_seconds * 1e3
            curve[names[k]].append(ms)
            log(f"episode {ep + 1}/{episodes} {names[k]}: {ms:.3f} ms "
                f"simulated (first-touch {base[k][1]:.3f}), epsilon "
                f"{eps:.2f}, {steps} steps")
            if (ep + 1) % every == 0 or ep + 1 == episodes:
                evaluate(ep + 1)
        seconds = time.perf_counter() - started
        torch.save({"state": best[1], "observation_size": n_obs,
                    "actions": n_act, "move_pages": move_pages},
                   out / "dqn.pt")
        learning_curve(str(out / "learning-curve.png"), curve,
                       dict(zip(names, (b[1] for b in base))))
        summary = {"episodes": episodes, "steps": steps,
                   "seconds": seconds, "training_seconds": train_s,
                   "steps_per_second": steps / train_s,
                   "first_touch_ms": dict(zip(names, (b[1] for b in base))),
                   "evaluations": evals, "saved_after_episodes": best[2],
                   "saved_speedup_geomean": best[0],
                   "simulated_ms": curve, "series_order": names}
        (out / "training.json").write_text(json.dumps(summary, indent=1))
        log(f"trained: {steps} steps in {train_s:.1f} s "
            f"({steps / train_s:.0f} steps/s, training included; "
            f"{seconds:.1f} s with the baseline and evaluation runs); "
            f"saved the model of episode {best[2]} (speed-up over "
            f"first-touch, geometric mean {best[0]:.3f}) as {out / 'dqn.pt'}, "
            f"curve {out / 'learning-curve.png'} "
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
    t.add_argument("--eval-every", type=int, default=0,
                   help="episodes between greedy evaluations (default: "
                   "four rounds over the experiments)")
    args = p.parse_args(argv)
    train(args.experiments, Path(args.out), args.episodes, args.seed,
          move_pages=args.move_pages, eval_every=args.eval_every)
    return 0


if __name__ == "__main__":
    sys.exit(main())
