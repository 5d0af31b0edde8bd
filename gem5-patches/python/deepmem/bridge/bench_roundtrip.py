"""Round-trip time of one EpochEnded exchange through the real bridge.

    PYTHONPATH=gem5-patches/python /usr/bin/python3 \\
        -m deepmem.bridge.bench_roundtrip [--pages 10000] [--epochs 300]
        [--warmup 20] [--migrations 0] [--client process|thread]

The simulator side is the real server and lockstep driver over the
scripted backend (so no gem5 time is included). The controller is a Python
grpc client, by default in its own process (as the C# controller would be),
that answers each epoch at once with a MigrationList of --migrations pages.

One round trip is measured on the simulator side, from building the
EpochEnded message (with --pages page counts) to having the controller's
reply in hand: protobuf encoding, both transfers, the controller's decoding
and encoding, and the queue hand-overs between the grpc threads and the
simulating thread. Applying the reply is not included.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import threading
import time
from typing import Sequence

PAGE = 4096
FIRST_PAGE = 0x100000 // PAGE * 16


def _script(pages: int, epochs: int) -> dict:
    events: list[dict] = [{"region_created": {
        "region_id": 1, "start_address": FIRST_PAGE * PAGE,
        "length_bytes": pages * PAGE, "source": "mmap"}}]
    for i in range(epochs):
        events.append({"epoch_ended": {
            "epoch": i, "start_tick": i * 10**9, "end_tick": (i + 1) * 10**9,
            "epoch_instructions": 10**6, "total_instructions": (i + 1) * 10**6,
            "synthetic_pages": {"count": pages, "first_page": FIRST_PAGE,
                                "node": 0, "reads": 3 + i, "writes": 1}}})
    events.append({"finished": {"exit_code": 0, "ticks": epochs * 10**9,
                                "simulated_seconds": epochs * 1e-3,
                                "instructions": epochs * 10**6}})
    return {"machine": {
        "simulator": "bench", "nodes": [
            {"id": 0, "name": "dram", "kind": "dram",
             "capacity_bytes": 4 * pages * PAGE},
            {"id": 1, "name": "nvm", "kind": "nvm", "base_address": 1 << 40,
             "capacity_bytes": 4 * pages * PAGE}]},
        "events": events}


def client(port: int, migrations: int) -> int:
    """The controller: answer everything at once; return events seen."""
    import grpc

    from deepmem.bridge.client import ReplyStream, hello, ticket_metadata
    from deepmem.bridge.protocol import load
    pb2, pb2_grpc = load()
    channel = grpc.insecure_channel(f"127.0.0.1:{port}")
    stub = pb2_grpc.CoSimulationStub(channel)
    reply = hello(stub, pb2, "bench")
    if not reply.accepted:
        raise SystemExit(f"bench client refused: {reply.reason}")
    replies = ReplyStream()

    moves = [pb2.PageMigration(page_number=FIRST_PAGE + i, target_node=1)
             for i in range(migrations)]
    seen = 0
    call = stub.Session(replies, timeout=3600,
                        metadata=ticket_metadata(reply.session_ticket))
    for msg in call:
        seen += 1
        kind = msg.WhichOneof("event")
        if kind == "epoch_ended":
            # touch the counts, as a policy would
            _ = len(msg.epoch_ended.pages.page_numbers)
            replies.put(pb2.ControllerMessage(
                reply_to=msg.sequence,
                migrations=pb2.MigrationList(migrations=moves)))
        elif kind == "region_created":
            replies.put(pb2.ControllerMessage(reply_to=msg.sequence,
                                              ack=pb2.Ack()))
        else:
            break
    replies.close()
    channel.close()
    return seen


def _percentile(sorted_values: Sequence[float], p: float) -> float:
    k = (len(sorted_values) - 1) * p / 100.0
    lo = int(k)
    hi = min(lo + 1, len(sorted_values) - 1)
    return sorted_values[lo] + (sorted_values[hi] - sorted_values[lo]) * (
        k - lo)


def main(argv: Sequence[str] | None = None) -> int:
    p = argparse.ArgumentParser(
        prog="python3 -m deepmem.bridge.bench_roundtrip",
        description="Round-trip time of EpochEnded exchanges.")
    p.add_argument("--pages", type=int, default=10_000,
                   help="page counts per epoch (default 10000)")
    p.add_argument("--epochs", type=int, default=300,
                   help="measured epochs (default 300)")
    p.add_argument("--warmup", type=int, default=20,
                   help="epochs run first and not counted (default 20)")
    p.add_argument("--migrations", type=int, default=0,
                   help="migrations in each reply (default 0)")
    p.add_argument("--client", choices=("process", "thread"),
                   default="process",
                   help="controller in its own process (default) or in a "
                        "thread of this one")
    p.add_argument("--client-port", type=int, help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.client_port:
        client(args.client_port, args.migrations)
        return 0

    from deepmem.bridge import convert
    from deepmem.bridge.driver import run_bridge
    from deepmem.bridge.protocol import load
    from deepmem.bridge.scripted import Script, ScriptedBackend
    from deepmem.bridge.server import BridgeConfig
    import contextlib
    import io

    backend = ScriptedBackend(Script(_script(args.pages,
                                             args.warmup + args.epochs)))
    children: list = []

    def start_client(port: int) -> None:
        if args.client == "thread":
            t = threading.Thread(target=client,
                                 args=(port, args.migrations), daemon=True)
            t.start()
            children.append(t)
            return
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(
            [os.path.dirname(os.path.dirname(os.path.dirname(
                os.path.abspath(__file__))))]
            + [x for x in env.get("PYTHONPATH", "").split(os.pathsep) if x])
        children.append(subprocess.Popen(
            [sys.executable, "-m", "deepmem.bridge.bench_roundtrip",
             "--client-port", str(port), "--migrations",
             str(args.migrations)], env=env))

    config = BridgeConfig(announce=False, reply_timeout_s=60.0,
                          connect_timeout_s=60.0)
    log = io.StringIO()
    started = time.perf_counter()
    with contextlib.redirect_stderr(log):  # one log line per event
        result = run_bridge(backend, config, start_client)
    wall = time.perf_counter() - started
    for child in children:
        if isinstance(child, subprocess.Popen):
            child.wait(60)
        else:
            child.join(60)
    if result.mode != "controller":
        print(log.getvalue(), file=sys.stderr)
        print(f"run fell back to {result.mode}: {result.fallback_reason}",
              file=sys.stderr)
        return 1

    # drop the region exchange and the warm-up epochs
    trips = sorted(result.round_trips[1 + args.warmup:])
    pb2 = load().pb2
    sample = backend.script.events[1]
    size = convert.simulator_message(pb2, sample, 2).ByteSize()
    us = [t * 1e6 for t in trips]
    print(f"EpochEnded round trip, {args.pages} page counts "
          f"({size} bytes), {args.migrations} migrations per reply, "
          f"client in a {args.client}, {len(us)} epochs:")
    print(f"  median {statistics.median(us):.0f} us   "
          f"p90 {_percentile(us, 90):.0f} us   "
          f"p99 {_percentile(us, 99):.0f} us   "
          f"min {us[0]:.0f} us   max {us[-1]:.0f} us")
    print(f"  whole run {wall:.2f} s")
    # The part spent in protobuf on the simulator side, for scale.
    build, encode = [], []
    for _ in range(50):
        t0 = time.perf_counter()
        msg = convert.simulator_message(pb2, sample, 2)
        t1 = time.perf_counter()
        msg.SerializeToString()
        build.append((t1 - t0) * 1e6)
        encode.append((time.perf_counter() - t1) * 1e6)
    print(f"  of which, on the simulator side: building the message "
          f"{statistics.median(build):.0f} us, encoding it "
          f"{statistics.median(encode):.0f} us (medians)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
