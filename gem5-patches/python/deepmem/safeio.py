"""Output that never raises: gem5 must outlive the process reading it.

When deepmem launches gem5, gem5's stdout and stderr are pipes to deepmem.
If deepmem dies (kill -9), the next write to them raises BrokenPipeError
(SIGPIPE is ignored in a Python-hosting process), which used to escape
from the bridge's fallback path and end the run. `say()` writes one line
and, on the first failure, points file descriptors 1 and 2 at /dev/null
(so later writes from Python *and* from gem5's C++ side go nowhere quietly,
and the interpreter's last flush at exit cannot fail either).
"""

from __future__ import annotations

import os
import signal
import sys
from typing import TextIO

_detached = False


def detached() -> bool:
    """True once output was redirected to /dev/null after a failure."""
    return _detached


def detach() -> None:
    """Send stdout and stderr (Python objects and fds 1, 2) to /dev/null."""
    global _detached
    _detached = True
    try:
        null = os.open(os.devnull, os.O_WRONLY)
    except OSError:
        return
    for fd in (1, 2):
        try:
            os.dup2(null, fd)
        except OSError:
            pass
    os.close(null)
    for name in ("stdout", "stderr"):
        try:
            setattr(sys, name, open(os.devnull, "w", encoding="utf-8"))
        except OSError:
            pass


def ignore_sigpipe() -> None:
    """A write to a dead reader fails with EPIPE instead of killing the
    process (CPython sets this at start-up; an embedding may not)."""
    if hasattr(signal, "SIGPIPE"):
        try:
            signal.signal(signal.SIGPIPE, signal.SIG_IGN)
        except (OSError, ValueError):  # not the main thread
            pass


def flush() -> None:
    """Flush stdout and stderr now (not at exit, where a failure would
    be reported as an error); detach on failure."""
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            detach()
            return


def say(line: str, file: TextIO | None = None) -> None:
    """print(line) to `file` (default stderr) and flush; never raises."""
    if _detached:
        return
    try:
        stream = file if file is not None else sys.stderr
        print(line, file=stream, flush=True)
    except (OSError, ValueError):  # broken pipe, closed file
        detach()
