"""A controller in a process of its own, for fault-injection tests.

    python3 controller_proc.py intruder PORT [--token T] [--hello]
        [--ticket X]
        Open a Session (after a Hello of its own when --hello); print
        "event <kind>" for the first message it gets, or "refused <CODE>",
        then exit.
    python3 controller_proc.py answer PORT N [--token T]
        Hello, Session, ack the first N events; at event N+1 print
        "holding event N+1" and wait (for a kill -9) without answering.
"""

from __future__ import annotations

import argparse
import sys

import grpc

from deepmem.bridge.client import ReplyStream, hello, ticket_metadata
from deepmem.bridge.protocol import load

WAIT = 10.0


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("mode", choices=("intruder", "answer"))
    p.add_argument("port", type=int)
    p.add_argument("count", type=int, nargs="?", default=0)
    p.add_argument("--token", default="")
    p.add_argument("--hello", action="store_true")
    p.add_argument("--ticket", default="")
    args = p.parse_args()
    proto = load()
    pb2 = proto.pb2
    channel = grpc.insecure_channel(f"127.0.0.1:{args.port}")
    stub = proto.pb2_grpc.CoSimulationStub(channel)
    ticket = args.ticket
    if args.hello or args.mode == "answer":
        reply = hello(stub, pb2, "controller_proc", args.token, WAIT)
        print(f"hello accepted={reply.accepted}", flush=True)
        ticket = ticket or reply.session_ticket
    replies = ReplyStream()
    call = stub.Session(replies, metadata=ticket_metadata(ticket),
                        timeout=None if args.mode == "answer" else WAIT)
    try:
        for message in call:
            kind = message.WhichOneof("event")
            if args.mode == "intruder":
                print(f"event {kind}", flush=True)
                return 0
            if replies.sent < args.count:
                replies.put(pb2.ControllerMessage(
                    reply_to=message.sequence, ack=pb2.Ack()))
            else:  # the simulator has had every reply: it waits for us
                print(f"holding event {message.sequence}", flush=True)
    except grpc.RpcError as exc:
        print(f"refused {exc.code().name}", flush=True)
        return 0
    print("ended", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
