"""Shared pieces of the bridge tests: scripts, an in-process simulator run,
and a Python gRPC controller with a timeout on every wait."""

from __future__ import annotations

import copy
import faulthandler
import os
import queue
import subprocess
import sys
import tempfile
import threading
import time
import unittest
from pathlib import Path
from typing import Any, Callable

import grpc

from deepmem.bridge.driver import RunResult, run_bridge
from deepmem.bridge.protocol import load
from deepmem.bridge.scripted import Script, ScriptedBackend
from deepmem.bridge.server import TICKET_KEY, BridgeConfig

REPO = Path(__file__).resolve().parents[2]
PYTHONPATH = str(REPO / "gem5-patches" / "python")
PROTO = load()
pb2 = PROTO.pb2
pb2_grpc = PROTO.pb2_grpc

WAIT = 10.0  # seconds any single wait in a test may take
PAGE = 4096
REGION_START = 0x400000  # page 1024
FIRST_PAGE = REGION_START // PAGE

MACHINE = {
    "simulator": "scripted test",
    "binary": "/bin/hot_cold",
    "args": ["--size", "64"],
    "epoch_instructions": 1000000,
    "cpu_model": "TimingSimple",
    "nodes": [
        {"id": 0, "name": "dram", "kind": "dram",
         "capacity_bytes": 1 << 30, "read_latency_ns": 50.0,
         "bandwidth_gbps": 19.2},
        # two frames, one of them taken by someone else
        {"id": 1, "name": "nvm", "kind": "nvm", "capacity_bytes": 2 * PAGE,
         "base_address": 1 << 30, "read_latency_ns": 150.0,
         "write_latency_ns": 500.0, "used_pages": 1},
    ],
}


def region(region_id: int = 1, start: int = REGION_START,
           length: int = 16 * PAGE, **expect: Any) -> dict:
    event: dict = {"region_created": {
        "region_id": region_id, "start_address": start,
        "length_bytes": length, "source": "mmap", "instructions": 10,
        "tick": 500}}
    if expect:
        event["expect"] = expect
    return event


def epoch(index: int, pages: list | None = None, **expect: Any) -> dict:
    event: dict = {"epoch_ended": {
        "epoch": index, "start_tick": 1000 * index,
        "end_tick": 1000 * (index + 1), "epoch_instructions": 1000000,
        "total_instructions": 1000000 * (index + 1),
        "pages": pages if pages is not None else
        [[FIRST_PAGE, 10, 2, 0], [FIRST_PAGE + 1, 3, 0, 0]]}}
    if expect:
        event["expect"] = expect
    return event


def finished(exit_code: int = 0) -> dict:
    return {"finished": {"exit_code": exit_code, "ticks": 9000,
                         "simulated_seconds": 9e-9, "instructions": 3000000,
                         "output_dir": "m5out"}}


def script(*events: dict, machine: dict | None = None) -> dict:
    return {"machine": copy.deepcopy(machine or MACHINE),
            "events": list(events)}


class SimRun:
    """`run_bridge` over a ScriptedBackend on a background thread (in gem5
    it is the main thread; the driver does not care which).

    `before_deadline(port)` runs once the server listens and before the
    connect deadline starts (the driver calls back first, then waits), so
    what it does with a controller happens before that deadline however
    slowly the machine schedules the test: a short deadline then decides
    nothing by luck."""

    def __init__(self, data: dict, backend: Any = None,
                 before_deadline: Callable[[int], None] | None = None,
                 **config: Any):
        config.setdefault("reply_timeout_s", WAIT)
        config.setdefault("connect_timeout_s", WAIT)
        config.setdefault("shutdown_grace_s", 2.0)
        config.setdefault("announce", False)
        self.config = BridgeConfig(**config)
        self.backend = backend or ScriptedBackend(Script(data))
        self.result: RunResult | None = None
        self.error: BaseException | None = None
        self._listening = threading.Event()
        self.port = 0
        self._before_deadline = before_deadline
        self.hook_error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        if not self._listening.wait(WAIT):
            raise AssertionError("bridge did not start listening")
        if self.hook_error is not None:
            raise self.hook_error

    def _on_listening(self, port: int) -> None:
        self.port = port
        try:
            if self._before_deadline is not None:
                self._before_deadline(port)
        except BaseException as exc:  # noqa: BLE001 - raised by __init__
            self.hook_error = exc
        finally:
            self._listening.set()

    def _run(self) -> None:
        try:
            self.result = run_bridge(self.backend, self.config,
                                     self._on_listening)
        except BaseException as exc:  # noqa: BLE001 - reported by join
            self.error = exc
            self._listening.set()

    def join(self, timeout: float = WAIT) -> RunResult | None:
        self._thread.join(timeout)
        if self._thread.is_alive():
            raise AssertionError(f"bridge run still going after {timeout} s")
        return self.result


_END = object()


