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
sequence not sent yet), an empty reply, or a reply of the wrong kind
(migrations for RegionCreated, a placement for EpochEnded) is rejected as a
whole (every item, at least one) and counts as the answer: the run goes on,
and the next event carries the verdict in `previous_reply`. Items the
backend refuses are rejected one by one with its reason.

Bounds. A verdict is summarised (`RejectionTally`): per reason a count and
the first few indices, at most MAX_GROUPS reasons, a capped sample of items,
each reason at most MAX_REASON_CHARS; so a reply of any size yields an
event of bounded size. The log has one line per reason per event.

Fallback. When the controller does not connect within connect_timeout_s,
does not answer within reply_timeout_s, or goes away (cancels, disconnects
or half-closes its request stream while an event is pending):

* the controller is told with `FellBack` (when its stream is open);
* "default": the simulation goes on with the default policy; no further
  event is waited for; instead of each event a `Progress` goes out for
  every epoch (and at least every heartbeat_s between other events), so
  the controller's event deadline does not fire on a healthy simulator;
  the final Finished/Failed is still sent (Finished counts the epochs run
  under the fallback);
* "stop": backend.stop(reason), then the final message as above.

Replies that arrive after their deadline are ignored. After the connect
deadline the server refuses further controllers (Hello says why). A
controller that half-closes after its last reply (e.g. after Stop) still
gets the final message.

