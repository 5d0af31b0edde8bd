"""One deepmem.v1 session from Python: Hello, then the lockstep stream.

    s = Session.connect(port)            # Hello; SessionError if refused
    ev = s.next_event()                  # a SimulatorMessage (pb2)
    s.reply(ev, migrations=[(page, node), ...])   # or placement=, ack, stop=
    ...                                  # until ev is finished / failed
    s.close()

Every wait has a deadline; a server that goes away raises SessionError
naming the cause (the caller adds the backend's own exit status and tail).
"""

from __future__ import annotations

import queue
import threading

import grpc

from deepmem_agents import _proto

TICKET_KEY = "deepmem-session-ticket"
PROTOCOL_VERSION = 2
MAX_MESSAGE_BYTES = 256 * 1024 * 1024


class SessionError(RuntimeError):
    """The session could not go on; the message names why."""


_END = object()


class Session:
    def __init__(self, channel, stub, pb2, hello, event_timeout_s: float):
        self._channel = channel
        self._pb2 = pb2
        self.hello = hello
        self.machine = hello.machine
        self._requests: queue.Queue = queue.Queue()
        self._event_timeout_s = event_timeout_s
        self._responses = stub.Session(
            self._request_iter(),
            metadata=((TICKET_KEY, hello.session_ticket),))
        self._events: queue.Queue = queue.Queue()
        self._reader = threading.Thread(target=self._read, daemon=True,
                                        name="deepmem-session-reader")
        self._reader.start()
        self.done = False
        self.last = None

    @property
    def pb2(self):
        return self._pb2

    @classmethod
    def connect(cls, port: int, host: str = "127.0.0.1", token: str = "",
                controller: str = "deepmem_agents",
                hello_timeout_s: float = 30.0,
                event_timeout_s: float = 600.0) -> "Session":
        pb2, pb2_grpc = _proto.load()
        target = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
        channel = grpc.insecure_channel(target, options=[
            ("grpc.max_receive_message_length", MAX_MESSAGE_BYTES),
            ("grpc.max_send_message_length", MAX_MESSAGE_BYTES)])
        stub = pb2_grpc.CoSimulationStub(channel)
        try:
            hello = stub.Hello(pb2.HelloRequest(
                protocol_version=PROTOCOL_VERSION, controller=controller,
                token=token), timeout=hello_timeout_s)
        except grpc.RpcError as exc:
            channel.close()
            raise SessionError(f"cannot reach the simulator at {target}: "
                               f"{exc.details()} ({exc.code().name})") from exc
        if hello.protocol_version != PROTOCOL_VERSION:
            channel.close()
            raise SessionError(
                f"protocol version mismatch: this controller speaks "
                f"deepmem.v1 version {PROTOCOL_VERSION}, the simulator "
                f"speaks version {hello.protocol_version}")
        if not hello.accepted:
            channel.close()
            raise SessionError(f"the simulator refused this controller: "
                               f"{hello.reason}")
        return cls(channel, stub, pb2, hello, event_timeout_s)

    def _request_iter(self):
        while True:
            item = self._requests.get()
            if item is _END:
                return
            yield item

    def _read(self) -> None:
        try:
            for msg in self._responses:
                self._events.put(msg)
            self._events.put(SessionError(
                "the simulator closed the session without Finished or "
                "Failed"))
        except grpc.RpcError as exc:
            if exc.code() == grpc.StatusCode.CANCELLED and self.done:
                return
            self._events.put(SessionError(
                f"lost the simulator mid-session: {exc.details()} "
                f"({exc.code().name})"))

    def next_event(self, timeout_s: float | None = None):
        """The next SimulatorMessage; raises SessionError when none can
        come (stream broken, deadline passed)."""
        if self.done:
            raise SessionError("the session is over")
        try:
            item = self._events.get(timeout=timeout_s or self._event_timeout_s)
        except queue.Empty:
            raise SessionError(
                f"no event from the simulator within "
                f"{timeout_s or self._event_timeout_s:g} s") from None
        if isinstance(item, Exception):
            self.done = True
            raise item
        self.last = item
        if item.WhichOneof("event") in ("finished", "failed"):
            self.done = True
            self._requests.put(_END)
        return item

    def reply(self, event, *, migrations=None, placement=None,
              stop: str | None = None) -> None:
        """Answer `event`: migrations [(page, node)], a placement
        (mode, nodes[, weights]), stop, or (none given) an ack."""
        pb2 = self._pb2
        msg = pb2.ControllerMessage(reply_to=event.sequence)
        if stop is not None:
            msg.stop.reason = stop
        elif migrations is not None:
            msg.migrations.SetInParent()
            for page, node in migrations:
                msg.migrations.migrations.add(page_number=int(page),
                                              target_node=int(node))
        elif placement is not None:
            mode, nodes, *rest = placement
            msg.placement.region_id = event.region_created.region_id
            msg.placement.mode = getattr(
                pb2, f"PLACEMENT_MODE_{mode.upper()}")
            msg.placement.nodes.extend(int(n) for n in nodes)
            if rest:
                msg.placement.weights.extend(int(w) for w in rest[0])
        else:
            msg.ack.SetInParent()
        self._requests.put(msg)

    def close(self) -> None:
        self.done = True
        self._requests.put(_END)
        try:
            self._responses.cancel()
        except Exception:  # noqa: BLE001 - already over
            pass
        self._channel.close()
