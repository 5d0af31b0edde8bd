"""Generate and import the Python modules for `protos/deepmem.proto`.

Nothing generated is committed. On first use, `load()` runs `protoc` with
gRPC's Python plugin over the .proto file and imports the two modules it
writes (`deepmem_pb2`, `deepmem_pb2_grpc`). The output goes to a cache
folder keyed by a hash of the .proto text and the tools, so a changed
protocol or compiler regenerates and an unchanged one is reused.

Tools (Debian bookworm packages):

* `protoc` from `protobuf-compiler` (3.21.12, matches `python3-protobuf`);
* `grpc_python_plugin` from `protobuf-compiler-grpc` (1.51.1, matches
  `python3-grpcio`).

Environment overrides:

* `DEEPMEM_PROTO`: path of the .proto file (default: `protos/deepmem.proto`
  of the repository this package sits in);
* `DEEPMEM_PROTO_CACHE`: cache folder (default: `deepmem-proto-<uid>` in
  the system temp dir, used only when it is ours and not writable by
  others; otherwise a fresh private folder). A gem5 config can call
  `load(cache_dir=...)` with a folder under its output dir before the
  bridge starts;
* `DEEPMEM_PROTOC`, `DEEPMEM_GRPC_PYTHON_PLUGIN`: the two tools.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import shutil
import stat
import subprocess
import sys
import tempfile
import threading
from pathlib import Path
from types import ModuleType
from typing import NamedTuple

PROTO_NAME = "deepmem.proto"
PB2_NAME = "deepmem_pb2"
PB2_GRPC_NAME = "deepmem_pb2_grpc"


class ProtocolError(RuntimeError):
    """The protocol modules could not be generated or imported."""


class Protocol(NamedTuple):
    pb2: ModuleType
    pb2_grpc: ModuleType


_lock = threading.Lock()
_loaded: Protocol | None = None


def default_proto_path() -> Path:
    env = os.environ.get("DEEPMEM_PROTO")
    if env:
        return Path(env)
    # gem5-patches/python/deepmem/bridge/protocol.py -> repository root
    return Path(__file__).resolve().parents[4] / "protos" / PROTO_NAME


def default_cache_dir() -> Path:
    env = os.environ.get("DEEPMEM_PROTO_CACHE")
    if env:
        return Path(env)
    uid = os.getuid()
    folder = Path(tempfile.gettempdir()) / f"deepmem-proto-{uid}"
    try:
        folder.mkdir(mode=0o700, exist_ok=True)
        st = folder.lstat()
    except OSError:
        st = None
    # We import code from here: it must be ours and writable by us only.
    if (st is None or not stat.S_ISDIR(st.st_mode) or st.st_uid != uid
            or st.st_mode & 0o022):
        return Path(tempfile.mkdtemp(prefix="deepmem-proto-"))
    return folder


def _tool(env_name: str, exe: str, package: str) -> str:
    path = os.environ.get(env_name)
    if path:
        if not os.access(path, os.X_OK):
            raise ProtocolError(f"{env_name}={path} is not an executable "
                                f"file (Debian package: '{package}')")
        return path
    path = shutil.which(exe)
    if not path:
        raise ProtocolError(
            f"{exe} not found on PATH (install the Debian package "
            f"'{package}' or set {env_name})")
    return path


def _tool_version(path: str, *args: str) -> str:
    try:
        out = subprocess.run([path, *args], capture_output=True, text=True,
                             timeout=30)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise ProtocolError(f"cannot run {path}: {exc}") from exc
    return (out.stdout + out.stderr).strip()


def generate(proto: Path, cache_dir: Path) -> Path:
    """Compile `proto` into a folder under `cache_dir`; return the folder.

    Safe against concurrent processes: each one compiles into a private
    folder and renames it into place; the loser of a race uses the winner's.
    """
    proto = proto.resolve()
    if not proto.is_file():
        raise ProtocolError(f"protocol file not found: {proto}")
    protoc = _tool("DEEPMEM_PROTOC", "protoc", "protobuf-compiler")
    plugin = _tool("DEEPMEM_GRPC_PYTHON_PLUGIN", "grpc_python_plugin",
                   "protobuf-compiler-grpc")
    key = hashlib.sha256()
    key.update(proto.read_bytes())
    key.update(_tool_version(protoc, "--version").encode())
    key.update(os.path.realpath(plugin).encode())
    key.update(str(os.stat(plugin).st_size).encode())
    target = cache_dir / key.hexdigest()[:16]
    if (target / f"{PB2_GRPC_NAME}.py").is_file():
        return target
    cache_dir.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=".gen-", dir=cache_dir))
    try:
        cmd = [protoc, f"-I{proto.parent}", f"--python_out={work}",
               f"--grpc_python_out={work}",
               f"--plugin=protoc-gen-grpc_python={plugin}", proto.name]
        try:
            res = subprocess.run(cmd, capture_output=True, text=True,
                                 timeout=120)
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise ProtocolError(f"protoc failed to run: {exc}") from exc
        if res.returncode != 0:
            raise ProtocolError(
                f"protoc exited with {res.returncode} on {proto}: "
                + " | ".join(res.stderr.strip().splitlines()[-5:]))
        try:
            os.rename(work, target)
        except OSError:
            # Another process won the race; its output is identical.
            if not (target / f"{PB2_GRPC_NAME}.py").is_file():
                raise
    finally:
        if work.exists():
            shutil.rmtree(work, ignore_errors=True)
    return target


def _import(name: str, path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise ProtocolError(f"cannot import {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except Exception:
        del sys.modules[name]
        raise
    return module


def load(proto: Path | None = None,
         cache_dir: Path | None = None) -> Protocol:
    """Return the generated modules, generating them on first use.

    The modules are imported once per process (protobuf's descriptor pool
    refuses a second copy of the same file); later calls return them.
    """
    global _loaded
    with _lock:
        if _loaded is not None:
            return _loaded
        folder = generate(proto or default_proto_path(),
                          cache_dir or default_cache_dir())
        # deepmem_pb2_grpc does `import deepmem_pb2`; register it first.
        pb2 = sys.modules.get(PB2_NAME) or _import(
            PB2_NAME, folder / f"{PB2_NAME}.py")
        pb2_grpc = sys.modules.get(PB2_GRPC_NAME) or _import(
            PB2_GRPC_NAME, folder / f"{PB2_GRPC_NAME}.py")
        _loaded = Protocol(pb2, pb2_grpc)
        return _loaded
