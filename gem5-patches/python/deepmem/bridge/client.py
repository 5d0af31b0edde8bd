"""The controller's side of a session, for Python tools and tests that act
as the controller (the bridge benchmark, the fault-injection controllers):
Hello, and the request stream of a Session call.

    pb2, pb2_grpc = load()
    stub = pb2_grpc.CoSimulationStub(channel)
    reply = hello(stub, pb2, "my tool")
    stream = ReplyStream()
    for event in stub.Session(stream, metadata=ticket_metadata(reply.session_ticket)):
        stream.put(pb2.ControllerMessage(reply_to=event.sequence, ack=pb2.Ack()))
"""

from __future__ import annotations

import queue
from typing import Iterator

from deepmem.bridge.server import TICKET_KEY


class ReplyStream:
    """The request iterator of a Session call: the messages put() are sent
    in order, close() ends the stream. `sent` counts the messages put."""

    def __init__(self) -> None:
        self._queue: queue.SimpleQueue = queue.SimpleQueue()
        self.sent = 0

    def put(self, message) -> None:
        self.sent += 1
        self._queue.put(message)

    def close(self) -> None:
        self._queue.put(None)

    def __iter__(self) -> Iterator:
        return self

    def __next__(self):
        # grpc takes the next message from this iterator on a thread of its
        # own; it waits here until the controller has put its reply.
        item = self._queue.get()
        if item is None:
            self._queue.put(None)
            raise StopIteration
        return item


def ticket_metadata(ticket: str) -> list | None:
    """The Session call's metadata carrying the one-time ticket (none without one)."""
    return [(TICKET_KEY, ticket)] if ticket else None


def hello(stub, pb2, controller: str, token: str = "", timeout: float = 30.0):
    """Says Hello at this side's protocol version; returns the HelloReply."""
    return stub.Hello(pb2.HelloRequest(
        protocol_version=pb2.PROTOCOL_VERSION_CURRENT,
        controller=controller, token=token), timeout=timeout)
