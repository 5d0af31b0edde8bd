"""The grpcio server hosting `deepmem.v1.CoSimulation`.

Threading model. gem5 holds the GIL while it simulates, so the thread that
simulates (the one calling `LockstepDriver.run`, see `driver.py`) is also
the one that waits for replies. The grpc handlers here never touch the
simulator: they check the handshake against values fixed at start-up and
pass stream messages through two thread-safe queues:

* `inbound`: what the driver reads: `SessionOpened`, each
  `ControllerMessage` as it arrives, and `SessionClosed` when the controller
  half-closes (then the last message can still be sent), cancels or
  disconnects;
* `outbound`: `SimulatorMessage`s the driver sends; the Session handler
  yields them, and ends the stream after `Finished` or `Failed`.

Security. The server binds 127.0.0.1 unless told otherwise. A non-loopback
address needs `allow_remote=True` *and* a token; a configured token is
checked on `Hello` (constant-time). An accepted `Hello` gets a one-time
session ticket; `Session` is only opened for a call that presents one in
its metadata (`deepmem-session-ticket`, constant-time compare), so the
session belongs to the controller that authenticated, not to its host.
Exactly one session is served. Before authentication a `Hello` larger than
MAX_HELLO_BYTES is refused unparsed, and what a peer sends is logged
shortened (SHOWN_CHARS) and on one line.

Port. With port 0 the kernel picks one; `start()` returns it, prints
`DEEPMEM_BRIDGE_PORT=<n>` as one line on stdout and, if asked, writes the
number to a file (atomically: the file appears complete or not at all).
"""

from __future__ import annotations

import argparse
import hmac
import ipaddress
import os
import queue
import secrets
import sys
import threading
from concurrent import futures
from dataclasses import dataclass
from typing import Any

import grpc

from deepmem import events as ev
# The process contract (protos/deepmem.proto header): port line, token
# variable, ticket metadata key.
from deepmem.contract import PORT_LINE_PREFIX, TICKET_KEY, TOKEN_ENV  # noqa: F401
from deepmem.bridge import convert
from deepmem.bridge.protocol import load
from deepmem.safeio import say

# 2: session ticket, FellBack/Progress events, rejection groups (see the
# .proto's version note).
PROTOCOL_VERSION = 2
FALLBACKS = ("default", "stop")
# Seconds a stopping server keeps connections open after the last call.
CLOSE_LINGER_S = 1.0
# A HelloRequest is three short fields; anything larger is refused unparsed.
MAX_HELLO_BYTES = 16 * 1024
# Longest piece of peer-supplied text (controller name) put in the log.
SHOWN_CHARS = 80
# Tickets handed out and not yet used (older ones are dropped).
MAX_TICKETS = 8
MAX_MESSAGE_BYTES = 256 * 1024 * 1024


def log(message: str) -> None:
    """One line on stderr, prefixed so it stands out in gem5's output.
    Never raises: a dead reader sends further output to /dev/null."""
    line = " ".join(message.split("\n"))
    say(f"deepmem-bridge: {line}")


def shown(text: str, limit: int = SHOWN_CHARS) -> str:
    """Peer-supplied text for the log: printable, one line, bounded."""
    clean = "".join(c if c.isprintable() else "?" for c in text[:limit])
    return clean + (f"... ({len(text)} chars)" if len(text) > limit else "")


class BridgeError(RuntimeError):
    """A configuration or start-up error of the bridge."""


# ------------------------------------------------------------------ config

