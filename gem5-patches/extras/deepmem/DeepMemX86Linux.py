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

# DeepMem.Gem5: x86-64 Linux SE workload with the memory-policy syscalls.

from m5.objects.X86SeWorkload import X86EmuLinux
from m5.params import *
from m5.proxy import *
from m5.SimObject import PyBindMethod


class DeepMemX86Linux(X86EmuLinux):
    type = "DeepMemX86Linux"
    cxx_header = "deepmem/deepmem_x86_linux.hh"
    cxx_class = "gem5::DeepMemX86Linux"

    numa = Param.DeepMemNuma(Parent.any, "The NUMA machine")

    # The signal that ended the program (0: none), for the run's result.
    cxx_exports = [PyBindMethod("fatalSignal")]

    @classmethod
    def _is_compatible_with(cls, obj):
        # Only chosen explicitly, so that X86EmuLinux stays the one match
        # of SEWorkload.init_compatible.
        return False