class Controller:
    """A minimal controller: generated stubs, a timeout on every wait."""

    def __init__(self, port: int, host: str = "127.0.0.1"):
        self.channel = grpc.insecure_channel(f"{host}:{port}")
        self.stub = pb2_grpc.CoSimulationStub(self.channel)
        self._requests: queue.Queue = queue.Queue()
        self._responses: queue.Queue = queue.Queue()
        self.call = None
        self.error: grpc.RpcError | None = None
        self.ticket = ""

    def hello(self, version: int = pb2.PROTOCOL_VERSION_CURRENT,
              token: str = ""):
        reply = self.stub.Hello(pb2.HelloRequest(
            protocol_version=version, controller="bridge tests",
            token=token), timeout=WAIT)
        self.ticket = reply.session_ticket
        return reply

    def open(self, deadline: float = 60.0, ticket: str | None = None
             ) -> None:
        """Open the Session with `ticket` (default: Hello's)."""
        ticket = self.ticket if ticket is None else ticket
        metadata = [(TICKET_KEY, ticket)] if ticket else None
        self.call = self.stub.Session(self._request_iter(), timeout=deadline,
                                      metadata=metadata)
        threading.Thread(target=self._read, daemon=True).start()

    def _request_iter(self):
        while True:
            try:
                item = self._requests.get(timeout=0.2)
            except queue.Empty:
                if self.call is not None and not self.call.is_active():
                    return
                continue
            if item is _END:
                return
            yield item

    def _read(self) -> None:
        try:
            for message in self.call:
                self._responses.put(message)
        except grpc.RpcError as exc:
            self.error = exc
        self._responses.put(_END)

    def recv(self, timeout: float = WAIT):
        """The next SimulatorMessage, or None when the stream has ended."""
        try:
            item = self._responses.get(timeout=timeout)
        except queue.Empty:
            raise AssertionError(f"no message within {timeout} s") from None
        return None if item is _END else item

    def expect_silence(self, seconds: float) -> None:
        try:
            item = self._responses.get(timeout=seconds)
        except queue.Empty:
            return
        raise AssertionError(f"expected no message, got {item}")

    def send(self, message) -> None:
        self._requests.put(message)

    def reply(self, reply_to: int, **kind: Any) -> None:
        self.send(pb2.ControllerMessage(reply_to=reply_to, **kind))

    def ack(self, reply_to: int) -> None:
        self.reply(reply_to, ack=pb2.Ack())

    def migrate(self, reply_to: int, *moves: tuple[int, int]) -> None:
        self.reply(reply_to, migrations=pb2.MigrationList(migrations=[
            pb2.PageMigration(page_number=p, target_node=n)
            for p, n in moves]))

    def place(self, reply_to: int, region_id: int, mode: int,
              nodes: list[int] = (), weights: list[int] = ()) -> None:
        self.reply(reply_to, placement=pb2.RegionPlacement(
            region_id=region_id, mode=mode, nodes=list(nodes),
            weights=list(weights)))

    def close_requests(self) -> None:
        self._requests.put(_END)

    def cancel(self) -> None:
        if self.call is not None:
            self.call.cancel()

    def close(self) -> None:
        self.close_requests()
        self.cancel()
        self.channel.close()


def connect(run: SimRun, token: str = "") -> Controller:
    c = Controller(run.port)
    reply = c.hello(token=token)
    assert reply.accepted, reply.reason
    c.open()
    return c


class BridgeTest(unittest.TestCase):
    """Base class: a hang anywhere dumps the stacks and ends the process."""

    HANG_LIMIT_S = 60

    def setUp(self) -> None:
        faulthandler.dump_traceback_later(self.HANG_LIMIT_S, exit=True)
        self._controllers: list[Controller] = []

    def tearDown(self) -> None:
        for c in self._controllers:
            c.close()
        faulthandler.cancel_dump_traceback_later()

    def controller(self, run: SimRun, token: str = "") -> Controller:
        c = connect(run, token)
        self._controllers.append(c)
        return c

    def reasons(self, outcome) -> dict[int, str]:
        return {r.index: r.reason for r in outcome.rejections}


# ----------------------------------------------------------- subprocess

class ScriptedProcess:
    """`python3 -m deepmem.bridge.scripted` as a child process."""

    def __init__(self, script_path: str, *args: str,
                 env: dict | None = None):
        full_env = dict(os.environ)
        full_env["PYTHONPATH"] = PYTHONPATH
        full_env.update(env or {})
        self._stderr = tempfile.TemporaryFile("w+", encoding="utf-8")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "deepmem.bridge.scripted",
             "--script", script_path, *args],
            stdout=subprocess.PIPE, stderr=self._stderr, text=True,
            env=full_env)
        self.port = 0
        self.stdout_lines: list[str] = []

    def read_port(self, timeout: float = WAIT) -> int:
        """Read stdout up to the DEEPMEM_BRIDGE_PORT line."""
        result: dict = {}

        def reader() -> None:
            assert self.proc.stdout is not None
            for line in self.proc.stdout:
                self.stdout_lines.append(line)
                if line.startswith("DEEPMEM_BRIDGE_PORT="):
                    result["port"] = int(line.strip().split("=", 1)[1])
                    return

        t = threading.Thread(target=reader, daemon=True)
        t.start()
        t.join(timeout)
        if "port" not in result:
            self.kill()
            raise AssertionError("no DEEPMEM_BRIDGE_PORT line; stderr: "
                                 + self.stderr_text())
        self.port = result["port"]
        return self.port

    def wait(self, timeout: float = WAIT) -> int:
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            raise AssertionError(f"scripted source still running after "
                                 f"{timeout} s") from None

    def stderr_text(self) -> str:
        self._stderr.seek(0)
        return self._stderr.read()

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(WAIT)

    def close(self) -> None:
        self.kill()
        if self.proc.stdout:
            self.proc.stdout.close()
        self._stderr.close()


def wait_until(predicate, timeout: float = WAIT) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(0.02)
    return predicate()
