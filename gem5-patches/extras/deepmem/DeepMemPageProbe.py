# Copyright (c) 2026 The DeepMem.Gem5 authors
# All rights reserved.
#
# Redistribution and use in source and binary forms, with or without
# modification, are permitted provided that the following conditions are
# met: redistributions of source code must retain the above copyright
# notice, this list of conditions and the following disclaimer;
# redistributions in binary form must reproduce the above copyright
# notice, this list of conditions and the following disclaimer in the
# documentation and/or other materials provided with the distribution;
# neither the name of the copyright holders nor the names of its
# contributors may be used to endorse or promote products derived from
# this software without specific prior written permission.
#
# THIS SOFTWARE IS PROVIDED BY THE COPYRIGHT HOLDERS AND CONTRIBUTORS
# "AS IS" AND ANY EXPRESS OR IMPLIED WARRANTIES, INCLUDING, BUT NOT
# LIMITED TO, THE IMPLIED WARRANTIES OF MERCHANTABILITY AND FITNESS FOR
# A PARTICULAR PURPOSE ARE DISCLAIMED. IN NO EVENT SHALL THE COPYRIGHT
# OWNER OR CONTRIBUTORS BE LIABLE FOR ANY DIRECT, INDIRECT, INCIDENTAL,
# SPECIAL, EXEMPLARY, OR CONSEQUENTIAL DAMAGES (INCLUDING, BUT NOT
# LIMITED TO, PROCUREMENT OF SUBSTITUTE GOODS OR SERVICES; LOSS OF USE,
# DATA, OR PROFITS; OR BUSINESS INTERRUPTION) HOWEVER CAUSED AND ON ANY
# THEORY OF LIABILITY, WHETHER IN CONTRACT, STRICT LIABILITY, OR TORT
# (INCLUDING NEGLIGENCE OR OTHERWISE) ARISING IN ANY WAY OUT OF THE USE
# OF THIS SOFTWARE, EVEN IF ADVISED OF THE POSSIBILITY OF SUCH DAMAGE.

# DeepMem.Gem5: per-page access counter of one node (memory side), or of
# the lines the CPU touches (cpu_side, in front of the L1 data cache).

from m5.objects.BaseMemProbe import BaseMemProbe
from m5.params import *
from m5.proxy import *


class DeepMemPageProbe(BaseMemProbe):
    type = "DeepMemPageProbe"
    cxx_header = "deepmem/deepmem_page_probe.hh"
    cxx_class = "gem5::DeepMemPageProbe"

    numa = Param.DeepMemNuma(Parent.any, "The NUMA machine to report to")
    node = Param.Int(0, "Node whose controller this probe watches")
    cpu_side = Param.Bool(
        False,
        "In front of the L1 data cache: note the lines the CPU touches per "
        "page instead of counting memory-side requests",
    )
