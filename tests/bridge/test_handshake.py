"""Hello: machine info, protocol versions, tokens and where we bind."""

import contextlib
import io
import unittest

import grpc

from bridge_harness import (MACHINE, WAIT, BridgeTest, Controller, SimRun,
                            epoch, finished, pb2, region, script)
from deepmem.bridge.server import (BridgeConfig, BridgeError, BridgeServer,
                                   is_loopback)
from deepmem.events import MachineInfo, NodeInfo


class HelloTest(BridgeTest):

    def test_hello_describes_the_machine(self):
        run = SimRun(script(finished()))
        c = Controller(run.port)
        self._controllers.append(c)
        reply = c.hello()
        self.assertTrue(reply.accepted)
        self.assertEqual(reply.reason, "")
        self.assertEqual(reply.protocol_version,
                         pb2.PROTOCOL_VERSION_CURRENT)
        m = reply.machine
        self.assertEqual((m.simulator, m.page_size, m.epoch_instructions,
                          m.ticks_per_second, m.cpu_model),
                         ("scripted test", 4096, 1000000, 10**12,
                          "TimingSimple"))
        self.assertEqual((m.workload.binary, list(m.workload.args)),
                         ("/bin/hot_cold", ["--size", "64"]))
        self.assertEqual([(n.id, n.name, n.kind) for n in m.nodes],
                         [(0, "dram", pb2.DEVICE_KIND_DRAM),
                          (1, "nvm", pb2.DEVICE_KIND_NVM)])
        self.assertEqual((m.nodes[1].base_address, m.nodes[1].capacity_bytes,
                          m.nodes[1].write_latency_ns),
                         (1 << 30, 8192, 500.0))
        c.open()
        self.assertEqual(c.recv().WhichOneof("event"), "finished")
        run.join()

    def test_time_epochs_and_cores_reach_the_controller(self):
        machine = {**MACHINE, "epoch_instructions": 0,
                   "epoch_ticks": 100_000_000, "cores": 4}
        run = SimRun(script(finished(), machine=machine))
        c = Controller(run.port)
        self._controllers.append(c)
        m = c.hello().machine
        self.assertEqual((m.epoch_instructions, m.epoch_ticks, m.cores),
                         (0, 100_000_000, 4))
        c.open()
        self.assertEqual(c.recv().WhichOneof("event"), "finished")
        run.join()

    def test_version_mismatch_is_one_line_naming_both(self):
        run = SimRun(script(region(), finished()))
        c = Controller(run.port)
        self._controllers.append(c)
        log = io.StringIO()
        with contextlib.redirect_stderr(log):
            reply = c.hello(version=3)
        self.assertFalse(reply.accepted)
        self.assertEqual(reply.protocol_version, 2)
        self.assertEqual(reply.reason, "protocol version mismatch: "
                         "controller speaks 3, simulator speaks 2")
        self.assertFalse(reply.HasField("machine"))
        lines = [x for x in log.getvalue().splitlines() if "refused" in x]
        self.assertEqual(len(lines), 1)
        self.assertIn("controller speaks 3, simulator speaks 2", lines[0])
        # A refused controller does not end the run; a good one proceeds.
        good = self.controller(run)
        good.recv()
        good.ack(1)
        self.assertEqual(good.recv().WhichOneof("event"), "finished")
        run.join()

    def test_simulator_with_another_version_refuses_current_controller(self):
        # Hello before the connect deadline starts: refused for its
        # version, never for coming late.
        replies = []

        def hello(port: int) -> None:
            c = Controller(port)
            self._controllers.append(c)
            replies.append(c.hello(version=2))

        run = SimRun(script(finished()), protocol_version=7,
                     connect_timeout_s=0.3, before_deadline=hello)
        reply = replies[0]
        self.assertFalse(reply.accepted)
        self.assertEqual(reply.protocol_version, 7)
        self.assertIn("controller speaks 2, simulator speaks 7", reply.reason)
        run.join()

    def test_session_needs_an_accepted_hello(self):
        # The Session without a Hello is tried before the connect deadline
        # starts, so it is refused for the missing ticket, not for lateness.
        controllers = []

        def open_without_hello(port: int) -> None:
            c = Controller(port)
            self._controllers.append(c)
            c.open(deadline=WAIT)
            controllers.append((c, c.recv()))

        run = SimRun(script(finished()), connect_timeout_s=0.3,
                     before_deadline=open_without_hello)
        c, message = controllers[0]
        self.assertIsNone(message)
        self.assertEqual(c.error.code(), grpc.StatusCode.PERMISSION_DENIED)
        run.join()

    def test_only_one_session(self):
        run = SimRun(script(region(), finished()))
        first = self.controller(run)
        first.recv()
        second = Controller(run.port)
        self._controllers.append(second)
        refused = second.hello()
        self.assertFalse(refused.accepted)
        self.assertEqual(refused.reason, "a session is already in progress")
        # Without a ticket it is refused as any stranger; with the ticket
        # of the running session (spent) too.
        second.open(deadline=WAIT, ticket=first.ticket)
        self.assertIsNone(second.recv())
        self.assertEqual(second.error.code(),
                         grpc.StatusCode.PERMISSION_DENIED)
        first.ack(1)
        self.assertEqual(first.recv().WhichOneof("event"), "finished")
        run.join()


