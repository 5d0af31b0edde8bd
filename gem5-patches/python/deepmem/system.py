"""Build the gem5 SE system of a DeepMem run (classic caches, N nodes).

`--cores N`: N CPUs in one socket, each with private L1i/L1d caches and
its own interrupt controller, sharing one L2 behind the L2 crossbar; the
memory nodes hang off the memory bus without CPUs (as CXL or Optane
nodes). Every CPU's workload is the one Process (as gem5's se.py does):
the program starts on CPU 0 and each thread that clone() creates takes
a halted CPU's thread context (one thread per core; a clone beyond N
threads fails with EAGAIN). With N = 1 the system is the one-CPU system
of before, object names included (`system.cpu`).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

import m5
from m5.objects import (AddrRange, Cache, DeepMemNuma, DeepMemX86Linux,
                        L2XBar, Process, RedirectPath, Root,
                        SrcClockDomain, System, SystemXBar, VoltageDomain)

from deepmem.config import PAGE_SIZE, numa_files
from deepmem.memory import HeteroMemorySystem, quiet_monitor
from deepmem.options import RunOptions


@dataclass
class Built:
    root: Any
    system: Any
    cpu: Any  # core 0 (the main thread's)
    numa: Any
    memory: HeteroMemorySystem
    process: Any
    options: RunOptions
    cpus: tuple = ()  # every core, in cpu id order


def _cache(size: int, assoc: int, lat: int, mshrs: int) -> Cache:
    return Cache(size=f"{size}B", assoc=assoc, tag_latency=lat,
                 data_latency=lat, response_latency=lat, mshrs=mshrs,
                 tgts_per_mshr=20)


def write_numa_files(opts: RunOptions, folder: str) -> str:
    """The files libnuma reads (node topology, Mems_allowed), and
    proc/exe -> the binary (readlink("/proc/self/exe") still works under
    the /proc/self redirect)."""
    for rel, text in numa_files(opts.nodes, cpus=opts.cores).items():
        path = os.path.join(folder, rel)
        if rel.endswith("/"):
            os.makedirs(path, exist_ok=True)
            continue
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as f:
            f.write(text)
    exe = os.path.join(folder, "proc", "exe")
    if os.path.lexists(exe):
        os.remove(exe)
    os.symlink(os.path.realpath(opts.binary), exe)
    return folder


def build(opts: RunOptions, outdir: str) -> Built:
    system = System()
    system.clk_domain = SrcClockDomain(clock=opts.clock,
                                       voltage_domain=VoltageDomain())
    system.mem_mode = "timing"

    memory = HeteroMemorySystem(opts.nodes, telemetry=opts.telemetry)
    system.memory = memory
    system.mem_ranges = memory.node_ranges()

    if opts.cpu == "o3":
        from m5.objects import X86O3CPU as CpuClass
    else:
        from m5.objects import X86TimingSimpleCPU as CpuClass
    n = opts.cores
    cpus = [CpuClass(cpu_id=i) for i in range(n)] if n > 1 else [CpuClass()]
    # One CPU keeps the name system.cpu (stats, checkpoints, tests).
    system.cpu = cpus if n > 1 else cpus[0]
    system.l2bus = L2XBar()
    for cpu in cpus:
        cpu.icache = _cache(opts.l1i_size, 8, 2, 4)
        cpu.dcache = _cache(opts.l1d_size, 8, 2, 16)
        cpu.icache_port = cpu.icache.cpu_side
        if opts.trace_touches:
            # Timing-transparent: the monitor forwards in the same tick.
            cpu.dcache_monitor = quiet_monitor()
            cpu.dcache_port = cpu.dcache_monitor.cpu_side_port
            cpu.dcache_monitor.mem_side_port = cpu.dcache.cpu_side
        else:
            cpu.dcache_port = cpu.dcache.cpu_side
        cpu.icache.mem_side = system.l2bus.cpu_side_ports
        cpu.dcache.mem_side = system.l2bus.cpu_side_ports
    system.l2cache = _cache(opts.l2_size, 8, 12, 32)
    system.l2cache.cpu_side = system.l2bus.mem_side_ports
    system.membus = SystemXBar()
    system.l2cache.mem_side = system.membus.cpu_side_ports
    for cpu in cpus:
        cpu.createInterruptController()
        cpu.interrupts[0].pio = system.membus.mem_side_ports
        cpu.interrupts[0].int_requestor = system.membus.cpu_side_ports
        cpu.interrupts[0].int_responder = system.membus.mem_side_ports
    system.system_port = system.membus.cpu_side_ports
    memory.connect(system.membus)

    ranges = memory.node_ranges()
    weights = list(opts.interleave_weights) or [1] * len(opts.nodes)
    pol = opts.policy
    if pol.mode == "weighted-interleave" and pol.weights:
        weights = [1] * len(opts.nodes)
        for n, w in zip(pol.nodes, pol.weights):
            weights[n] = w
    system.numa = DeepMemNuma(
        node_ranges=ranges,
        node_names=[n.name for n in opts.nodes],
        node_bandwidth=[n.bandwidth_gbps for n in opts.nodes],
        interleave_weights=weights,
        local_node=0,
        default_mode=pol.gem5_mode,
        default_nodes=list(pol.nodes),
        migration_page_latency=f"{opts.migration_page_latency_ns}ns",
        region_exits=opts.region_events,
        page_bytes=PAGE_SIZE,
    )
    memory.attach_probes(system.numa)
    if opts.trace_touches:
        from m5.objects import DeepMemPageProbe

        # Every core's data accesses count into the same per-page sets.
        for cpu in cpus:
            cpu.dcache_monitor.touch_probe = DeepMemPageProbe(
                manager=[cpu.dcache_monitor], probe_name="PktRequest",
                numa=system.numa, cpu_side=True)
    system.workload = DeepMemX86Linux(numa=system.numa)

    numa_dir = write_numa_files(opts, os.path.join(outdir, "deepmem-numa"))
    # gem5 redirects what lies below a folder (it appends '/').
    system.redirect_paths = [
        RedirectPath(app_path="/sys/devices/system/",
                     host_paths=[os.path.join(numa_dir, "sys")]),
        RedirectPath(app_path="/proc/self/",
                     host_paths=[os.path.join(numa_dir, "proc")]),
    ]

    process = Process(pid=100)
    process.executable = opts.binary
    process.cmd = [opts.binary] + list(opts.args)
    if opts.stdout_file:
        process.output = opts.stdout_file
    for cpu in cpus:
        # The same Process on every CPU: the idle thread contexts are the
        # ones clone() hands to new threads.
        cpu.workload = process
        if opts.max_instructions:
            cpu.max_insts_any_thread = opts.max_instructions
        cpu.createThreads()

    root = Root(full_system=False, system=system)
    return Built(root, system, cpus[0], system.numa, memory, process, opts,
                 tuple(cpus))
