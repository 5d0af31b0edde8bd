"""Fault injection against the real server: a second process that tries to
take the session, a controller killed with -9 while the simulator's output
pipes die with it, and replies of any size."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import time

import grpc

from bridge_harness import (FIRST_PAGE, PYTHONPATH, WAIT, BridgeTest,
                            Controller, SimRun, epoch, finished, pb2, region,
                            script, wait_until)

HERE = os.path.dirname(os.path.abspath(__file__))


def run_proc(*args: str, timeout: float = 3 * WAIT) -> str:
    """Run controller_proc.py to its end; its stdout."""
    env = dict(os.environ, PYTHONPATH=PYTHONPATH)
    done = subprocess.run(
        [sys.executable, os.path.join(HERE, "controller_proc.py"), *args],
        capture_output=True, text=True, timeout=timeout, env=env)
    return done.stdout + done.stderr


class SessionOwnershipTest(BridgeTest):
    """Before: Session was authorised by the peer's IP once any Hello from
    it was accepted, so any local process could take the session."""

    def test_a_process_that_skips_hello_gets_no_events_on_loopback(self):
        run = SimRun(script(region(), finished()))
        owner = Controller(run.port)
        self._controllers.append(owner)
        self.assertTrue(owner.hello().accepted)
        # The intruder races in after the owner's Hello, before its Session.
        out = run_proc("intruder", str(run.port))
        self.assertIn("refused PERMISSION_DENIED", out)
        self.assertNotIn("event", out)
        out = run_proc("intruder", str(run.port), "--ticket", "guess")
        self.assertIn("refused PERMISSION_DENIED", out)
        owner.open()
        self.assertEqual(owner.recv().WhichOneof("event"), "region_created")
        # While the session runs, neither a stranger nor a second Hello
        # gets in.
        self.assertIn("refused PERMISSION_DENIED",
                      run_proc("intruder", str(run.port)))
        out = run_proc("intruder", str(run.port), "--hello")
        self.assertIn("hello accepted=False", out)
        self.assertIn("refused PERMISSION_DENIED", out)
        owner.ack(1)
        self.assertEqual(owner.recv().WhichOneof("event"), "finished")
        run.join()

    def test_without_the_token_no_events_on_a_token_bind(self):
        run = SimRun(script(region(), finished()), host="0.0.0.0",
                     allow_remote=True, token="s3cret")
        owner = Controller(run.port)
        self._controllers.append(owner)
        self.assertTrue(owner.hello(token="s3cret").accepted)
        out = run_proc("intruder", str(run.port), "--hello")
        self.assertIn("hello accepted=False", out)
        self.assertIn("refused PERMISSION_DENIED", out)
        self.assertIn("refused PERMISSION_DENIED",
                      run_proc("intruder", str(run.port)))
        owner.open()
        self.assertEqual(owner.recv().WhichOneof("event"), "region_created")
        owner.ack(1)
        self.assertEqual(owner.recv().WhichOneof("event"), "finished")
        run.join()

    def test_a_huge_hello_is_refused_unread_and_names_are_logged_short(self):
        run = SimRun(script(finished()), connect_timeout_s=2.0)
        c = Controller(run.port)
        self._controllers.append(c)
        with self.assertRaises(grpc.RpcError):
            c.stub.Hello(pb2.HelloRequest(
                protocol_version=pb2.PROTOCOL_VERSION_CURRENT,
                controller="x" * (1 << 20)), timeout=WAIT)
        from deepmem.bridge.server import shown
        self.assertLess(len(shown("y" * 100000)), 120)
        self.assertEqual(shown("a\nb\x1b"), "a?b?")
        run.join()


class ControllerDeathTest(BridgeTest):
    """kill -9 of the controller while the simulator's stdout and stderr
    are pipes to it: before, the next log line raised BrokenPipeError in
    the fallback path and neither fallback ran."""

    def run_and_kill(self, fallback: str) -> tuple[int, dict, int]:
        tmp = tempfile.mkdtemp(prefix="deepmem-death-")
        path = os.path.join(tmp, "script.json")
        with open(path, "w", encoding="utf-8") as f:
            json.dump(script(region(), epoch(0), epoch(1), epoch(2),
                             finished(exit_code=0)), f)
        port_file = os.path.join(tmp, "port")
        transcript = os.path.join(tmp, "transcript.jsonl")
        sim = subprocess.Popen(
            [sys.executable, "-m", "deepmem.bridge.scripted", "--script",
             path, "--port-file", port_file, "--transcript", transcript,
             "--reply-timeout", "600", "--fallback", fallback],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            env=dict(os.environ, PYTHONPATH=PYTHONPATH))
        try:
            self.assertTrue(wait_until(lambda: os.path.exists(port_file)))
            with open(port_file, encoding="utf-8") as f:
                port = f.read().strip()
            ctl = subprocess.Popen(
                [sys.executable, os.path.join(HERE, "controller_proc.py"),
                 "answer", port, "2"], stdout=subprocess.PIPE, text=True,
                env=dict(os.environ, PYTHONPATH=PYTHONPATH))
            line = ctl.stdout.readline()
            while line and not line.startswith("holding"):
                line = ctl.stdout.readline()
            self.assertEqual(line.strip(), "holding event 3")
            # The controller dies, and with it the reading ends of the
            # simulator's output pipes.
            sim.stdout.close()
            sim.stderr.close()
            ctl.send_signal(signal.SIGKILL)
            ctl.wait(WAIT)
            ctl.stdout.close()
            code = sim.wait(3 * WAIT)
        finally:
            if sim.poll() is None:
                sim.kill()
                sim.wait(WAIT)
        with open(transcript, encoding="utf-8") as f:
            entries = [json.loads(x) for x in f]
        produced = sum(1 for e in entries if "kind" in e)
        return code, entries[-1].get("result", {}), produced

    def test_stop_fallback_ends_the_simulation_cleanly(self):
        code, result, produced = self.run_and_kill("stop")
        self.assertEqual(code, 0)
        self.assertEqual(result["mode"], "stop")
        self.assertEqual(result["final"], "Finished")
        self.assertEqual(produced, 4)  # events 1-3, then Finished at once

    def test_default_fallback_finishes_the_program(self):
        code, result, produced = self.run_and_kill("default")
        self.assertEqual(code, 0)
        self.assertEqual(result["mode"], "default")
        self.assertEqual(result["final"], "Finished")
        self.assertEqual(produced, 5)  # every event of the script


class BoundedReplyTest(BridgeTest):
    """Before: every rejected item carried its own reason, so the next
    event grew with the reply (a 6 MB reply made a 292 MB event)."""

    def test_a_million_bad_items_make_a_small_event(self):
        run = SimRun(script(region(length=4 * 4096), epoch(0), epoch(1),
                            finished()))
        c = self.controller(run)
        c.recv()
        c.ack(1)
        c.recv()
        n = 1_000_000
        moves = pb2.MigrationList()
        for i in range(n):
            moves.migrations.add(page_number=FIRST_PAGE + i % 3,
                                 target_node=7 if i % 2 else 2**32 - 1)
        c.send(pb2.ControllerMessage(reply_to=2, migrations=moves))
        m = c.recv(timeout=6 * WAIT)
        out = m.previous_reply
        self.assertLess(m.ByteSize(), 4096)
        self.assertEqual(out.rejected, n)
        self.assertEqual(out.applied, 0)
        self.assertEqual(
            {(g.reason, g.count) for g in out.groups},
            {("node 7 out of range (nodes: 2)", n // 2),
             ("node 4294967295 out of range (nodes: 2)", n // 2)})
        self.assertEqual([list(g.first_indices) for g in out.groups
                          if "node 7" in g.reason], [[1, 3, 5, 7, 9, 11,
                                                      13, 15]])
        self.assertLessEqual(len(out.rejections), 16)
        c.ack(3)
        self.assertEqual(c.recv().WhichOneof("event"), "finished")
        self.assertEqual(run.join().rejections, n)

    def test_many_reasons_are_capped(self):
        from deepmem.bridge.driver import MAX_GROUPS, RejectionTally
        tally = RejectionTally()
        for i in range(1000):
            tally.add(i, f"reason {i} " + "z" * 10000)
        tally.add(1000, "page 0x1234 is not mapped")
        tally.add(1001, "page 0x9999 is not mapped")
        self.assertEqual(len(tally.groups), MAX_GROUPS)
        self.assertEqual(tally.groups["other reasons"][0], 1002 - 15)
        self.assertTrue(all(len(r) <= 200 for r in tally.groups))
        self.assertEqual(tally.total, 1002)
