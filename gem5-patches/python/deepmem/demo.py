"""A small built-in controller for tests and demos (no grpc, no gem5).

`HotPromote` drives any `SimulatorBackend`: large regions start on the slow
node (bind), and at each epoch the hottest pages of the slow node move to
the fast node (at most `top` per epoch). It records what it did, so tests
can check that the simulator applied it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from deepmem import events as ev


@dataclass
class HotPromote:
    fast_node: int = 0
    slow_node: int = 1
    top: int = 32
    region_min_bytes: int = 1 << 20
    placed: int = 0
    promoted: int = 0
    rejected: list[str] = field(default_factory=list)
    epochs: int = 0

    def __call__(self, backend: ev.SimulatorBackend) -> ev.Event:
        while True:
            event = backend.next_event()
            if isinstance(event, ev.RegionCreated):
                if event.length_bytes >= self.region_min_bytes:
                    out = backend.apply_placement(ev.Placement(
                        event.region_id, "bind", (self.slow_node,)))
                    self.placed += out.applied
                    self.rejected += [r.reason for r in out.rejections]
            elif isinstance(event, ev.EpochEnded):
                self.epochs += 1
                hot = sorted(
                    ((r + w, p) for p, r, w, n in zip(
                        event.page_numbers, event.reads, event.writes,
                        event.page_nodes) if n == self.slow_node),
                    reverse=True)[:self.top]
                if hot:
                    out = backend.apply_migrations(
                        [ev.Migration(p, self.fast_node) for _, p in hot])
                    self.promoted += out.applied
                    self.rejected += [r.reason for r in out.rejections]
            else:
                return event
