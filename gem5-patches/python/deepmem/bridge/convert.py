"""Translation between `deepmem.events` dataclasses and protocol messages.

Pure functions over the generated `deepmem_pb2` module; no I/O, no threads.
"""

from __future__ import annotations

from types import ModuleType
from typing import Sequence

from deepmem import events as ev

# events.py names -> proto enum value names
DEVICE_KINDS = {
    "dram": "DEVICE_KIND_DRAM",
    "nvm": "DEVICE_KIND_NVM",
    "hbm": "DEVICE_KIND_HBM",
    "cxl": "DEVICE_KIND_CXL",
}
REGION_SOURCES = {
    "mmap": "REGION_SOURCE_MMAP",
    "brk": "REGION_SOURCE_BRK",
    "mbind": "REGION_SOURCE_MBIND",
    "startup": "REGION_SOURCE_STARTUP",
}
PLACEMENT_MODES = {
    "default": "PLACEMENT_MODE_DEFAULT",
    "bind": "PLACEMENT_MODE_BIND",
    "preferred": "PLACEMENT_MODE_PREFERRED",
    "interleave": "PLACEMENT_MODE_INTERLEAVE",
}

# The reply kinds (ControllerMessage.reply oneof) each event accepts.
ACCEPTED_REPLIES = {
    "region_created": ("ack", "placement", "stop"),
    "epoch_ended": ("ack", "migrations", "stop"),
}


def event_kind(event: ev.Event) -> str:
    """The SimulatorMessage oneof field name for an event."""
    if isinstance(event, ev.RegionCreated):
        return "region_created"
    if isinstance(event, ev.EpochEnded):
        return "epoch_ended"
    if isinstance(event, ev.Finished):
        return "finished"
    if isinstance(event, ev.Failed):
        return "failed"
    raise TypeError(f"not a deepmem event: {event!r}")


def _enum(pb2: ModuleType, table: dict[str, str], key: str) -> int:
    name = table.get(key.lower())
    return int(getattr(pb2, name)) if name else 0


def machine_info(pb2: ModuleType, info: ev.MachineInfo):
    msg = pb2.MachineInfo(
        simulator=info.simulator,
        page_size=info.page_size,
        epoch_instructions=info.epoch_instructions,
        ticks_per_second=info.ticks_per_second,
        cpu_model=info.cpu_model,
        epoch_ticks=info.epoch_ticks,
        cores=info.cores,
        workload=pb2.Workload(binary=info.binary, args=list(info.args),
                              working_dir=info.working_dir),
    )
    for node in info.nodes:
        msg.nodes.add(
            id=node.id, name=node.name,
            kind=_enum(pb2, DEVICE_KINDS, node.kind),
            base_address=node.base_address,
            capacity_bytes=node.capacity_bytes,
            read_latency_ns=node.read_latency_ns,
            write_latency_ns=node.write_latency_ns,
            bandwidth_gbps=node.bandwidth_gbps)
    return msg


def _node_stats(target, stats: Sequence[ev.NodeStats]) -> None:
    for s in stats:
        target.add(node=s.node, reads=s.reads, writes=s.writes,
                   bytes_read=s.bytes_read, bytes_written=s.bytes_written,
                   avg_read_latency_ns=s.avg_read_latency_ns,
                   resident_pages=s.resident_pages, free_pages=s.free_pages)


def simulator_message(pb2: ModuleType, event: ev.Event, sequence: int,
                      previous=None):
    """Build a SimulatorMessage; `previous` is a ReplyOutcome or None."""
    msg = pb2.SimulatorMessage(sequence=sequence)
    if previous is not None:
        msg.previous_reply.CopyFrom(previous)
    if isinstance(event, ev.RegionCreated):
        m = msg.region_created
        m.region_id = event.region_id
        m.start_address = event.start_address
        m.length_bytes = event.length_bytes
        m.source = _enum(pb2, REGION_SOURCES, event.source)
        m.program_policy = event.program_policy
        m.instructions = event.instructions
        m.tick = event.tick
    elif isinstance(event, ev.EpochEnded):
        m = msg.epoch_ended
        m.epoch = event.epoch
        m.start_tick = event.start_tick
        m.end_tick = event.end_tick
        m.epoch_instructions = event.epoch_instructions
        m.total_instructions = event.total_instructions
        _node_stats(m.nodes, event.nodes)
        m.pages.page_numbers.extend(event.page_numbers)
        m.pages.reads.extend(event.reads)
        m.pages.writes.extend(event.writes)
        m.pages.nodes.extend(event.page_nodes)
        m.migrated_pages = event.migrated_pages
        m.migration_ticks = event.migration_ticks
        m.core_instructions.extend(int(c) for c in event.core_instructions)
    elif isinstance(event, ev.Finished):
        m = msg.finished
        m.exit_code = event.exit_code
        m.ticks = event.ticks
        m.simulated_seconds = event.simulated_seconds
        m.instructions = event.instructions
        _node_stats(m.nodes, event.nodes)
        m.migrated_pages = event.migrated_pages
        m.migration_ticks = event.migration_ticks
        m.output_dir = event.output_dir
    elif isinstance(event, ev.Failed):
        m = msg.failed
        m.reason = event.reason
        m.exit_code = event.exit_code
        m.output_tail = event.output_tail
    else:
        raise TypeError(f"not a deepmem event: {event!r}")
    return msg


def reply_outcome(pb2: ModuleType, reply_to: int, applied: int, tally):
    """A ReplyOutcome from a `driver.RejectionTally` (bounded)."""
    msg = pb2.ReplyOutcome(reply_to=reply_to, applied=applied,
                           rejected=tally.total)
    for r in tally.sample:
        msg.rejections.add(index=r.index, reason=r.reason)
    for reason, (count, indices) in tally.groups.items():
        msg.groups.add(reason=reason, count=count,
                       first_indices=list(indices))
    return msg


def placement(pb2: ModuleType, msg) -> ev.Placement | str:
    """A RegionPlacement as a Placement, or the reason it is unusable."""
    names = {int(getattr(pb2, v)): k for k, v in PLACEMENT_MODES.items()}
    mode = names.get(msg.mode)
    if mode is None:
        return (f"placement mode {msg.mode} is not one of DEFAULT, BIND, "
                "PREFERRED, INTERLEAVE")
    return ev.Placement(region_id=msg.region_id, mode=mode,
                        nodes=tuple(msg.nodes), weights=tuple(msg.weights))


def migrations(msg) -> list[ev.Migration]:
    return [ev.Migration(page_number=m.page_number,
                         target_node=m.target_node)
            for m in msg.migrations]
