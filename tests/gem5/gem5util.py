"""Helpers shared by the gem5 end-to-end test and benchmark (plain CPython).

They build the test workloads and run the patched gem5 (`DEEPMEM_GEM5`, the
path of a gem5.opt built with gem5-patches) on configs/gem5/deepmem_se.py.
"""

from __future__ import annotations

import atexit
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
sys.path.insert(0, os.path.join(REPO, "gem5-patches", "python"))

from deepmem.config import parse_stats  # noqa: E402

WORKLOADS = os.path.join(REPO, "tests", "workloads")
CONFIG = os.path.join(REPO, "configs", "gem5", "deepmem_se.py")
NODES = ("--node", "dram:ddr4:64MiB", "--node", "nvm:nvm:256MiB")
CTRL = "system.memory.mem_ctrls{i}"


def gem5_path() -> str:
    return os.environ.get("DEEPMEM_GEM5", "")


def gem5_missing() -> str:
    """Why the gem5 tests cannot run here, or "" when DEEPMEM_GEM5 names
    an executable."""
    path = gem5_path()
    if not path:
        return ("DEEPMEM_GEM5 is not set (path to a gem5.opt built with "
                "gem5-patches): gem5 tests skipped")
    if not os.access(path, os.X_OK):
        return f"DEEPMEM_GEM5={path} is not an executable: gem5 tests skipped"
    return ""


def grpc_missing() -> str:
    """Why the bridge tests cannot run here, or "" when grpcio imports."""
    try:
        import grpc  # noqa: F401
    except ImportError:
        return "python grpcio is not importable here (use Debian's python3)"
    return ""


def build_workloads() -> str:
    subprocess.run(["make", "-s", "-C", WORKLOADS], check=True,
                   stdout=subprocess.DEVNULL)
    return os.path.join(WORKLOADS, "bin")


@dataclass
class Run:
    name: str
    rc: int
    stdout: str
    stderr: str
    outdir: str
    host_s: float

    @property
    def stats(self) -> dict[str, float]:
        with open(os.path.join(self.outdir, "stats.txt")) as f:
            return parse_stats(f.read())

    @property
    def result(self) -> dict:
        with open(os.path.join(self.outdir, "deepmem_result.json")) as f:
            return json.load(f)

    def tail(self, n: int = 3000) -> str:
        return (self.stdout[-n:] + "\n--- stderr ---\n" + self.stderr[-n:])


_OUT_ROOT: str | None = None


def out_root() -> str:
    """One folder per test process for gem5's output, removed at exit
    (set DEEPMEM_E2E_KEEP=1 to keep it; its path is printed then)."""
    global _OUT_ROOT
    if _OUT_ROOT is None:
        _OUT_ROOT = tempfile.mkdtemp(prefix="deepmem-e2e-")
        if os.environ.get("DEEPMEM_E2E_KEEP"):
            print(f"gem5 outputs kept in {_OUT_ROOT}", file=sys.stderr)
        else:
            atexit.register(shutil.rmtree, _OUT_ROOT, True)
    return _OUT_ROOT


def run_gem5(name: str, binary: str, args=(), options=(), nodes=NODES,
             timeout: float = 600.0, outroot: str | None = None) -> Run:
    outroot = outroot or tempfile.mkdtemp(prefix=f"{name}-", dir=out_root())
    outdir = os.path.join(outroot, name)
    os.makedirs(outdir, exist_ok=True)
    cmd = [gem5_path(), "-d", outdir, CONFIG, *nodes, *options, binary,
           *args]
    t0 = time.time()
    p = subprocess.run(cmd, capture_output=True, text=True,
                       timeout=timeout)
    host = time.time() - t0
    with open(os.path.join(outdir, "cmd.txt"), "w") as f:
        f.write(" ".join(cmd) + "\n")
    return Run(name, p.returncode, p.stdout, p.stderr, outdir, host)


def stream_us(run: Run) -> float:
    for line in run.stdout.splitlines():
        if line.startswith("STREAM_US "):
            return float(line.split()[1])
    raise AssertionError(f"{run.name}: no STREAM_US line\n{run.tail()}")
