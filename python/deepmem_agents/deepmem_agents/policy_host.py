"""Runs a Python agent as an experiment's `python` policy.

    python3 -m deepmem_agents.policy_host --agent module:Class

The C# policy (PythonAgentPolicy) writes one JSON object per line on
stdin and reads one answer per line on stdout (docs/agents.md):

    {"call": "initialize", "topology": {...}, "move_pages": K,
     "hot_pages": H, "options": {...}}          -> {"ok": true}
    {"call": "place_region", "region": {...}}   -> {"placement": null |
                                   {"mode": ..., "nodes": [...], "weights": [...]}}
    {"call": "on_epoch", "epoch": {...}}        -> {"migrations": [[page, node], ...]}

Any failure answers {"error": "..."} (the run fails with it). The agent's
own prints go to stderr; the process ends when stdin closes.
"""

from __future__ import annotations

import argparse
import importlib
import json
import sys
import traceback

from deepmem_agents.features import Features, epoch_from_json


def load_agent(path: str):
    module, _, name = path.partition(":")
    if not module or not name:
        raise ValueError(f"--agent must be module:Class (was {path!r})")
    return getattr(importlib.import_module(module), name)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python3 -m deepmem_agents.policy_host")
    parser.add_argument("--agent", required=True, help="module:Class")
    args = parser.parse_args(argv)
    out = sys.stdout
    sys.stdout = sys.stderr  # the agent's prints must not reach the protocol
    features = None
    agent = None
    for line in sys.stdin:
        if not line.strip():
            continue
        try:
            req = json.loads(line)
            call = req.get("call")
            if call == "initialize":
                topo = req["topology"]
                nodes = sorted(topo["nodes"], key=lambda n: n["id"])
                features = Features(
                    nodes=len(nodes),
                    capacity_pages=[n["capacity_pages"] for n in nodes],
                    ticks_per_second=float(topo.get("ticks_per_second", 1e12)),
                    hot_pages=int(req.get("hot_pages", 16)),
                    move_pages=int(req.get("move_pages", 32)))
                agent = load_agent(args.agent)(features,
                                               **req.get("options", {}))
                answer = {"ok": True}
            elif call == "place_region":
                place = getattr(agent, "place_region", None)
                p = place(req["region"]) if place else None
                answer = {"placement": None if p is None else {
                    "mode": p[0], "nodes": list(p[1]),
                    "weights": list(p[2]) if len(p) > 2 else []}}
            elif call == "on_epoch":
                if agent is None:
                    raise RuntimeError("on_epoch before initialize")
                view = epoch_from_json(req["epoch"], features.capacity_pages)
                obs = features.observe(view)
                action = int(agent.act(obs))
                answer = {"migrations": [list(m) for m in
                                         features.migrations(action)]}
            else:
                raise ValueError(f"unknown call {call!r}")
        except Exception as exc:  # noqa: BLE001 - reported to the host
            traceback.print_exc(file=sys.stderr)
            answer = {"error": f"{type(exc).__name__}: {exc}"}
        out.write(json.dumps(answer) + "\n")
        out.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
