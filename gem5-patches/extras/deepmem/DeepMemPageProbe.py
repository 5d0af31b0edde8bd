# DeepMem.Gem5: memory-side per-page access counter of one node.

from m5.objects.BaseMemProbe import BaseMemProbe
from m5.params import *
from m5.proxy import *


class DeepMemPageProbe(BaseMemProbe):
    type = "DeepMemPageProbe"
    cxx_header = "deepmem/deepmem_page_probe.hh"
    cxx_class = "gem5::DeepMemPageProbe"

    numa = Param.DeepMemNuma(Parent.any, "The NUMA machine to report to")
    node = Param.Int("Node whose controller this probe watches")
