"""Observation, action and reward of a placement agent (docs/agents.md).

The same encoding serves the env (`env.DeepMemEnv`, over deepmem.v1) and
an agent run as an experiment's `python` policy (`policy_host`), so an
agent trained in one runs unchanged in the other.

Observation (floats, length 5*N + 2*K for N nodes, K = `hot_pages`):
  per node n (node order): read share, write share of the epoch's
  accesses; mean read latency in us; resident pages / capacity; free
  pages / capacity. Then the K hottest pages of the epoch (accesses
  descending): each page's share of the epoch's accesses, then each
  page's node / max(1, N-1). Missing entries are 0.

Action (integer in 0 .. 1 + 2*N*(N-1) - 1):
  0: no-op. Otherwise a-1 = (pair * 2 + kind) over ordered node pairs
  (src, dst), src != dst, in order (0,1), (0,2), ..., (1,0), ...:
  kind 0 moves the `move_pages` hottest pages on src to dst (promotion
  when dst is faster), kind 1 the `move_pages` coldest. Hotness is an
  exponentially decayed access count per page (`decay` per epoch) over
  every page seen so far. At most dst's free pages move.

Reward: minus the epoch's simulated time in milliseconds (migrations are
charged to the epoch after they were decided); the episode's return is
minus the run's simulated time.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class NodeView:
    node: int
    capacity_pages: int
    reads: int = 0
    writes: int = 0
    avg_read_latency_ns: float = 0.0
    resident_pages: int = 0
    free_pages: int = 0


@dataclass
class EpochView:
    epoch: int
    start_tick: int
    end_tick: int
    nodes: list[NodeView]
    page_numbers: list[int] = field(default_factory=list)
    reads: list[int] = field(default_factory=list)
    writes: list[int] = field(default_factory=list)
    page_nodes: list[int] = field(default_factory=list)


@dataclass
class Features:
    nodes: int
    capacity_pages: list[int]
    ticks_per_second: float = 1e12
    hot_pages: int = 16
    move_pages: int = 32
    decay: float = 0.5
    # page -> [score, node]
    _pages: dict = field(default_factory=dict)

    @property
    def observation_size(self) -> int:
        return 5 * self.nodes + 2 * self.hot_pages

    @property
    def action_count(self) -> int:
        return 1 + 2 * self.nodes * (self.nodes - 1)

    def reset(self) -> None:
        self._pages.clear()

    def pairs(self) -> list[tuple[int, int]]:
        return [(s, d) for s in range(self.nodes) for d in range(self.nodes)
                if s != d]

    def describe(self, action: int) -> str:
        if action == 0:
            return "no-op"
        pair, kind = divmod(action - 1, 2)
        src, dst = self.pairs()[pair]
        return (f"{'hottest' if kind == 0 else 'coldest'} {self.move_pages} "
                f"pages {src}->{dst}")

    def observe(self, epoch: EpochView) -> list[float]:
        """Updates the page scores with `epoch` and returns its observation."""
        for p in self._pages.values():
            p[0] *= self.decay
        total = 0
        for page, r, w, node in zip(epoch.page_numbers, epoch.reads,
                                    epoch.writes, epoch.page_nodes):
            a = r + w
            total += a
            entry = self._pages.get(page)
            if entry is None:
                self._pages[page] = [float(a), node]
            else:
                entry[0] += a
                entry[1] = node
        reads = sum(n.reads for n in epoch.nodes) or 1
        writes = sum(n.writes for n in epoch.nodes) or 1
        obs: list[float] = []
        for n in sorted(epoch.nodes, key=lambda x: x.node):
            cap = max(1, self.capacity_pages[n.node])
            obs += [n.reads / reads, n.writes / writes,
                    n.avg_read_latency_ns / 1000.0,
                    n.resident_pages / cap, n.free_pages / cap]
        hot = sorted(zip((r + w for r, w in zip(epoch.reads, epoch.writes)),
                         epoch.page_nodes), key=lambda x: -x[0])
        hot = hot[:self.hot_pages]
        shares = [a / max(1, total) for a, _ in hot]
        where = [node / max(1, self.nodes - 1) for _, node in hot]
        pad = [0.0] * (self.hot_pages - len(hot))
        obs += shares + pad + where + pad
        self._free = {n.node: n.free_pages for n in epoch.nodes}
        return obs

    def migrations(self, action: int) -> list[tuple[int, int]]:
        """The (page, node) moves `action` stands for, given the state."""
        if not 0 <= action < self.action_count:
            raise ValueError(f"action {action} out of range "
                             f"0..{self.action_count - 1}")
        if action == 0:
            return []
        pair, kind = divmod(action - 1, 2)
        src, dst = self.pairs()[pair]
        on_src = [(score, page) for page, (score, node) in self._pages.items()
                  if node == src]
        on_src.sort(key=lambda x: (-x[0], x[1]) if kind == 0 else (x[0], x[1]))
        room = getattr(self, "_free", {}).get(dst, self.move_pages)
        chosen = on_src[:max(0, min(self.move_pages, room))]
        for _, page in chosen:
            self._pages[page][1] = dst
        return [(page, dst) for _, page in chosen]

    def reward(self, start_tick: int, end_tick: int) -> float:
        return -(end_tick - start_tick) / self.ticks_per_second * 1e3


def epoch_from_proto(e, capacity_pages: list[int]) -> EpochView:
    return EpochView(
        epoch=e.epoch, start_tick=e.start_tick, end_tick=e.end_tick,
        nodes=[NodeView(n.node, capacity_pages[n.node], n.reads, n.writes,
                        n.avg_read_latency_ns, n.resident_pages, n.free_pages)
               for n in e.nodes],
        page_numbers=list(e.pages.page_numbers), reads=list(e.pages.reads),
        writes=list(e.pages.writes), page_nodes=list(e.pages.nodes))


def epoch_from_json(e: dict, capacity_pages: list[int]) -> EpochView:
    p = e.get("pages", {})
    return EpochView(
        epoch=e["epoch"], start_tick=e["start_tick"], end_tick=e["end_tick"],
        nodes=[NodeView(n["node"], capacity_pages[n["node"]], n["reads"],
                        n["writes"], n.get("avg_read_latency_ns", 0.0),
                        n["resident_pages"], n["free_pages"])
               for n in e["nodes"]],
        page_numbers=p.get("page_numbers", []), reads=p.get("reads", []),
        writes=p.get("writes", []), page_nodes=p.get("nodes", []))
