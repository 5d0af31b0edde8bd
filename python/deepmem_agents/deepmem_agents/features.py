"""Observation, action and reward of a placement agent (docs/agents.md).

The same encoding serves the env (`env.DeepMemEnv`, over deepmem.v1) and
an agent run as an experiment's `python` policy (`policy_host`), so an
agent trained in one runs unchanged in the other.

Observation (floats, length 8*N + 2*K for N nodes, K = `hot_pages`):
  per node n (node order): read share, write share of the epoch's
  accesses; mean read latency in us; resident pages / capacity; free
  pages / capacity. Then the K hottest pages of the epoch (accesses
  descending): each page's share of the epoch's accesses, then each
  page's node / max(1, N-1). Missing entries are 0. Then per node
  (node order), shares of the total hotness (below): of the node's
  pages; of its `move_pages` hottest; of its `move_pages` coldest.

Action (integer in 0 .. 1 + 3*P - 1, P = N*(N-1) ordered node pairs
(src, dst), src != dst, in order (0,1), (0,2), ..., (1,0), ...):
  0: no-op. a-1 < 2*P: a-1 = (pair * 2 + kind); kind 0 moves the
  `move_pages` hottest pages on src to dst (promotion when dst is
  faster), kind 1 the `move_pages` coldest; at most dst's free pages
  move. a-1 >= 2*P: exchange over pair a-1-2*P: the `move_pages` hottest
  pages on src go to dst; when dst has no free page for one, dst's
  coldest page goes to src first, and only while that page is colder
  than the one it makes room for. Hotness is an exponentially decayed
  access count per page (`decay` per epoch) over every page seen so far.

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
        return 8 * self.nodes + 2 * self.hot_pages

    @property
    def action_count(self) -> int:
        return 1 + 3 * self.nodes * (self.nodes - 1)

    def reset(self) -> None:
        self._pages.clear()

    def pairs(self) -> list[tuple[int, int]]:
        return [(s, d) for s in range(self.nodes) for d in range(self.nodes)
                if s != d]

    def describe(self, action: int) -> str:
        if action == 0:
            return "no-op"
        pairs = self.pairs()
        if action - 1 >= 2 * len(pairs):
            src, dst = pairs[action - 1 - 2 * len(pairs)]
            return f"exchange {self.move_pages} pages {src}<->{dst}"
        pair, kind = divmod(action - 1, 2)
        src, dst = pairs[pair]
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
        obs += self._hotness_summary()
        self._free = {n.node: n.free_pages for n in epoch.nodes}
        return obs

    def _hotness_summary(self) -> list[float]:
        per_node: list[list[float]] = [[] for _ in range(self.nodes)]
        for score, node in self._pages.values():
            if 0 <= node < self.nodes:
                per_node[node].append(score)
        total = sum(sum(x) for x in per_node) or 1.0
        out: list[float] = []
        k = self.move_pages
        for scores in per_node:
            scores.sort()
            out += [sum(scores) / total, sum(scores[-k:]) / total,
                    sum(scores[:k]) / total]
        return out

    def _ranked(self, node: int, hottest: bool) -> list[tuple[float, int]]:
        on = [(score, page) for page, (score, n) in self._pages.items()
              if n == node]
        on.sort(key=lambda x: (-x[0], x[1]) if hottest else (x[0], x[1]))
        return on

    def migrations(self, action: int) -> list[tuple[int, int]]:
        """The (page, node) moves `action` stands for, given the state."""
        if not 0 <= action < self.action_count:
            raise ValueError(f"action {action} out of range "
                             f"0..{self.action_count - 1}")
        if action == 0:
            return []
        pairs = self.pairs()
        free = getattr(self, "_free", {})
        if action - 1 >= 2 * len(pairs):
            src, dst = pairs[action - 1 - 2 * len(pairs)]
            return self._exchange(src, dst, free.get(dst, self.move_pages),
                                  free.get(src, self.move_pages))
        pair, kind = divmod(action - 1, 2)
        src, dst = pairs[pair]
        room = free.get(dst, self.move_pages)
        chosen = self._ranked(src, kind == 0)[:max(0, min(self.move_pages,
                                                           room))]
        for _, page in chosen:
            self._pages[page][1] = dst
        return [(page, dst) for _, page in chosen]

    def _exchange(self, src: int, dst: int, room_dst: int,
                  room_src: int) -> list[tuple[int, int]]:
        hot = self._ranked(src, True)[:self.move_pages]
        cold = iter(self._ranked(dst, False))
        moves: list[tuple[int, int]] = []
        for score, page in hot:
            if room_dst <= 0:
                victim = next(cold, None)
                if victim is None or victim[0] >= score or room_src <= 0:
                    break
                moves.append((victim[1], src))  # room first: applied in order
                room_src -= 1
                room_dst += 1
            moves.append((page, dst))
            room_dst -= 1
            room_src += 1
        for page, node in moves:
            self._pages[page][1] = node
        return moves

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