@dataclass(frozen=True)
class BridgeConfig:
    """Everything the bridge needs; validated once by `problems()`."""

    host: str = "127.0.0.1"
    port: int = 0
    port_file: str = ""
    allow_remote: bool = False
    token: str = ""
    # Seconds to wait for the controller's reply to each event.
    reply_timeout_s: float = 30.0
    # Seconds to wait for Hello + Session after the server starts.
    connect_timeout_s: float = 60.0
    # What to do when the controller is late or gone: "default" keeps
    # simulating with the simulator's default policy and stops waiting,
    # "stop" stops the simulation (the controller still gets Finished when
    # its stream is open).
    fallback: str = "default"
    # Print DEEPMEM_BRIDGE_PORT=<n> on stdout when the server is up.
    announce: bool = True
    # The version this server speaks; other values are for tests only.
    protocol_version: int = PROTOCOL_VERSION
    # Seconds the server may take to deliver the last message and close.
    shutdown_grace_s: float = 5.0
    # Under fallback "default": at most this many seconds between two
    # Progress messages while events go unsent (and one per epoch).
    heartbeat_s: float = 10.0

    def problems(self) -> list[str]:
        """Every problem with this config, each naming setting and value."""
        out = []
        if not 0 <= self.port <= 65535:
            out.append(f"port must be within 0..65535 (was {self.port})")
        if self.reply_timeout_s <= 0:
            out.append("reply timeout must be greater than zero "
                       f"(was {self.reply_timeout_s})")
        if self.connect_timeout_s <= 0:
            out.append("connect timeout must be greater than zero "
                       f"(was {self.connect_timeout_s})")
        if self.heartbeat_s <= 0:
            out.append("heartbeat must be greater than zero "
                       f"(was {self.heartbeat_s})")
        if self.shutdown_grace_s < 0:
            out.append("shutdown grace must not be negative "
                       f"(was {self.shutdown_grace_s})")
        if self.fallback not in FALLBACKS:
            out.append(f"fallback must be one of {', '.join(FALLBACKS)} "
                       f"(was {self.fallback!r})")
        if not is_loopback(self.host):
            if not self.allow_remote:
                out.append(f"host {self.host!r} is not a loopback address; "
                           "binding to it needs the allow-remote option "
                           "and a token")
            if not self.token:
                out.append(f"host {self.host!r} is not a loopback address; "
                           f"a token is required (token file or "
                           f"{TOKEN_ENV})")
        return out


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False  # a host name other than localhost: treat as remote


def add_bridge_arguments(parser: argparse.ArgumentParser) -> None:
    """The bridge's command-line options, shared by every entry point."""
    g = parser.add_argument_group("bridge")
    g.add_argument("--host", default="127.0.0.1",
                   help="address to bind (default 127.0.0.1); a "
                        "non-loopback address needs --allow-remote and a "
                        "token")
    g.add_argument("--port", type=int, default=0,
                   help="TCP port, 0 = any free port (default 0); the "
                        f"port is printed as {PORT_LINE_PREFIX}<n>")
    g.add_argument("--port-file", default="",
                   help="also write the port number to this file")
    g.add_argument("--allow-remote", action="store_true",
                   help="permit binding a non-loopback address")
    g.add_argument("--token-file", default="",
                   help="file whose first line is the shared token "
                        f"(default: ${TOKEN_ENV}, else no token)")
    g.add_argument("--reply-timeout", type=float, default=30.0,
                   metavar="SECONDS",
                   help="deadline for each reply (default 30)")
    g.add_argument("--connect-timeout", type=float, default=60.0,
                   metavar="SECONDS",
                   help="deadline for the controller to open the session "
                        "(default 60)")
    g.add_argument("--fallback", choices=FALLBACKS, default="default",
                   help="when the controller is late or gone: 'default' "
                        "simulates on with the default policy, 'stop' "
                        "ends the simulation (default: default)")


def config_from_args(args: argparse.Namespace, **overrides: Any
                     ) -> BridgeConfig:
    token = os.environ.get(TOKEN_ENV, "")
    if args.token_file:
        try:
            with open(args.token_file, encoding="utf-8") as f:
                token = f.readline().strip()
        except OSError as exc:
            raise BridgeError(f"cannot read token file {args.token_file}: "
                              f"{exc.strerror}") from exc
    values: dict[str, Any] = dict(
        host=args.host, port=args.port, port_file=args.port_file,
        allow_remote=args.allow_remote, token=token,
        reply_timeout_s=args.reply_timeout,
        connect_timeout_s=args.connect_timeout, fallback=args.fallback)
    values.update(overrides)
    return BridgeConfig(**values)


# ------------------------------------------------------- queue hand-over

@dataclass(frozen=True)
class SessionOpened:
    peer: str


@dataclass(frozen=True)
class SessionClosed:
    reason: str
    # True when only the controller's request stream ended (half-close):
    # no more replies will come, but the last message can still be sent.
    half_close: bool = False


_END = object()  # tells the Session handler to end without a message


