"""Stands in for deepmem in the kill-the-controller e2e test: it holds the
reading ends of gem5's stdout and stderr (passed as fds, drained to a
file), connects to gem5's bridge as the controller, acks every event up to
the first EpochEnded, prints "holding event <n>" and then waits, without
answering, to be killed with -9.

    python3 controller_parent.py PORT_FILE STDOUT_FD STDERR_FD SAW_FILE
"""

from __future__ import annotations

import os
import sys
import threading
import time

import grpc

from deepmem.bridge.client import ReplyStream, hello, ticket_metadata
from deepmem.bridge.protocol import load


def drain(fd: int, out, lock: threading.Lock) -> None:
    with os.fdopen(fd, "rb", buffering=0) as f:
        while True:
            chunk = f.read(65536)
            if not chunk:
                return
            with lock:
                out.write(chunk)
                out.flush()


def main() -> int:
    port_file, out_fd, err_fd, saw = sys.argv[1:5]
    lock = threading.Lock()
    out = open(saw, "ab")
    for fd in (int(out_fd), int(err_fd)):
        threading.Thread(target=drain, args=(fd, out, lock),
                         daemon=True).start()
    for _ in range(3000):  # gem5 may take minutes to start under load
        if os.path.exists(port_file) and open(port_file).read().strip():
            break
        time.sleep(0.1)
    port = open(port_file).read().strip()
    proto = load()
    pb2 = proto.pb2
    stub = proto.pb2_grpc.CoSimulationStub(
        grpc.insecure_channel(f"127.0.0.1:{port}"))
    reply = hello(stub, pb2, "kill-test parent", timeout=60)
    if not reply.accepted:
        print(f"refused: {reply.reason}", flush=True)
        return 1
    replies = ReplyStream()
    call = stub.Session(replies, metadata=ticket_metadata(reply.session_ticket))
    for message in call:
        kind = message.WhichOneof("event")
        if kind == "epoch_ended":
            print(f"holding event {message.sequence}", flush=True)
            while True:
                time.sleep(3600)
        if kind in ("finished", "failed"):
            print(f"{kind} before any epoch", flush=True)
            return 1
        replies.put(pb2.ControllerMessage(reply_to=message.sequence,
                                          ack=pb2.Ack()))
    print("stream ended", flush=True)
    return 1


if __name__ == "__main__":
    sys.exit(main())
