"""Deadlines, a controller that goes away, and simulator errors."""

import threading
import time
import unittest

from bridge_harness import (FIRST_PAGE, WAIT, BridgeTest, Controller,
                            SimRun, epoch, finished, pb2, region, script)
from deepmem import events as ev
from deepmem.bridge.scripted import Script, ScriptedBackend


class ReplyDeadlineTest(BridgeTest):

    def test_late_reply_falls_back_to_default_policy(self):
        # The controller never replies, so the outcome does not depend on
        # how fast this machine is; the deadline only bounds how long it
        # takes. Event 1 cannot be sent before the run starts, so the
        # fallback cannot come sooner than the deadline after it.
        started = time.monotonic()
        run = SimRun(script(region(), epoch(0), epoch(1), finished()),
                     reply_timeout_s=0.5, fallback="default")
        c = self.controller(run)
        self.assertEqual(c.recv().sequence, 1)
        m = c.recv()  # no reply sent: the simulator says it fell back
        self.assertGreaterEqual(time.monotonic() - started, 0.5)
        self.assertEqual(m.WhichOneof("event"), "fell_back")
        self.assertEqual(m.sequence, 2)
        self.assertEqual(m.fell_back.fallback, "default")
        self.assertEqual(m.fell_back.unanswered_event, 1)
        self.assertIn("no reply to event 1 within 0.5 s", m.fell_back.reason)
        c.ack(1)  # too late; must not disturb anything
        # one Progress per epoch simulated without the controller
        progress = [c.recv(), c.recv()]
        self.assertEqual([p.WhichOneof("event") for p in progress],
                         ["progress", "progress"])
        self.assertEqual([p.progress.fallback_epochs for p in progress],
                         [1, 2])
        self.assertEqual(progress[1].progress.total_instructions, 2000000)
        m = c.recv()
        self.assertEqual(m.WhichOneof("event"), "finished")
        self.assertEqual(m.sequence, 5)
        self.assertEqual(m.finished.fallback_epochs, 2)
        self.assertFalse(m.HasField("previous_reply"))
        self.assertIsNone(c.recv())
        result = run.join()
        self.assertEqual(result.mode, "default")
        self.assertEqual(result.events_unsent, 2)
        self.assertEqual(result.fallback_epochs, 2)
        self.assertIsNone(run.backend.stop_reason)
        self.assertEqual(run.backend.produced, 4)  # simulated to the end

    def test_heartbeat_between_unsent_regions(self):
        # Regions are not epochs: under the fallback they get a Progress
        # only when heartbeat_s has passed since the last message (here
        # always), epochs always.
        events = [region(i, start=0x400000 * i) for i in (1, 2, 3)]
        run = SimRun(script(*events, epoch(0), finished()),
                     reply_timeout_s=0.5, heartbeat_s=1e-6)
        c = self.controller(run)
        c.recv()
        self.assertEqual(c.recv().WhichOneof("event"), "fell_back")
        kinds = [c.recv().WhichOneof("event") for _ in range(4)]
        self.assertEqual(kinds, ["progress"] * 3 + ["finished"])
        run.join()

    def test_late_reply_with_stop_fallback_stops(self):
        run = SimRun(script(region(), epoch(0), epoch(1),
                            finished(exit_code=7)),
                     reply_timeout_s=0.5, fallback="stop")
        c = self.controller(run)
        c.recv()
        m = c.recv()
        self.assertEqual(m.WhichOneof("event"), "fell_back")
        self.assertEqual(m.fell_back.fallback, "stop")
        m = c.recv()
        self.assertEqual(m.WhichOneof("event"), "finished")
        self.assertEqual(m.finished.exit_code, 7)
        result = run.join()
        self.assertEqual(result.mode, "stop")
        self.assertIn("no reply to event 1", run.backend.stop_reason)
        self.assertEqual(run.backend.produced, 2)  # event 1, then Finished

    def test_a_reply_inside_the_deadline_is_applied(self):
        # A late reply (after a pause), but far inside a deadline that no
        # scheduling delay on a loaded machine comes near.
        run = SimRun(script(region(), epoch(0), finished()),
                     reply_timeout_s=6 * WAIT)
        c = self.controller(run)
        c.recv()
        c.ack(1)
        c.recv()
        time.sleep(0.5)
        c.migrate(2, (FIRST_PAGE, 1))
        m = c.recv()
        self.assertEqual(m.WhichOneof("event"), "finished")
        self.assertEqual(m.previous_reply.applied, 1,
                         m.previous_reply.rejections)
        self.assertEqual(run.join().mode, "controller")


