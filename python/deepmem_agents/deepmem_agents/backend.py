"""Start and stop a deepmem.v1 simulator from an experiment YAML.

* estimator: `deepmem serve <experiment> --port 0 --sessions 0`, one
  process serving a fresh run of the workload per session (per reset);
* gem5: the command line `deepmem serve <experiment> --gem5-command`
  prints (the experiment's gem5 binary, config script
  configs/gem5/deepmem_se.py with `--controller grpc`), one process per
  session.

The `deepmem` CLI is $DEEPMEM_CLI (a command line), else the built
src/DeepMem.Cli (bin/Release or bin/Debug, run with `dotnet`), else
`dotnet run --project src/DeepMem.Cli --`; an installed copy outside the
repository uses `deepmem` on PATH. A backend that exits or never
announces its port raises BackendError naming the exit status and the
tail of its output.
"""

from __future__ import annotations

import collections
import json
import os
import re
import shlex
import shutil
import signal
import subprocess
import threading
import time
from pathlib import Path

from deepmem_agents import _proto

PORT_LINE = re.compile(r"^DEEPMEM_BRIDGE_PORT=(\d+)\s*$")
TAIL_LINES = 40


class BackendError(RuntimeError):
    """The simulator process failed; the message names the cause."""


def deepmem_command() -> list[str]:
    env = os.environ.get("DEEPMEM_CLI")
    if env:
        return shlex.split(env)
    try:
        root = _proto.repo_root()
    except _proto.ProtocolUnavailable:
        # An installed copy outside the repository: a `deepmem` on PATH.
        found = shutil.which("deepmem")
        if found:
            return [found]
        raise BackendError(
            "cannot find the deepmem CLI: set DEEPMEM_CLI to its command "
            "line (e.g. 'dotnet <repo>/src/DeepMem.Cli/bin/Release/net10.0/"
            "deepmem.dll'), put `deepmem` on PATH, or set DEEPMEM_REPO to "
            "the repository's root") from None
    for config in ("Release", "Debug"):
        dll = root / "src" / "DeepMem.Cli" / "bin" / config / "net10.0" / "deepmem.dll"
        if dll.is_file():
            return [shutil.which("dotnet") or "dotnet", str(dll)]
    return ["dotnet", "run", "--project", str(root / "src" / "DeepMem.Cli"),
            "--"]


