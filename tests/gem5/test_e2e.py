"""Lets `unittest discover` (tests/run-all.sh) find the gem5 end-to-end
tests of e2e.py; they skip with a message unless DEEPMEM_GEM5 is set."""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from e2e import (Gem5ControllerKilled, Gem5EndToEnd,  # noqa: E402,F401
                 Gem5GrpcController)
from e2e_threads import Gem5GrpcFourCores, Gem5Threads  # noqa: E402,F401