class DisconnectTest(BridgeTest):

    def test_cancelled_stream_with_stop_fallback_ends_the_run(self):
        run = SimRun(script(region(), epoch(0), finished()),
                     fallback="stop")
        c = self.controller(run)
        c.recv()
        c.cancel()
        result = run.join()
        self.assertEqual(result.mode, "stop")
        self.assertIn("while event 1 was pending", result.fallback_reason)
        self.assertIsInstance(result.final, ev.Finished)
        self.assertIsNotNone(run.backend.stop_reason)

    def test_closed_request_stream_with_default_fallback_runs_on(self):
        run = SimRun(script(region(), epoch(0), epoch(1), finished()),
                     fallback="default")
        c = self.controller(run)
        c.recv()
        c.close_requests()
        # the response stream is still open: it hears of the fallback
        m = c.recv()
        self.assertEqual(m.WhichOneof("event"), "fell_back")
        self.assertIn("the controller closed its request stream while "
                      "event 1 was pending", m.fell_back.reason)
        kinds = []
        while m is not None and m.WhichOneof("event") != "finished":
            m = c.recv()
            kinds.append(m.WhichOneof("event"))
        self.assertEqual(kinds, ["progress", "progress", "finished"])
        result = run.join()
        self.assertEqual(result.mode, "default")
        self.assertIn("closed its request stream", result.fallback_reason)
        self.assertEqual(run.backend.produced, 4)
        self.assertIsNone(run.backend.stop_reason)

    def test_stop_then_half_close_still_gets_finished(self):
        # grpc-dotnet style: the writer completes right after its last reply
        run = SimRun(script(region(), epoch(0), finished(exit_code=2)))
        c = self.controller(run)
        c.recv()
        c.reply(1, stop=pb2.Stop(reason="done"))
        c.close_requests()
        m = c.recv()
        self.assertEqual(m.WhichOneof("event"), "finished")
        self.assertEqual(m.finished.exit_code, 2)
        self.assertEqual(m.previous_reply.applied, 1)
        self.assertIsNone(c.recv())
        self.assertEqual(run.join().mode, "controller")

    def test_channel_closed_between_events(self):
        run = SimRun(script(region(), epoch(0), finished()),
                     fallback="stop")
        c = self.controller(run)
        c.recv()
        c.ack(1)
        c.recv()
        c.channel.close()
        result = run.join()
        self.assertEqual(result.mode, "stop")


class ConnectDeadlineTest(BridgeTest):

    def test_no_controller_default_simulates_to_the_end(self):
        run = SimRun(script(region(), epoch(0), finished()),
                     connect_timeout_s=0.3, fallback="default")
        result = run.join()
        self.assertEqual(result.mode, "default")
        self.assertIn("no controller opened a session within 0.3 s",
                      result.fallback_reason)
        self.assertEqual((result.events_sent, result.events_unsent), (0, 2))
        self.assertIsInstance(result.final, ev.Finished)

    def test_no_controller_stop_simulates_nothing(self):
        run = SimRun(script(region(), epoch(0), finished(exit_code=3)),
                     connect_timeout_s=0.3, fallback="stop")
        result = run.join()
        self.assertEqual(result.mode, "stop")
        self.assertEqual(run.backend.produced, 1)
        self.assertEqual(result.final.exit_code, 3)

    def test_controller_after_the_deadline_is_refused(self):
        data = script(region(), finished())
        slow = _Slow(data)
        run = SimRun(data, backend=slow, connect_timeout_s=0.3)
        self.assertTrue(slow.simulating.wait(5))
        c = Controller(run.port)
        self._controllers.append(c)
        reply = c.hello()
        self.assertFalse(reply.accepted)
        self.assertIn("the simulator stopped waiting for a controller "
                      "(no controller opened a session within 0.3 s); it "
                      "runs on with fallback 'default'", reply.reason)
        slow.release.set()
        self.assertEqual(run.join().mode, "default")

    def test_hello_without_session_is_not_a_connection(self):
        # The Hello happens before the connect deadline starts (not merely
        # within 0.3 s of it), so it is accepted however slow the machine.
        replies = []

        def hello(port: int) -> None:
            c = Controller(port)
            self._controllers.append(c)
            replies.append(c.hello())

        run = SimRun(script(region(), finished()), connect_timeout_s=0.3,
                     fallback="stop", before_deadline=hello)
        self.assertTrue(replies[0].accepted)
        result = run.join()
        self.assertEqual(result.mode, "stop")
        self.assertIn("no controller opened a session within 0.3 s",
                      result.fallback_reason)


class _Slow(ScriptedBackend):
    """Blocks in its first next_event until released."""

    def __init__(self, data):
        super().__init__(Script(data))
        self.simulating = threading.Event()
        self.release = threading.Event()

    def next_event(self):
        self.simulating.set()
        self.release.wait(5)
        return super().next_event()


class _Exploding(ScriptedBackend):
    def __init__(self, data, explode_in):
        super().__init__(Script(data))
        self.explode_in = explode_in

    def next_event(self):
        if self.explode_in == "next_event" and self.produced == 1:
            raise RuntimeError("boom")
        return super().next_event()

    def apply_migrations(self, migrations):
        if self.explode_in == "apply_migrations":
            raise ValueError("bad frame")
        return super().apply_migrations(migrations)


class SimulatorErrorTest(BridgeTest):

    def test_error_while_simulating_is_sent_as_failed_and_raised(self):
        data = script(region(), epoch(0), finished())
        run = SimRun(data, backend=_Exploding(data, "next_event"))
        c = self.controller(run)
        c.recv()
        c.ack(1)
        m = c.recv()
        self.assertEqual(m.WhichOneof("event"), "failed")
        self.assertEqual(m.failed.reason,
                         "simulator error: RuntimeError: boom")
        self.assertIn("RuntimeError", m.failed.output_tail)
        self.assertIsNone(c.recv())
        run.join()
        self.assertIsInstance(run.error, RuntimeError)

    def test_error_while_applying_rejects_the_items(self):
        data = script(epoch(0), finished())
        run = SimRun(data, backend=_Exploding(data, "apply_migrations"))
        # (the pages are in no region: the backend would reject them, but
        # it raises first)
        c = self.controller(run)
        c.recv()
        c.migrate(1, (FIRST_PAGE, 1), (FIRST_PAGE + 1, 1))
        m = c.recv()
        self.assertEqual(m.WhichOneof("event"), "finished")
        reasons = self.reasons(m.previous_reply)
        self.assertEqual(sorted(reasons), [0, 1])
        self.assertIn("simulator error in apply_migrations: ValueError",
                      reasons[0])
        self.assertIsNone(run.join().fallback_reason or None)


if __name__ == "__main__":
    unittest.main()
