"""`python3 -m deepmem.bridge.scripted` as the C# contract tests use it."""

import json
import os
import tempfile
import unittest

import grpc

from bridge_harness import (FIRST_PAGE, BridgeTest, Controller,
                            ScriptedProcess, epoch, finished, pb2, region,
                            script)


class ScriptedCliTest(BridgeTest):

    def setUp(self):
        super().setUp()
        self.tmp = tempfile.TemporaryDirectory()
        self._procs = []

    def tearDown(self):
        for p in self._procs:
            p.close()
        self.tmp.cleanup()
        super().tearDown()

    def path(self, name):
        return os.path.join(self.tmp.name, name)

    def start(self, data, *args, env=None):
        path = self.path("script.json")
        with open(path, "w", encoding="utf-8") as f:
            json.dump(data, f)
        p = ScriptedProcess(path, *args, env=env)
        self._procs.append(p)
        return p

    def connect(self, proc, token=""):
        c = Controller(proc.port)
        self._controllers.append(c)
        reply = c.hello(token=token)
        self.assertTrue(reply.accepted, reply.reason)
        c.open()
        return c

    def test_full_run_reports_port_and_transcript(self):
        data = script(
            region(call="placement", applied=1, rejected=[],
                   placement={"mode": "preferred", "nodes": [1]}),
            epoch(0, call="migrations", applied=1, rejected=[1],
                  migrations=[[FIRST_PAGE, 1], [FIRST_PAGE, 9]]),
            finished())
        proc = self.start(data, "--port-file", self.path("port"),
                          "--transcript", self.path("t.jsonl"))
        port = proc.read_port()
        with open(self.path("port"), encoding="utf-8") as f:
            self.assertEqual(int(f.read()), port)
        c = self.connect(proc)
        c.recv()
        c.place(1, 1, pb2.PLACEMENT_MODE_PREFERRED, [1])
        c.recv()
        c.migrate(2, (FIRST_PAGE, 1), (FIRST_PAGE, 9))
        m = c.recv()
        self.assertEqual(m.WhichOneof("event"), "finished")
        self.assertEqual(self.reasons(m.previous_reply)[1],
                         "node 9 out of range (nodes: 2)")
        self.assertIsNone(c.recv())
        self.assertEqual(proc.wait(), 0, proc.stderr_text())
        with open(self.path("t.jsonl"), encoding="utf-8") as f:
            lines = [json.loads(x) for x in f]
        self.assertEqual([x.get("kind") for x in lines if "kind" in x],
                         ["RegionCreated", "EpochEnded", "Finished"])
        calls = [x for x in lines if "call" in x]
        self.assertEqual(calls[1]["rejected"][0][0], 1)
        self.assertEqual(lines[-1]["result"]["mode"], "controller")
        self.assertEqual(lines[-1]["result"]["events_sent"], 3)

    def test_unmet_expectation_exits_3_naming_it(self):
        data = script(region(call="placement"), finished())
        proc = self.start(data)
        proc.read_port()
        c = self.connect(proc)
        c.recv()
        c.ack(1)
        c.recv()
        self.assertEqual(proc.wait(), 3)
        self.assertIn("scripted: expectation failed: event 1 (RegionCreated):"
                      " expected call placement, got none",
                      proc.stderr_text())

    def test_die_after_breaks_the_stream_with_the_exit_code(self):
        proc = self.start(script(region(), epoch(0), finished()),
                          "--die-after", "1", "--die-exit-code", "9")
        proc.read_port()
        c = self.connect(proc)
        self.assertEqual(c.recv().sequence, 1)
        c.ack(1)
        self.assertIsNone(c.recv(), "stream should end without Finished")
        self.assertEqual(c.error.code(), grpc.StatusCode.UNAVAILABLE)
        self.assertEqual(proc.wait(), 9)
        self.assertIn("dying after event 1", proc.stderr_text())

    def test_hang_before_sends_nothing_more(self):
        proc = self.start(script(region(), epoch(0), finished()),
                          "--hang-before", "2")
        proc.read_port()
        c = self.connect(proc)
        c.recv()
        c.ack(1)
        c.expect_silence(1.0)
        self.assertIsNone(proc.proc.poll())
        proc.kill()
        self.assertIsNone(c.recv())

    def test_other_protocol_version_is_refused(self):
        # The Hello must come before the connect deadline; a separate
        # process has no hook for that, so the deadline is seconds, not a
        # fraction of one (the run ends at it).
        proc = self.start(script(finished()), "--protocol-version", "2",
                          "--connect-timeout", "3")
        proc.read_port()
        c = Controller(proc.port)
        self._controllers.append(c)
        reply = c.hello(version=1)
        self.assertFalse(reply.accepted)
        self.assertEqual(reply.protocol_version, 2)
        self.assertEqual(reply.reason, "protocol version mismatch: "
                         "controller speaks 1, simulator speaks 2")
        self.assertEqual(proc.wait(), 0)  # connect deadline, then done

    def test_token_file_and_reply_deadline(self):
        token = self.path("token")
        with open(token, "w", encoding="utf-8") as f:
            f.write("hunter2\n")
        proc = self.start(script(region(), epoch(0), finished()),
                          "--token-file", token, "--reply-timeout", "0.3",
                          "--fallback", "stop")
        proc.read_port()
        c = Controller(proc.port)
        self._controllers.append(c)
        self.assertFalse(c.hello(token="nope").accepted)
        self.assertTrue(c.hello(token="hunter2").accepted)
        c.open()
        c.recv()
        m = c.recv()
        self.assertEqual(m.WhichOneof("event"), "fell_back")
        self.assertEqual(m.fell_back.fallback, "stop")
        self.assertIn("no reply to event 1", m.fell_back.reason)
        self.assertEqual(c.recv().WhichOneof("event"), "finished")
        self.assertEqual(proc.wait(), 0)

    def test_bad_script_lists_every_problem(self):
        data = {"machine": {"nodes": [{"id": 0, "name": "a", "kind": "dram"}],
                            "page_size": 0},
                "events": [{"region_created": {"region_id": 1}},
                           {"epoch_ended": {}, "bogus": 1},
                           {"finished": {"exit_code": 0, "ticks": 1,
                                         "simulated_seconds": 0,
                                         "instructions": 1},
                            "expect": {"call": "maybe"}}]}
        proc = self.start(data)
        self.assertEqual(proc.wait(), 2)
        err = proc.stderr_text()
        for text in ("machine.nodes[0]: missing field 'capacity_bytes'",
                     "machine.page_size must be a positive integer",
                     "events[0].region_created:",
                     "events[1] must hold exactly one of",
                     "events[2].expect.call must be one of"):
            self.assertIn(text, err)

    def test_remote_bind_without_token_is_a_usage_error(self):
        proc = self.start(script(finished()), "--host", "0.0.0.0",
                          env={"DEEPMEM_BRIDGE_TOKEN": ""})
        self.assertEqual(proc.wait(), 2)
        err = proc.stderr_text()
        self.assertIn("needs the allow-remote option", err)
        self.assertIn("a token is required", err)


if __name__ == "__main__":
    unittest.main()
