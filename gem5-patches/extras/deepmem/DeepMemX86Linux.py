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
