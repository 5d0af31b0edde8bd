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
