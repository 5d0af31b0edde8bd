"""Simulator-neutral events and replies exchanged by the run loop and the
bridge.

This module is the contract between the two halves of the gem5-side
package: the simulator half (`deepmem.gem5run`, which imports `m5`) produces
these events and applies these replies; the protocol half
(`deepmem.bridge`, which imports `grpc`) turns them into protocol messages
(`protos/deepmem.proto`). Plain dataclasses, no gem5, no grpc: both halves
and their tests import this under plain CPython.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol, Sequence, Union


# ----------------------------------------------------------------- machine

@dataclass(frozen=True)
class NodeInfo:
    id: int
    name: str
    kind: str  # "dram" | "nvm" | "hbm" | "cxl"
    base_address: int
    capacity_bytes: int
    read_latency_ns: float = 0.0
    write_latency_ns: float = 0.0
    bandwidth_gbps: float = 0.0


@dataclass(frozen=True)
class MachineInfo:
    simulator: str
    nodes: Sequence[NodeInfo]
    page_size: int
    binary: str
    args: Sequence[str] = ()
    working_dir: str = ""
    epoch_instructions: int = 0
    ticks_per_second: int = 10**12
    cpu_model: str = ""
    epoch_ticks: int = 0
    cores: int = 1


# ------------------------------------------------------------------ events

@dataclass(frozen=True)
class RegionCreated:
    region_id: int
    start_address: int
    length_bytes: int
    source: str  # "mmap" | "brk" | "mbind" | "startup"
    program_policy: str = ""
    instructions: int = 0
    tick: int = 0


@dataclass(frozen=True)
class NodeStats:
    node: int
    reads: int = 0
    writes: int = 0
    bytes_read: int = 0
    bytes_written: int = 0
    avg_read_latency_ns: float = 0.0
    resident_pages: int = 0
    free_pages: int = 0


@dataclass(frozen=True)
class EpochEnded:
    epoch: int
    start_tick: int
    end_tick: int
    epoch_instructions: int
    total_instructions: int
    nodes: Sequence[NodeStats] = ()
    # Sparse per-page counts; all four lists have the same length.
    page_numbers: Sequence[int] = ()
    reads: Sequence[int] = ()
    writes: Sequence[int] = ()
    page_nodes: Sequence[int] = ()
    migrated_pages: int = 0
    migration_ticks: int = 0
    # Committed instructions of each core in the epoch (core 0 first);
    # empty from a simulator that does not tell.
    core_instructions: Sequence[int] = ()


@dataclass(frozen=True)
class Finished:
    exit_code: int
    ticks: int
    simulated_seconds: float
    instructions: int
    nodes: Sequence[NodeStats] = ()
    migrated_pages: int = 0
    migration_ticks: int = 0
    output_dir: str = ""


@dataclass(frozen=True)
class Failed:
    reason: str
    exit_code: int = 1
    output_tail: str = ""


Event = Union[RegionCreated, EpochEnded, Finished, Failed]


# ----------------------------------------------------------------- replies

@dataclass(frozen=True)
class Placement:
    region_id: int
    mode: str  # "default" | "bind" | "preferred" | "interleave"
    nodes: Sequence[int] = ()
    weights: Sequence[int] = ()


@dataclass(frozen=True)
class Migration:
    page_number: int
    target_node: int


@dataclass(frozen=True)
class Rejection:
    index: int
    reason: str


@dataclass
class Outcome:
    """What the simulator did with one reply."""

    applied: int = 0
    rejections: list[Rejection] = field(default_factory=list)


class SimulatorBackend(Protocol):
    """What the bridge needs from a simulator (gem5, or a scripted source).

    `next_event` runs the simulation until the next event and returns it;
    after `Finished` or `Failed` it is not called again. Replies are applied
    between two `next_event` calls, item by item: a bad item is rejected
    with a reason and never stops the simulation.
    """

    def machine_info(self) -> MachineInfo: ...

    def next_event(self) -> Event: ...

    def apply_placement(self, placement: Placement) -> Outcome: ...

    def apply_migrations(self, migrations: Sequence[Migration]) -> Outcome: ...

    def stop(self, reason: str) -> None: ...