class _Process:
    """A child process whose announced port and output tail are kept."""

    def __init__(self, argv: list[str], env: dict | None = None,
                 cwd: str | None = None, name: str = "backend"):
        self.name = name
        self.argv = argv
        self.tail: collections.deque = collections.deque(maxlen=TAIL_LINES)
        self._port: int | None = None
        self._port_seen = threading.Event()
        try:
            self.proc = subprocess.Popen(
                argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                stdin=subprocess.DEVNULL, text=True, cwd=cwd,
                env={**os.environ, **(env or {})}, start_new_session=True)
        except OSError as exc:
            raise BackendError(f"cannot start the {name} ({argv[0]}): "
                               f"{exc.strerror}") from exc
        self._pumps = [threading.Thread(target=self._pump, args=(stream,),
                                        daemon=True)
                       for stream in (self.proc.stdout, self.proc.stderr)]
        for pump in self._pumps:
            pump.start()

    def _pump(self, stream) -> None:
        for line in stream:
            m = PORT_LINE.match(line)
            if m and self._port is None:
                self._port = int(m.group(1))
                self._port_seen.set()
            self.tail.append(line.rstrip("\n"))
        if self._port is None:
            self._port_seen.set()

    def port(self, timeout_s: float) -> int:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self._port is not None:
                return self._port
            if self.proc.poll() is not None:
                time.sleep(0.1)  # let the pumps take the last lines
                if self._port is not None:
                    return self._port
                self.stop()
                raise self.died("exited before announcing its port")
            time.sleep(0.05)
        self.stop()
        raise BackendError(f"the {self.name} announced no port within "
                           f"{timeout_s:g} s: {self.tail_text()}")

    def died(self, what: str) -> BackendError:
        code = self.proc.poll()
        how = (f"killed by signal {-code}" if code is not None and code < 0
               else f"exit code {code}")
        return BackendError(f"the {self.name} {what} ({how}): "
                            f"{self.tail_text()}")

    def tail_text(self) -> str:
        lines = [ln for ln in self.tail if ln.strip()]
        return " | ".join(lines[-8:]) or "(no output)"

    def alive(self) -> bool:
        return self.proc.poll() is None

    def stop(self, grace_s: float = 5.0) -> None:
        """Stops the process (its group: SIGTERM, then SIGKILL after
        `grace_s`), lets the pumps read to the end and closes the pipes."""
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGTERM)
                self.proc.wait(grace_s)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                try:
                    os.killpg(self.proc.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                self.proc.wait(grace_s)
        for pump in self._pumps:
            pump.join(grace_s)
        if not any(pump.is_alive() for pump in self._pumps):
            # A pump still reading (a grandchild holding the pipe open)
            # keeps its stream; closing it under the pump could fail it.
            for stream in (self.proc.stdout, self.proc.stderr):
                stream.close()


def _check(process: "_Process | None", what: str,
           wait_s: float = 3.0) -> BackendError | None:
    if process is None:
        return None
    try:
        process.proc.wait(wait_s)
    except subprocess.TimeoutExpired:
        return None
    time.sleep(0.1)  # let the pumps take the last lines
    return process.died(what)


class Backend:
    """The simulator of one experiment: `estimator` or `gem5`."""

    def __init__(self, experiment: str, backend: str = "estimator",
                 point: int = 0, reply_timeout_s: float = 30.0,
                 start_timeout_s: float = 120.0,
                 extra_args: list[str] | None = None):
        if backend not in ("estimator", "gem5"):
            raise ValueError(f"backend must be 'estimator' or 'gem5' "
                             f"(was {backend!r})")
        if not Path(experiment).is_file():
            raise BackendError(f"experiment file {experiment} not found")
        self.experiment = str(experiment)
        self.kind = backend
        self.point = point
        self.reply_timeout_s = reply_timeout_s
        self.start_timeout_s = start_timeout_s
        self.extra_args = list(extra_args or [])
        self.process: _Process | None = None

    def start_session_server(self) -> int:
        """A server ready for one new session; returns its port."""
        if self.kind == "estimator":
            if self.process is None or not self.process.alive():
                if self.process is not None:
                    raise self.process.died("has exited")
                self.process = _Process(
                    deepmem_command() + [
                        "serve", self.experiment, "--port", "0",
                        "--sessions", "0", "--point", str(self.point),
                        "--reply-timeout", f"{self.reply_timeout_s:g}"]
                    + self.extra_args, name="estimator server")
            return self.process.port(self.start_timeout_s)
        if self.process is not None:
            self.process.stop()
        spec = self.gem5_command()
        self.process = _Process(spec["argv"], spec.get("env"),
                                spec.get("cwd") or None, name="gem5")
        return self.process.port(self.start_timeout_s)

    def gem5_command(self) -> dict:
        cmd = deepmem_command() + ["serve", self.experiment, "--gem5-command",
                                   "--point", str(self.point),
                                   "--reply-timeout",
                                   f"{self.reply_timeout_s:g}"]
        res = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
        if res.returncode != 0:
            raise BackendError(
                f"cannot get the gem5 command line ({' '.join(cmd)}, exit "
                f"code {res.returncode}): {res.stderr.strip()[-2000:]}")
        return json.loads(res.stdout)

    def check(self, what: str = "stopped") -> BackendError | None:
        """The backend's failure, when its process has died (waited for
        a moment: a broken stream can come before the exit is seen)."""
        return _check(self.process, what)

    def close(self) -> None:
        if self.process is not None:
            self.process.stop()
            self.process = None


class ProcessBackend:
    """Any command that serves one deepmem.v1 session and announces its
    port (the gem5 side's scripted server, a gem5 command line): started
    anew for every session."""

    kind = "process"

    def __init__(self, argv: list[str], env: dict | None = None,
                 cwd: str | None = None, name: str = "simulator",
                 start_timeout_s: float = 120.0):
        self.argv, self.env, self.cwd, self.name = argv, env, cwd, name
        self.start_timeout_s = start_timeout_s
        self.process: _Process | None = None

    def start_session_server(self) -> int:
        if self.process is not None:
            self.process.stop()
        self.process = _Process(self.argv, self.env, self.cwd, self.name)
        return self.process.port(self.start_timeout_s)

    def check(self, what: str = "stopped") -> BackendError | None:
        return _check(self.process, what)

    def close(self) -> None:
        if self.process is not None:
            self.process.stop()
            self.process = None
