"""The generated deepmem.v1 modules, made the way the gem5 side makes them.

The protocol's Python modules are generated at run time from
protos/deepmem.proto by `deepmem.bridge.protocol.load()` (gem5-patches/
python; protoc + grpc_python_plugin from Debian's protobuf-compiler and
protobuf-compiler-grpc, cached by the .proto's hash); nothing generated is
committed. This module finds that loader in the repository: $DEEPMEM_REPO,
else the repository this file sits in (a `pip install -e` keeps it there),
else (a plain `pip install`, no repository) the copies a wheel carries in
deepmem_agents/_bundled (the .proto and the loader, symbolic links in the
repository).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path


class ProtocolUnavailable(RuntimeError):
    pass


def repo_root() -> Path:
    env = os.environ.get("DEEPMEM_REPO")
    candidates = [Path(env)] if env else []
    candidates += list(Path(__file__).resolve().parents)
    for c in candidates:
        if (c / "protos" / "deepmem.proto").is_file() and (
                c / "gem5-patches" / "python" / "deepmem").is_dir():
            return c
    raise ProtocolUnavailable(
        "cannot find the DeepMem.Gem5 repository (protos/deepmem.proto); "
        "set DEEPMEM_REPO to its root")


def _load_bundled():
    here = Path(__file__).resolve().parent / "_bundled"
    proto = here / "deepmem.proto"
    if not proto.is_file() or not (here / "protocol.py").is_file():
        raise ProtocolUnavailable(
            "cannot find the DeepMem.Gem5 repository (protos/deepmem.proto) "
            "and this copy of deepmem_agents carries no deepmem.proto; set "
            "DEEPMEM_REPO to the repository's root")
    from deepmem_agents._bundled import protocol  # noqa: E402
    try:
        p = protocol.load(proto=proto)
    except protocol.ProtocolError as exc:
        raise ProtocolUnavailable(str(exc)) from exc
    return p.pb2, p.pb2_grpc


def load():
    """(pb2, pb2_grpc) for deepmem.v1."""
    try:
        root = repo_root()
    except ProtocolUnavailable:
        if os.environ.get("DEEPMEM_REPO"):
            raise
        return _load_bundled()
    bridge = str(root / "gem5-patches" / "python")
    if bridge not in sys.path:
        sys.path.append(bridge)
    from deepmem.bridge import protocol  # noqa: E402
    os.environ.setdefault("DEEPMEM_PROTO", str(root / "protos" / "deepmem.proto"))
    try:
        p = protocol.load()
    except protocol.ProtocolError as exc:
        raise ProtocolUnavailable(str(exc)) from exc
    return p.pb2, p.pb2_grpc
