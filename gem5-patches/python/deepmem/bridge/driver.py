"""The lockstep loop between a `SimulatorBackend` and the controller.

`LockstepDriver.run()` simulates on the calling thread (in gem5: the main
thread, which holds the GIL while simulating) and also waits for replies
there; the grpc threads only move messages through the server's queues.

The loop, once the controller has said Hello and opened the Session:

    event = backend.next_event()
    send it (sequence 1, 2, ...; previous_reply = outcome of the last reply)
    Finished / Failed -> done
    wait for the reply, at most reply_timeout_s
    apply it: placement -> backend.apply_placement
              migrations -> backend.apply_migrations
              ack -> nothing
              stop -> backend.stop, then run on to Finished

Checks. A second reply to an already answered event is logged and ignored.
A reply whose `reply_to` is not the pending event's sequence (0, or a
sequence not sent yet), an empty reply, or a reply of the wrong kind (migrations for RegionCreated,
a placement for EpochEnded) is rejected as a whole (one rejection per item,
at least one) and counts as the answer: the run goes on, and the next event
carries the verdict in `previous_reply`. Items the backend refuses are
rejected one by one with its reason.

Fallback. When the controller does not connect within connect_timeout_s,
does not answer within reply_timeout_s, or goes away (cancels, disconnects
or half-closes its request stream while an event is pending):

* "default": the simulation goes on with the default policy; no further
  event is sent or waited for, except the final Finished/Failed, which is
  still sent when the stream is open (its previous_reply names the late
  event and says what happened);
* "stop": backend.stop(reason), then the final message as above.

Replies that arrive after their deadline are ignored. After the connect
deadline the server refuses further controllers (Hello says why). A
controller that half-closes after its last reply (e.g. after Stop) still
gets the final message.
"""

from __future__ import annotations

import queue
import time
import traceback
from dataclasses import dataclass, field
from typing import Callable

from deepmem import events as ev
from deepmem.bridge import convert
from deepmem.bridge.server import (BridgeConfig, BridgeServer, SessionClosed,
                                   SessionOpened, log)

MAX_LOGGED_REJECTIONS = 20


@dataclass
class RunResult:
    """What happened, for the caller (gem5 config script, tests)."""

    final: ev.Event | None = None
    # "controller": every event was answered; otherwise the fallback taken
    # ("default" or "stop") and why.
    mode: str = "controller"
    fallback_reason: str = ""
    events_sent: int = 0
    events_unsent: int = 0
    replies: int = 0
    rejections: int = 0
    # Seconds from building each event's message to having its reply.
    round_trips: list[float] = field(default_factory=list)


class _Timeout:
    pass


