"""Run-time generation of the protobuf/grpc modules."""

import os
import tempfile
import unittest
from pathlib import Path
from unittest import mock

from deepmem.bridge import protocol


class GenerateTest(unittest.TestCase):

    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.cache = Path(self.tmp.name) / "cache"

    def tearDown(self):
        self.tmp.cleanup()

    def test_generates_once_and_reuses_the_cache(self):
        proto = protocol.default_proto_path()
        folder = protocol.generate(proto, self.cache)
        pb2 = folder / "deepmem_pb2.py"
        grpc_py = folder / "deepmem_pb2_grpc.py"
        self.assertTrue(pb2.is_file())
        self.assertIn("class CoSimulationStub", grpc_py.read_text())
        stamp = pb2.stat().st_mtime_ns
        self.assertEqual(protocol.generate(proto, self.cache), folder)
        self.assertEqual(pb2.stat().st_mtime_ns, stamp)
        # no leftovers from the private work folders
        self.assertEqual([p.name for p in self.cache.iterdir()],
                         [folder.name])

    def test_a_changed_proto_gets_its_own_folder(self):
        original = protocol.default_proto_path()
        changed = Path(self.tmp.name) / "deepmem.proto"
        changed.write_text(original.read_text() + "\n// changed\n")
        self.assertNotEqual(protocol.generate(original, self.cache),
                            protocol.generate(changed, self.cache))

    def test_a_broken_proto_reports_protoc_errors(self):
        broken = Path(self.tmp.name) / "deepmem.proto"
        broken.write_text('syntax = "proto3"; message {')
        with self.assertRaises(protocol.ProtocolError) as err:
            protocol.generate(broken, self.cache)
        self.assertIn("protoc exited with", str(err.exception))

    def test_missing_proto_names_the_path(self):
        with self.assertRaises(protocol.ProtocolError) as err:
            protocol.generate(Path(self.tmp.name) / "nope.proto", self.cache)
        self.assertIn("nope.proto", str(err.exception))

    def test_missing_plugin_names_the_debian_package(self):
        with mock.patch.dict(os.environ, {"PATH": self.tmp.name}):
            os.environ.pop("DEEPMEM_GRPC_PYTHON_PLUGIN", None)
            os.environ["DEEPMEM_PROTOC"] = "/usr/bin/protoc"
            with self.assertRaises(protocol.ProtocolError) as err:
                protocol.generate(protocol.default_proto_path(), self.cache)
        self.assertIn("protobuf-compiler-grpc", str(err.exception))
        with mock.patch.dict(os.environ, {
                "DEEPMEM_GRPC_PYTHON_PLUGIN": "/nonexistent/plugin"}):
            with self.assertRaises(protocol.ProtocolError) as err:
                protocol.generate(protocol.default_proto_path(), self.cache)
        self.assertIn("/nonexistent/plugin", str(err.exception))

    def test_default_cache_must_be_private(self):
        with mock.patch.dict(os.environ, {"TMPDIR": self.tmp.name}):
            os.environ.pop("DEEPMEM_PROTO_CACHE", None)
            tempfile.tempdir = None  # re-read TMPDIR
            try:
                shared = Path(self.tmp.name) / f"deepmem-proto-{os.getuid()}"
                self.assertEqual(protocol.default_cache_dir(), shared)
                self.assertEqual(shared.stat().st_mode & 0o777, 0o700)
                shared.chmod(0o777)  # someone else could plant modules
                other = protocol.default_cache_dir()
                self.assertNotEqual(other, shared)
                self.assertEqual(other.stat().st_mode & 0o777, 0o700)
            finally:
                tempfile.tempdir = None

    def test_load_returns_the_same_modules(self):
        first = protocol.load()
        self.assertIs(protocol.load(), first)
        msg = first.pb2.SimulatorMessage(sequence=3)
        msg.epoch_ended.pages.page_numbers.extend([1, 2])
        again = first.pb2.SimulatorMessage.FromString(msg.SerializeToString())
        self.assertEqual(list(again.epoch_ended.pages.page_numbers), [1, 2])


if __name__ == "__main__":
    unittest.main()