A controller that dies (kill -9) breaks the stream at once: the fallback
runs as above with nothing sent, and logging never raises (`deepmem.safeio`:
after the first failed write to the dead controller's pipes, output goes to
/dev/null). With "stop" the simulator ends at once; with "default" it runs
the program to its end, writes its results and exits. It never waits for
another controller.
"""

from __future__ import annotations

import queue
import re
import time
import traceback
from dataclasses import dataclass, field
from typing import Callable

from deepmem import events as ev
from deepmem.bridge import convert
from deepmem.bridge.server import (BridgeConfig, BridgeServer, SessionClosed,
                                   SessionOpened, log)

# Bounds of a reply's verdict (see ReplyOutcome in deepmem.proto).
MAX_GROUPS = 16
MAX_GROUP_INDICES = 8
MAX_SAMPLE = 16
MAX_REASON_CHARS = 200
# Seconds to wait for grpc to take a message that needs no reply (FellBack,
# Progress) before simulating on.
DELIVERY_WAIT_S = 5.0
OTHER_REASONS = "other reasons"
# A page number in a reason ("page 0x400 is not mapped") is per item; the
# group keeps the kind of problem, the index names the item.
_PAGE = re.compile(r"\bpage (?:0x[0-9a-fA-F]+|\d+)\b")


def short_reason(reason: str) -> str:
    line = " ".join(reason.split())
    if len(line) > MAX_REASON_CHARS:
        line = line[:MAX_REASON_CHARS - 3] + "..."
    return line


class RejectionTally:
    """Rejected items of one reply, summarised in bounded memory."""

    def __init__(self) -> None:
        self.total = 0
        self.groups: dict[str, list] = {}  # reason -> [count, indices]
        self.sample: list[ev.Rejection] = []

    def add(self, index: int, reason: str) -> None:
        self.add_range(index, 1, reason)

    def add_range(self, first: int, count: int, reason: str) -> None:
        """Items first .. first+count-1, all for `reason`."""
        if count <= 0:
            return
        reason = short_reason(reason)
        self.total += count
        for i in range(first, first + min(count,
                                          MAX_SAMPLE - len(self.sample))):
            self.sample.append(ev.Rejection(i, reason))
        key = _PAGE.sub("page", reason)
        group = self.groups.get(key)
        if group is None:
            if len(self.groups) >= MAX_GROUPS - 1:  # one left for the rest
                key = OTHER_REASONS
            group = self.groups.setdefault(key, [0, []])
        group[0] += count
        room = MAX_GROUP_INDICES - len(group[1])
        group[1].extend(range(first, first + min(count, max(room, 0))))

    def lines(self) -> list[str]:
        return [f"{count} x {reason} (first items: "
                f"{', '.join(map(str, idx))})"
                for reason, (count, idx) in self.groups.items()]


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
    # Epochs simulated under the fallback (the unanswered one included).
    fallback_epochs: int = 0
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
        self._stalled = False

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
            mode = self._fall_back(why, 0, None)
        previous = None
        stopping = mode == "stop"
        last_sent = time.monotonic()
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
                if kind == "epoch_ended":
                    res.fallback_epochs += 1
                if (self._stream_open and not stopping and (
                        kind == "epoch_ended" or time.monotonic()
                        - last_sent >= cfg.heartbeat_s)):
                    self._send_progress(event)
                    last_sent = time.monotonic()
                continue
            started = time.perf_counter()
            seq = self._send(event, previous)
            previous = None
            reply = self._await_reply(seq)
            if isinstance(reply, (_Timeout, SessionClosed)):
                if isinstance(reply, _Timeout):
                    why = (f"no reply to event {seq} within "
                           f"{cfg.reply_timeout_s:g} s")
                else:
                    why = f"{reply.reason} while event {seq} was pending"
                    self._stream_open = reply.half_close
                if kind == "epoch_ended":
                    res.fallback_epochs += 1
                mode = self._fall_back(why, seq, event)
                stopping = mode == "stop"
                last_sent = time.monotonic()
                continue
            res.round_trips.append(time.perf_counter() - started)
            res.replies += 1
            previous, stop_now = self._apply(event, kind, seq, reply)
            stopping = stopping or stop_now

    def _fall_back(self, why: str, unanswered: int, event) -> str:
        """Run on without the controller; tell it when it can hear."""
        mode = self.config.fallback
        self.result.mode = mode
        self.result.fallback_reason = why
        log(f"fallback '{mode}': {why}")
        if self._stream_open:
            self._send_message(lambda seq: self.pb2.SimulatorMessage(
                sequence=seq, fell_back=self.pb2.FellBack(
                    fallback=mode, reason=why, unanswered_event=unanswered)),
                wait=True)
        if mode == "stop":
            self._stop_backend(f"controller unavailable: {why}")
        return mode

    def _send_progress(self, event) -> None:
        if isinstance(event, ev.EpochEnded):
            insts, tick = event.total_instructions, event.end_tick
        else:
            insts = getattr(event, "instructions", 0)
            tick = getattr(event, "tick", 0)
        self._send_message(lambda seq: self.pb2.SimulatorMessage(
            sequence=seq, progress=self.pb2.Progress(
                fallback_epochs=self.result.fallback_epochs,
                total_instructions=insts, tick=tick)), wait=True)

    def _send_message(self, build, wait: bool = False) -> int:
        """Queue a message; with `wait`, until grpc has taken it (once
        that took DELIVERY_WAIT_S, the controller is not reading: later
        messages are queued without waiting, not to slow the simulation)."""
        self.result.events_sent += 1
        seq = self.result.events_sent
        wait_s = DELIVERY_WAIT_S if wait and not self._stalled else 0.0
        delivered = self.server.send(build(seq), wait_s)
        if self.server.rpc_done.is_set():
            # The call is over (a dead controller can look like a
            # half-close at first): nothing more goes out.
            self._stream_open = False
        elif wait_s and not delivered:
            self._stalled = True
            log(f"the controller does not read: message {seq} still queued "
                f"after {DELIVERY_WAIT_S:g} s; simulating on")
        return seq

    def _stop_backend(self, reason: str) -> None:
        self.backend.stop(reason)

    def _send(self, event: ev.Event, previous) -> int:
        def build(seq: int):
            msg = convert.simulator_message(self.pb2, event, seq, previous)
            if isinstance(event, ev.Finished):
                msg.finished.fallback_epochs = self.result.fallback_epochs
            return msg

        return self._send_message(build)

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
        applied = 0
        tally = RejectionTally()

        def reject_all(reason: str) -> None:
            tally.add_range(0, max(items, 1), reason)

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
            applied = 1
        elif what == "placement":
            placement = convert.placement(pb2, reply.placement)
            if isinstance(placement, str):
                reject_all(placement)
            else:
                applied = self._call_backend(
                    "apply_placement", items, tally,
                    lambda: self.backend.apply_placement(placement))
        elif what == "migrations":
            moves = convert.migrations(reply.migrations)
            if moves:
                applied = self._call_backend(
                    "apply_migrations", items, tally,
                    lambda: self.backend.apply_migrations(moves))
        # "ack": nothing to do

        self._log_outcome(seq, kind, what, reply.reply_to, applied, tally)
        self.result.rejections += tally.total
        return (convert.reply_outcome(pb2, reply.reply_to, applied, tally),
                stop)

    def _call_backend(self, name: str, items: int, tally: RejectionTally,
                      call: Callable[[], ev.Outcome]) -> int:
        """Run a backend call, its rejections into `tally`; applied."""
        try:
            outcome = call()
        except Exception as exc:  # a backend bug must not kill the run
            reason = short_reason(f"simulator error in {name}: "
                                  f"{type(exc).__name__}: {exc}")
            log(reason)
            tally.add_range(0, max(items, 1), reason)
            return 0
        for r in outcome.rejections:
            tally.add(r.index, r.reason)
        return outcome.applied

    def _log_outcome(self, seq: int, kind: str, what: str | None,
                     reply_to: int, applied: int,
                     tally: RejectionTally) -> None:
        log(f"event {seq} ({kind}) <- {what or 'empty'} reply "
            f"(reply_to {reply_to}): applied {applied}, "
            f"rejected {tally.total}")
        for line in tally.lines():
            log(f"event {seq} rejected {line}")


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