class LockstepDriver:
    def __init__(self, backend: ev.SimulatorBackend, config: BridgeConfig,
                 on_listening: Callable[[int], None] | None = None):
        self.backend = backend
        self.config = config
        self.server = BridgeServer(config, backend.machine_info())
        self.pb2 = self.server.proto.pb2
        self._on_listening = on_listening
        self.result = RunResult()
        self._connected = False
        self._stream_open = False

    # ------------------------------------------------------------- run

    def run(self) -> RunResult:
        """Simulate to the end; raise only on a backend error (after
        telling the controller with Failed and shutting the server)."""
        port = self.server.start()
        if self._on_listening:
            self._on_listening(port)
        error: BaseException | None = None
        try:
            self._loop()
        except BaseException as exc:  # incl. KeyboardInterrupt
            error = exc
            reason = ("simulator interrupted"
                      if isinstance(exc, KeyboardInterrupt)
                      else f"simulator error: {type(exc).__name__}: {exc}")
            failed = ev.Failed(reason=reason,
                               exit_code=130 if isinstance(
                                   exc, KeyboardInterrupt) else 1,
                               output_tail=traceback.format_exc()[-4000:])
            self.result.final = failed
            log(reason)
            if self._connected and self._stream_open:
                self._send(failed, None)
        finally:
            self.server.stop()
            log("server stopped")
        if error is not None:
            raise error
        return self.result

    # ----------------------------------------------------------- inner

    def _loop(self) -> None:
        cfg = self.config
        res = self.result
        self._connected = self._await_session()
        if not self._connected:
            why = (f"no controller opened a session within "
                   f"{cfg.connect_timeout_s:g} s")
            # A session that slipped in just now is served after all.
            self._connected = self.server.close_admission(
                f"the simulator stopped waiting for a controller ({why}); "
                f"it runs on with fallback '{cfg.fallback}'")
        self._stream_open = self._connected
        mode = "controller"
        if not self._connected:
            mode = self._fall_back(why)
        previous = None
        stopping = mode == "stop"
        while True:
            event = self.backend.next_event()
            kind = convert.event_kind(event)
            terminal = kind in ("finished", "failed")
            if terminal:
                res.final = event
                self._drain_inbound()
                if self._stream_open:
                    self._send(event, previous)
                log(f"{kind}" + (": sent" if self._stream_open
                                 else ": no open session to send it to"))
                return
            if mode != "controller" or stopping:
                res.events_unsent += 1
                continue
            started = time.perf_counter()
            seq = self._send(event, previous)
            reply = self._await_reply(seq)
            if isinstance(reply, (_Timeout, SessionClosed)):
                if isinstance(reply, _Timeout):
                    why = (f"no reply to event {seq} within "
                           f"{cfg.reply_timeout_s:g} s")
                else:
                    why = f"{reply.reason} while event {seq} was pending"
                    self._stream_open = reply.half_close
                mode = self._fall_back(why)
                stopping = mode == "stop"
                previous = self.pb2.ReplyOutcome(reply_to=seq)
                previous.rejections.add(index=0, reason=(
                    f"{why}; fallback '{mode}': "
                    + ("simulation stopped" if stopping else
                       "simulation went on with the default policy "
                       "without the controller")))
                continue
            res.round_trips.append(time.perf_counter() - started)
            res.replies += 1
            previous, stop_now = self._apply(event, kind, seq, reply)
            stopping = stopping or stop_now

    def _fall_back(self, why: str) -> str:
        mode = self.config.fallback
        self.result.mode = mode
        self.result.fallback_reason = why
        log(f"fallback '{mode}': {why}")
        if mode == "stop":
            self._stop_backend(f"controller unavailable: {why}")
        return mode

    def _stop_backend(self, reason: str) -> None:
        self.backend.stop(reason)

    def _send(self, event: ev.Event, previous) -> int:
        self.result.events_sent += 1
        seq = self.result.events_sent
        self.server.send(convert.simulator_message(self.pb2, event, seq,
                                                   previous))
        return seq

    def _drain_inbound(self) -> None:
        """Before the last message: notice a controller that has gone."""
        while True:
            try:
                item = self.server.inbound.get_nowait()
            except queue.Empty:
                return
            if (isinstance(item, SessionClosed) and not item.half_close
                    and self._stream_open):
                self._stream_open = False
                log(f"{item.reason} before the last message")

    def _await_session(self) -> bool:
        deadline = time.monotonic() + self.config.connect_timeout_s
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return False
            try:
                item = self.server.inbound.get(timeout=remaining)
            except queue.Empty:
                return False
            if isinstance(item, SessionOpened):
                return True
            # Anything else belongs to no session yet; drop it.

    def _await_reply(self, seq: int):
        deadline = time.monotonic() + self.config.reply_timeout_s
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return _Timeout()
            try:
                item = self.server.inbound.get(timeout=remaining)
            except queue.Empty:
                return _Timeout()
            if isinstance(item, SessionOpened):
                continue
            if (not isinstance(item, SessionClosed)
                    and 0 < item.reply_to < seq):
                # Every earlier event was answered (or given up on, and
                # then nothing is awaited any more): a duplicate.
                log(f"ignored a second reply to event {item.reply_to} "
                    f"(waiting for {seq})")
                continue
            return item

    # ----------------------------------------------------------- apply

    def _apply(self, event: ev.Event, kind: str, seq: int, reply):
        """Apply one reply; return (ReplyOutcome, stop requested)."""
        pb2 = self.pb2
        what = reply.WhichOneof("reply")
        items = (len(reply.migrations.migrations)
                 if what == "migrations" else 1)
        stop = False
        outcome = ev.Outcome()

        def reject_all(reason: str) -> None:
            outcome.rejections.extend(
                ev.Rejection(i, reason) for i in range(max(items, 1)))

        if reply.reply_to != seq:
            reject_all(f"reply_to {reply.reply_to} does not match the "
                       f"pending event {seq}")
        elif what is None:
            reject_all("reply carries none of ack, placement, migrations, "
                       "stop")
        elif what not in convert.ACCEPTED_REPLIES[kind]:
            allowed = ", ".join(convert.ACCEPTED_REPLIES[kind])
            reject_all(f"a {what} reply does not answer {kind} "
                       f"(expected one of: {allowed})")
        elif what == "stop":
            stop = True
            reason = reply.stop.reason or "controller asked to stop"
            self._stop_backend(reason)
            outcome.applied = 1
        elif what == "placement":
            placement = convert.placement(pb2, reply.placement)
            if isinstance(placement, str):
                reject_all(placement)
            else:
                outcome = self._call_backend(
                    "apply_placement", items,
                    lambda: self.backend.apply_placement(placement))
        elif what == "migrations":
            moves = convert.migrations(reply.migrations)
            if moves:
                outcome = self._call_backend(
                    "apply_migrations", items,
                    lambda: self.backend.apply_migrations(moves))
        # "ack": nothing to do

        self._log_outcome(seq, kind, what, reply.reply_to, outcome)
        self.result.rejections += len(outcome.rejections)
        return convert.reply_outcome(pb2, reply.reply_to, outcome), stop

    def _call_backend(self, name: str, items: int,
                      call: Callable[[], ev.Outcome]) -> ev.Outcome:
        try:
            return call()
        except Exception as exc:  # a backend bug must not kill the run
            reason = f"simulator error in {name}: {type(exc).__name__}: {exc}"
            log(reason)
            return ev.Outcome(0, [ev.Rejection(i, reason)
                                  for i in range(max(items, 1))])

    def _log_outcome(self, seq: int, kind: str, what: str | None,
                     reply_to: int, outcome: ev.Outcome) -> None:
        log(f"event {seq} ({kind}) <- {what or 'empty'} reply "
            f"(reply_to {reply_to}): applied {outcome.applied}, "
            f"rejected {len(outcome.rejections)}")
        for r in outcome.rejections[:MAX_LOGGED_REJECTIONS]:
            log(f"event {seq} rejected item {r.index}: {r.reason}")
        if len(outcome.rejections) > MAX_LOGGED_REJECTIONS:
            log(f"event {seq}: {len(outcome.rejections) - MAX_LOGGED_REJECTIONS}"
                " more rejections not shown")


def run_bridge(backend: ev.SimulatorBackend, config: BridgeConfig,
               on_listening: Callable[[int], None] | None = None
               ) -> RunResult:
    """Serve one controller session over `backend`; the gem5 entry point.

    Call it on the thread that simulates. Returns when the backend has
    produced Finished or Failed (sent to the controller when its stream is
    open) and the server is down. A backend exception is sent as Failed
    and re-raised.
    """
    return LockstepDriver(backend, config, on_listening).run()
