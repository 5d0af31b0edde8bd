"""Command line of configs/gem5/deepmem_se.py, without gem5.

`parse(argv)` builds an immutable `RunOptions` with every default filled in,
or raises `OptionsError` listing every problem, so the parsing is tested
under plain CPython. The options are described in docs/gem5.md; the C#
side builds them in one place (DeepMem.Bridge.Gem5CommandLine).

`python3 -m deepmem.options ARGS...` checks a command line without gem5:
it prints the parsed options as JSON, or the problems and exits with 2.
`--batch` reads a JSON list of command lines on stdin and prints a JSON
list of {"ok": true, "options": {...}} or {"ok": false, "problems": [...]}
(the C# contract test uses it).
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import sys
from dataclasses import asdict, dataclass
from typing import Sequence

from deepmem import contract
from deepmem.config import (NodeSpec, PolicySpec, check_nodes,
                            parse_latency_ns, parse_node, parse_policy,
                            parse_size)

DEFAULT_NODES = ("dram:ddr4:64MiB", "nvm:nvm:256MiB")


class OptionsError(ValueError):
    def __init__(self, problems: Sequence[str]):
        super().__init__("; ".join(problems))
        self.problems = list(problems)


@dataclass(frozen=True)
class RunOptions:
    binary: str
    args: tuple[str, ...]
    nodes: tuple[NodeSpec, ...]
    policy: PolicySpec
    cpu: str  # "timing" | "o3"
    clock: str
    l1d_size: int
    l1i_size: int
    l2_size: int
    epoch_instructions: int
    window_instructions: int
    trace: str
    trace_touches: bool
    telemetry: bool
    migration_page_latency_ns: float
    interleave_weights: tuple[int, ...]
    max_instructions: int
    controller: str  # "none" | "grpc" | "hot-promote"
    region_events: bool
    bridge_host: str
    bridge_allow_remote: bool
    bridge_port: int
    bridge_port_file: str
    bridge_token: str
    bridge_reply_timeout_s: float
    bridge_connect_timeout_s: float
    bridge_fallback: str
    result: str
    stdout_file: str


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="deepmem_se.py",
        description="Run a static x86-64 binary on a DeepMem N-node "
                    "heterogeneous memory system (gem5 SE mode).")
    p.add_argument("binary", help="static x86-64 Linux binary")
    p.add_argument("args", nargs=argparse.REMAINDER,
                   help="arguments of the binary")
    p.add_argument("--node", action="append", default=[],
                   metavar="NAME:PRESET:SIZE[:bw=GBPS][:latency=NS]",
                   help="a memory node (presets: ddr4, nvm, hbm, cxl); "
                        "repeat in node order (default: "
                        + " ".join(DEFAULT_NODES) + ")")
    p.add_argument("--policy", default="local",
                   help="default placement: local | bind:N | preferred:N "
                        "| interleave:N,N | weighted-interleave:N=W,N=W")
    p.add_argument("--cpu", choices=("timing", "o3"), default="timing")
    p.add_argument("--clock", default="3GHz")
    p.add_argument("--l1d-size", default="32KiB")
    p.add_argument("--l1i-size", default="32KiB")
    p.add_argument("--l2-size", default="256KiB")
    p.add_argument("--epoch-insts", type=int, default=0,
                   help="committed instructions per epoch (0: no epochs)")
    p.add_argument("--cores", type=int, default=1, help="CPU cores (one thread context each)")
    p.add_argument("--epoch-ticks", type=int, default=0, help="epoch length in simulated ticks (exclusive with --epoch-insts)")
    p.add_argument("--window-insts", type=int, default=0,
                   help="instructions per trace window (with --trace)")
    p.add_argument("--trace", default="",
                   help="write a window trace (.jsonl.gz) here (relative "
                        "paths are inside gem5's output folder)")
    p.add_argument("--trace-touches", action="store_true",
                   help="also trace, per window and page, the cache lines "
                        "the CPU's data accesses touch (a monitor in front "
                        "of the L1 data cache; needs --trace)")
    p.add_argument("--no-telemetry", action="store_true",
                   help="no per-page counters (no monitors in front of "
                        "the controllers)")
    p.add_argument("--migration-page-latency", default="2us",
                   help="fixed cost per migrated page")
    p.add_argument("--interleave-weights", default="",
                   help="comma-separated per-node weights for "
                        "MPOL_WEIGHTED_INTERLEAVE (default 1 each)")
    p.add_argument("--max-insts", type=int, default=0)
    p.add_argument("--controller", choices=("none", "grpc", "hot-promote"),
                   default="none",
                   help="none: default policy only; grpc: the DeepMem "
                        "controller over the bridge; hot-promote: the "
                        "built-in demo controller (deepmem.demo)")
    p.add_argument("--region-events", action="store_true",
                   help="report regions as events (on with a controller)")
    p.add_argument("--bridge-port", type=int, default=0)
    p.add_argument("--bridge-port-file", default="")
    p.add_argument("--bridge-host", default="127.0.0.1",
                   help="address the bridge binds to (loopback by default)")
    p.add_argument("--bridge-allow-remote", action="store_true",
                   help="allow a non-loopback --bridge-host (needs a token)")
    p.add_argument("--bridge-token", default="",
                   help="shared token (default: $DEEPMEM_BRIDGE_TOKEN, which "
                        "keeps it off the command line)")
    p.add_argument("--bridge-reply-timeout", type=float, default=30.0)
    p.add_argument("--bridge-connect-timeout", type=float, default=60.0)
    p.add_argument("--bridge-fallback", choices=("default", "stop"),
                   default="default")
    p.add_argument("--result", default=contract.RESULT_FILE,
                   help="result record, relative to gem5's output folder")
    p.add_argument("--stdout-file", default="",
                   help="the workload's stdout goes here (default: "
                        "gem5's stdout)")
    return p


def parse(argv: Sequence[str]) -> RunOptions:
    a = build_parser().parse_args(list(argv))
    problems: list[str] = []

    nodes: list[NodeSpec] = []
    for text in a.node or DEFAULT_NODES:
        try:
            nodes.append(parse_node(text))
        except ValueError as e:
            problems.append(str(e))
    problems += check_nodes(nodes) if nodes else []

    policy = PolicySpec("local")
    try:
        policy = parse_policy(a.policy, max(len(nodes), 1))
    except ValueError as e:
        problems.append(f"--policy: {e}")

    sizes = {}
    for name in ("l1d_size", "l1i_size", "l2_size"):
        try:
            sizes[name] = parse_size(getattr(a, name))
        except ValueError as e:
            problems.append(f"--{name.replace('_', '-')}: {e}")
            sizes[name] = 0

    if a.epoch_insts < 0:
        problems.append(f"--epoch-insts must be >= 0 (was {a.epoch_insts})")
    if a.window_insts < 0:
        problems.append("--window-insts must be >= 0 "
                        f"(was {a.window_insts})")
    if a.trace and a.window_insts <= 0:
        problems.append("--trace needs --window-insts > 0")
    if a.window_insts > 0 and not a.trace:
        problems.append("--window-insts needs --trace")
    if (a.epoch_insts > 0 and a.window_insts > 0 and a.trace
            and a.epoch_insts % a.window_insts):
        problems.append(f"--epoch-insts ({a.epoch_insts}) must be a "
                        f"multiple of --window-insts ({a.window_insts})")
    if a.trace_touches and not a.trace:
        problems.append("--trace-touches needs --trace")
    if a.no_telemetry and a.trace:
        problems.append("--trace needs the counters (drop --no-telemetry)")

    lat = 0.0
    try:
        lat = parse_latency_ns(a.migration_page_latency)
    except ValueError as e:
        problems.append(f"--migration-page-latency: {e}")

    weights: tuple[int, ...] = ()
    if a.interleave_weights:
        try:
            weights = tuple(int(w) for w in a.interleave_weights.split(","))
        except ValueError:
            problems.append("--interleave-weights must be integers "
                            f"(was {a.interleave_weights})")
        if weights and (len(weights) != len(nodes) or min(weights) < 1):
            problems.append("--interleave-weights needs one weight >= 1 "
                            f"per node (was {a.interleave_weights}, nodes: "
                            f"{len(nodes)})")
    if a.controller == "hot-promote" and a.epoch_insts <= 0:
        problems.append("--controller hot-promote needs --epoch-insts > 0")
    if a.controller == "hot-promote" and len(nodes) < 2:
        problems.append("--controller hot-promote needs two nodes")
    if a.max_insts < 0:
        problems.append(f"--max-insts must be >= 0 (was {a.max_insts})")
    if problems:
        raise OptionsError(problems)

    return RunOptions(
        binary=a.binary, args=tuple(a.args), nodes=tuple(nodes),
        policy=policy, cpu=a.cpu, clock=a.clock,
        l1d_size=sizes["l1d_size"], l1i_size=sizes["l1i_size"],
        l2_size=sizes["l2_size"], epoch_instructions=a.epoch_insts,
        window_instructions=a.window_insts, trace=a.trace,
        trace_touches=a.trace_touches,
        telemetry=not a.no_telemetry, migration_page_latency_ns=lat,
        interleave_weights=weights, max_instructions=a.max_insts,
        controller=a.controller,
        region_events=a.region_events or a.controller != "none",
        bridge_port=a.bridge_port, bridge_port_file=a.bridge_port_file,
        bridge_host=a.bridge_host,
        bridge_allow_remote=a.bridge_allow_remote,
        bridge_token=a.bridge_token or os.environ.get(
            contract.TOKEN_ENV, ""),
        bridge_reply_timeout_s=a.bridge_reply_timeout,
        bridge_connect_timeout_s=a.bridge_connect_timeout,
        bridge_fallback=a.bridge_fallback, result=a.result,
        stdout_file=a.stdout_file)


def check(argv: Sequence[str]) -> dict:
    """{"ok": True, "options": RunOptions as a dict} or {"ok": False,
    "problems": [...]}, argparse's own errors included."""
    err = io.StringIO()
    try:
        with contextlib.redirect_stderr(err):
            opts = parse(argv)
    except OptionsError as e:
        return {"ok": False, "problems": e.problems}
    except SystemExit:
        return {"ok": False, "problems": [err.getvalue().strip()]}
    return {"ok": True, "options": asdict(opts)}


def main(argv: Sequence[str]) -> int:
    if list(argv[:1]) == ["--batch"]:
        lines = json.load(sys.stdin)
        print(json.dumps([check(line) for line in lines]))
        return 0
    result = check(argv)
    if not result["ok"]:
        for p in result["problems"]:
            print(f"deepmem_se.py: {p}", file=sys.stderr)
        return 2
    print(json.dumps(result["options"], indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