class BridgeServer:
    """Hosts CoSimulation; the driver talks to it through two queues."""

    def __init__(self, config: BridgeConfig, machine: ev.MachineInfo):
        problems = config.problems()
        if problems:
            raise BridgeError("; ".join(problems))
        self.config = config
        self.proto = load()
        self._machine = convert.machine_info(self.proto.pb2, machine)
        self.inbound: queue.Queue = queue.Queue()
        self.outbound: queue.Queue = queue.Queue()
        self._lock = threading.Lock()
        self._tickets: list[bytes] = []
        self._session_taken = False
        self._admission_closed = ""
        self.session_done = threading.Event()
        self.rpc_done = threading.Event()
        # Set when the controller's request stream has ended (it read the
        # last message and closed its side, or it went away).
        self.client_closed = threading.Event()
        self._server: grpc.Server | None = None
        self.port = 0
        # Messages the Session handler has handed to grpc so far.
        self._delivered = 0
        self._queued = 0
        self._delivery = threading.Condition()

    # -------------------------------------------------------- lifecycle

    def start(self) -> int:
        cfg = self.config
        self._server = grpc.server(
            futures.ThreadPoolExecutor(max_workers=4,
                                       thread_name_prefix="deepmem-grpc"),
            options=[
                # An explicit port must be ours alone.
                ("grpc.so_reuseport", 0),
                ("grpc.max_receive_message_length", MAX_MESSAGE_BYTES),
                ("grpc.max_send_message_length", MAX_MESSAGE_BYTES),
                ("grpc.max_metadata_size", 16 * 1024),
            ])
        self._server.add_generic_rpc_handlers((self._handlers(),))
        host = cfg.host
        if ":" in host and not host.startswith("["):
            host = f"[{host}]"
        address = f"{host}:{cfg.port}"
        try:
            port = self._server.add_insecure_port(address)
        except RuntimeError as exc:
            port = 0
            detail = f": {exc}"
        else:
            detail = ""
        if not port:
            self._server.stop(None)
            self._server = None
            raise BridgeError(f"cannot bind {address} (port in use or "
                              f"address not local){detail}")
        self._server.start()
        self.port = port
        if cfg.port_file:
            tmp = f"{cfg.port_file}.tmp{os.getpid()}"
            with open(tmp, "w", encoding="utf-8") as f:
                f.write(f"{port}\n")
            os.replace(tmp, cfg.port_file)
        if cfg.announce:
            say(f"{PORT_LINE_PREFIX}{port}", file=sys.stdout)
        log(f"listening on {cfg.host}:{port} (protocol {cfg.protocol_version}"
            f", token {'required' if cfg.token else 'not required'})")
        return port

    def close_admission(self, reason: str) -> bool:
        """Refuse controllers from now on; return True when a session was
        opened before this (the caller then serves it after all)."""
        with self._lock:
            if self._session_taken:
                return True
            self._admission_closed = reason
            return False

    def send(self, message, wait_s: float = 0.0) -> bool:
        """Queue `message` for the controller. With `wait_s`, wait until
        the Session handler has handed it to grpc (gem5 holds the GIL while
        it simulates, so a message queued just before simulating would sit
        in the queue for the whole epoch); True when it has."""
        with self._delivery:
            self._queued += 1
            mine = self._queued
        self.outbound.put(message)
        if wait_s <= 0:
            return False
        with self._delivery:
            self._delivery.wait_for(
                lambda: self._delivered >= mine or self.rpc_done.is_set(),
                wait_s)
            return self._delivered >= mine

    def stop(self) -> None:
        """Let the last message go out, then shut the server down."""
        if self._server is None:
            return
        self.outbound.put(_END)
        with self._lock:
            opened = self._session_taken
        grace = self.config.shutdown_grace_s
        if opened:
            # The handler has yielded its last message, then the call has
            # ended (status sent): nothing of ours is left in flight.
            self.session_done.wait(grace)
            self.rpc_done.wait(grace)
        # An idle client connection would hold a graceful stop for the
        # whole grace period; a short linger lets the status frames out.
        linger = min(grace, CLOSE_LINGER_S)
        self._server.stop(grace=linger).wait(linger + 0.25)
        self._server = None

    # --------------------------------------------------------- handlers
    # These run on grpc worker threads: queues and immutable data only.

    def _handlers(self):
        pb2 = self.proto.pb2

        def hello_request(data: bytes):
            if len(data) > MAX_HELLO_BYTES:
                raise ValueError(f"Hello of {len(data)} bytes (at most "
                                 f"{MAX_HELLO_BYTES})")
            return pb2.HelloRequest.FromString(data)

        return grpc.method_handlers_generic_handler(
            "deepmem.v1.CoSimulation", {
                "Hello": grpc.unary_unary_rpc_method_handler(
                    self._hello, request_deserializer=hello_request,
                    response_serializer=pb2.HelloReply.SerializeToString),
                "Session": grpc.stream_stream_rpc_method_handler(
                    self._session,
                    request_deserializer=pb2.ControllerMessage.FromString,
                    response_serializer=(
                        pb2.SimulatorMessage.SerializeToString)),
            })

    def _hello(self, request, context):
        pb2 = self.proto.pb2
        cfg = self.config
        peer = context.peer()
        who = shown(request.controller) or "unnamed controller"

        def refuse(reason: str):
            log(f"refused Hello from {peer} ({who}): {reason}")
            return pb2.HelloReply(protocol_version=cfg.protocol_version,
                                  accepted=False, reason=reason)

        if request.protocol_version != cfg.protocol_version:
            return refuse(
                f"protocol version mismatch: controller speaks "
                f"{request.protocol_version}, simulator speaks "
                f"{cfg.protocol_version}")
        if cfg.token and not hmac.compare_digest(
                request.token.encode(), cfg.token.encode()):
            return refuse("a token is required" if not request.token
                          else "token mismatch")
        ticket = secrets.token_urlsafe(32)
        with self._lock:
            if self._admission_closed:
                return refuse(self._admission_closed)
            if self._session_taken:
                return refuse("a session is already in progress")
            self._tickets = (self._tickets + [ticket.encode()])[-MAX_TICKETS:]
        log(f"accepted Hello from {peer} ({who})")
        return pb2.HelloReply(protocol_version=cfg.protocol_version,
                              accepted=True, machine=self._machine,
                              session_ticket=ticket)

    def _ticket_ok(self, context) -> bool:
        """Does the call carry a ticket handed out by an accepted Hello?
        Every outstanding ticket is compared, in constant time each."""
        given = b""
        for key, value in context.invocation_metadata() or ():
            if key == TICKET_KEY:
                given = value.encode() if isinstance(value, str) else value
        ok = False
        for ticket in self._tickets:
            ok |= hmac.compare_digest(given, ticket)
        return ok and bool(given)

    def _session(self, request_iterator, context):
        peer = context.peer()
        with self._lock:
            if self._admission_closed:
                context.abort(grpc.StatusCode.FAILED_PRECONDITION,
                              self._admission_closed)
            if not self._ticket_ok(context):
                log(f"refused Session from {peer}: no valid session ticket")
                context.abort(grpc.StatusCode.PERMISSION_DENIED,
                              "Session needs the session ticket of an "
                              f"accepted Hello in the metadata {TICKET_KEY}")
            if self._session_taken:
                context.abort(grpc.StatusCode.ALREADY_EXISTS,
                              "a session is already in progress")
            self._session_taken = True
            self._tickets = []  # one session; every ticket is spent
        def on_rpc_done() -> None:
            self.inbound.put(SessionClosed("the controller's stream ended"))
            with self._delivery:
                self.rpc_done.set()
                self._delivery.notify_all()

        context.add_callback(on_rpc_done)
        threading.Thread(target=self._read, args=(request_iterator, context),
                         name="deepmem-grpc-reader", daemon=True).start()
        self.inbound.put(SessionOpened(peer))
        log(f"session opened by {peer}")
        try:
            while True:
                try:
                    item = self.outbound.get(timeout=0.5)
                except queue.Empty:
                    if not context.is_active():
                        return
                    continue
                if item is _END:
                    return
                yield item
                with self._delivery:
                    self._delivered += 1
                    self._delivery.notify_all()
                if item.WhichOneof("event") in ("finished", "failed"):
                    # Keep the call open until the controller has read the
                    # last message and closed its side: ending the call (and
                    # the process) first can reset the connection with the
                    # message still unread on the controller's side.
                    self.client_closed.wait(self.config.shutdown_grace_s)
                    return
        finally:
            self.session_done.set()

    def _read(self, request_iterator, context) -> None:
        try:
            for message in request_iterator:
                self.inbound.put(message)
        except Exception as exc:  # grpc.RpcError on cancel / disconnect
            self.inbound.put(SessionClosed(
                f"the controller's stream broke ({type(exc).__name__})"))
        else:
            # A controller that died (kill -9) can look like a half-close;
            # then the call is over as well.
            if context.is_active() and not self.rpc_done.is_set():
                self.inbound.put(SessionClosed(
                    "the controller closed its request stream",
                    half_close=True))
            else:
                self.inbound.put(SessionClosed(
                    "the controller's connection was lost"))
        finally:
            self.client_closed.set()
