"""Host-time cost of the per-page counters (needs DEEPMEM_GEM5).

    DEEPMEM_GEM5=/path/to/gem5.opt python3 tests/gem5/bench_telemetry.py \
        [--repeats 3] [--kib 2048] [--passes 2] [--cpu timing]

Runs the same stream workload with the counters (CommMonitor + probe per
node) and without (`--no-telemetry`), alternating, and prints the ratio of
the median host times of the simulation loop (gem5 start-up excluded) and
of the whole process. It also checks that both give the same simulated
ticks.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from gem5util import build_workloads, gem5_path, run_gem5  # noqa: E402


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--kib", default="2048")
    ap.add_argument("--passes", default="2")
    ap.add_argument("--cpu", default="timing", choices=("timing", "o3"))
    a = ap.parse_args()
    if not gem5_path():
        print("SKIP: DEEPMEM_GEM5 is not set")
        return 0
    stream = os.path.join(build_workloads(), "stream")
    times: dict[str, list[float]] = {"on": [], "off": []}
    sims: dict[str, list[float]] = {"on": [], "off": []}
    ticks = set()
    for i in range(a.repeats):
        for mode in ("off", "on"):
            opts = ["--policy", "interleave:0,1", "--cpu", a.cpu]
            if mode == "off":
                opts.append("--no-telemetry")
            run = run_gem5(f"bench-{mode}-{i}", stream,
                           (a.kib, a.passes), opts)
            if run.rc != 0:
                print(run.tail())
                return 1
            times[mode].append(run.host_s)
            sims[mode].append(run.result["host_seconds_simulating"])
            ticks.add(run.stats["simTicks"])
            print(f"{mode:3s} run {i}: {run.host_s:.2f} s host "
                  f"({sims[mode][-1]:.2f} s simulating)", flush=True)
    med = {k: statistics.median(v) for k, v in times.items()}
    sim = {k: statistics.median(v) for k, v in sims.items()}
    print(f"simulated ticks identical: {len(ticks) == 1}")
    print(f"telemetry overhead (simulation loop): on/off = "
          f"{sim['on']:.2f}/{sim['off']:.2f} s = "
          f"{sim['on'] / sim['off']:.3f}")
    print(f"telemetry overhead (whole process):  on/off = "
          f"{med['on']:.2f}/{med['off']:.2f} s = "
          f"{med['on'] / med['off']:.3f}")
    return 0 if len(ticks) == 1 else 1


if __name__ == "__main__":
    sys.exit(main())
