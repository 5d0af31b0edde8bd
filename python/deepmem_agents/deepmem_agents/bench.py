"""Environment steps per second on a backend (no-op agent, no learning).

    python3 -m deepmem_agents.bench configs/experiments/quickstart.yaml [--backend gem5] [--episodes 3]

Prints one line per episode and the total: steps (epochs), host seconds
(reset and session start-up included) and steps/s.
"""

from __future__ import annotations

import argparse
import sys
import time

from deepmem_agents.env import DeepMemEnv


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="python3 -m deepmem_agents.bench")
    p.add_argument("experiment")
    p.add_argument("--backend", choices=("estimator", "gem5"),
                   default="estimator")
    p.add_argument("--episodes", type=int, default=3)
    p.add_argument("--action", type=int, default=0)
    args = p.parse_args(argv)
    started = time.perf_counter()
    env = DeepMemEnv(args.experiment, backend=args.backend)
    setup = time.perf_counter() - started
    total_steps, total_s = 0, 0.0
    try:
        for ep in range(args.episodes):
            t = time.perf_counter()
            env.reset()
            steps, done = 0, False
            while not done:
                _, _, done, _, _ = env.step(args.action)
                steps += 1
            s = time.perf_counter() - t
            total_steps += steps
            total_s += s
            print(f"episode {ep + 1}: {steps} steps in {s:.2f} s "
                  f"({steps / s:.1f} steps/s), simulated "
                  f"{env.result.simulated_seconds * 1e3:.3f} ms")
    finally:
        env.close()
    print(f"{args.backend}: {total_steps} steps in {total_s:.2f} s = "
          f"{total_steps / total_s:.1f} steps/s (backend start-up "
          f"{setup:.2f} s not counted)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