class TokenTest(BridgeTest):

    def test_token_is_checked_when_configured(self):
        run = SimRun(script(finished()), token="s3cret")
        c = Controller(run.port)
        self._controllers.append(c)
        missing = c.hello()
        self.assertFalse(missing.accepted)
        self.assertEqual(missing.reason, "a token is required")
        wrong = c.hello(token="guess")
        self.assertFalse(wrong.accepted)
        self.assertEqual(wrong.reason, "token mismatch")
        right = c.hello(token="s3cret")
        self.assertTrue(right.accepted)
        c.open()
        self.assertEqual(c.recv().WhichOneof("event"), "finished")
        run.join()

    def test_remote_bind_needs_option_and_token(self):
        machine = MachineInfo(simulator="t", page_size=4096, binary="b",
                              nodes=(NodeInfo(0, "dram", "dram", 0, 1 << 20),))
        with self.assertRaises(BridgeError) as err:
            BridgeServer(BridgeConfig(host="0.0.0.0"), machine)
        message = str(err.exception)
        self.assertIn("needs the allow-remote option", message)
        self.assertIn("a token is required", message)
        with self.assertRaises(BridgeError) as err:
            BridgeServer(BridgeConfig(host="0.0.0.0", allow_remote=True),
                         machine)
        self.assertNotIn("allow-remote", str(err.exception))
        self.assertIn("a token is required", str(err.exception))
        with self.assertRaises(BridgeError):
            BridgeServer(BridgeConfig(host="0.0.0.0", token="t"), machine)

    def test_remote_bind_with_token_serves_token_holders_only(self):
        run = SimRun(script(epoch(0), finished()), host="0.0.0.0",
                     allow_remote=True, token="s3cret")
        c = Controller(run.port)
        self._controllers.append(c)
        self.assertFalse(c.hello().accepted)
        self.assertTrue(c.hello(token="s3cret").accepted)
        c.open()
        self.assertEqual(c.recv().sequence, 1)
        c.ack(1)
        self.assertEqual(c.recv().WhichOneof("event"), "finished")
        run.join()

    def test_a_taken_port_is_a_clear_error(self):
        run = SimRun(script(finished()))
        machine = MachineInfo(simulator="t", page_size=4096, binary="b",
                              nodes=(NodeInfo(0, "dram", "dram", 0, 1 << 20),))
        second = BridgeServer(BridgeConfig(port=run.port, announce=False),
                              machine)
        with self.assertRaises(BridgeError) as err:
            second.start()
        self.assertIn(f"cannot bind 127.0.0.1:{run.port}", str(err.exception))
        c = self.controller(run)
        self.assertEqual(c.recv().WhichOneof("event"), "finished")
        run.join()

    def test_loopback_detection(self):
        for host in ("127.0.0.1", "127.1.2.3", "::1", "[::1]", "localhost"):
            self.assertTrue(is_loopback(host), host)
        for host in ("0.0.0.0", "::", "10.0.0.1", "192.168.1.5",
                     "example.org"):
            self.assertFalse(is_loopback(host), host)

    def test_config_reports_every_problem(self):
        problems = BridgeConfig(port=70000, reply_timeout_s=0,
                                connect_timeout_s=-1,
                                fallback="pray").problems()
        self.assertEqual(len(problems), 4)
        self.assertIn("port must be within 0..65535 (was 70000)", problems)
        self.assertIn("fallback must be one of default, stop (was 'pray')",
                      problems)


if __name__ == "__main__":
    unittest.main()
