"""`DeepMemEnv`: one deepmem.v1 session as a Gymnasium-API environment.

    env = DeepMemEnv("configs/experiments/quickstart.yaml")   # estimator
    obs, info = env.reset(seed=0)
    while True:
        obs, reward, terminated, truncated, info = env.step(action)
        if terminated or truncated: break
    env.close()

A step is one epoch: the action answers the pending EpochEnded (see
`features` for observation, action and reward), then the env runs on to
the next EpochEnded, answering RegionCreated with `region_placement`
(default: the simulator's default, first touch) and skipping FellBack /
Progress. The episode ends at Finished (terminated) or Failed (an
exception naming the reason). The env starts the backend itself
(`backend.Backend`) and stops it on close(); a backend that dies raises
BackendError naming its exit status and output.

`gymnasium` is used when installed (the env is then a gymnasium.Env and
its spaces are gymnasium spaces); it is not required.
"""

from __future__ import annotations

import random

from deepmem_agents.backend import Backend, BackendError
from deepmem_agents.client import Session, SessionError
from deepmem_agents.features import Features, epoch_from_proto

try:  # optional
    import gymnasium as _gym
    import numpy as _np
except ImportError:  # pragma: no cover - depends on the machine
    _gym = None
    _np = None


class Discrete:
    """Stand-in for gymnasium.spaces.Discrete when gymnasium is absent."""

    def __init__(self, n: int, seed: int | None = None):
        self.n = n
        self._rng = random.Random(seed)

    def sample(self) -> int:
        return self._rng.randrange(self.n)

    def contains(self, x) -> bool:
        return isinstance(x, int) and 0 <= x < self.n


class Box:
    """Stand-in for gymnasium.spaces.Box (low 0, high +inf)."""

    def __init__(self, shape: tuple[int, ...]):
        self.shape = shape
        self.low = 0.0
        self.high = float("inf")

    def contains(self, x) -> bool:
        return len(x) == self.shape[0]


_Base = _gym.Env if _gym is not None else object


class DeepMemEnv(_Base):
    metadata = {"render_modes": []}

    def __init__(self, experiment: str | None, backend="estimator",
                 point: int = 0, hot_pages: int = 16, move_pages: int = 32,
                 decay: float = 0.5, region_placement=None,
                 reply_timeout_s: float = 30.0,
                 event_timeout_s: float = 600.0,
                 backend_args: list[str] | None = None):
        # backend: "estimator" or "gem5" (started from `experiment`), or
        # an object with start_session_server/check/close (ProcessBackend).
        self.backend = (Backend(experiment, backend, point,
                                reply_timeout_s=reply_timeout_s,
                                extra_args=backend_args)
                        if isinstance(backend, str) else backend)
        self.region_placement = region_placement
        self.event_timeout_s = event_timeout_s
        self._feature_args = dict(hot_pages=hot_pages, move_pages=move_pages,
                                  decay=decay)
        self.session: Session | None = None
        self.features: Features | None = None
        self._pending = None
        self._last_end = 0
        self.result = None
        # The machine is known after the first Hello: start one session now.
        self._open()
        n = self.features.nodes
        if _gym is not None:
            self.observation_space = _gym.spaces.Box(
                low=0.0, high=float("inf"),
                shape=(self.features.observation_size,), dtype=_np.float32)
            self.action_space = _gym.spaces.Discrete(
                self.features.action_count)
        else:
            self.observation_space = Box((self.features.observation_size,))
            self.action_space = Discrete(self.features.action_count)
        self.node_names = [nd.name for nd in self.machine.nodes][:n]

    # ------------------------------------------------------------ api

    def reset(self, *, seed: int | None = None, options=None):
        if seed is not None and hasattr(self.action_space, "seed"):
            self.action_space.seed(seed)
        if self.session is None or self._used:
            self._open()
        self._used = True
        obs, info = self._advance()
        if obs is None:  # finished before the first epoch
            obs = [0.0] * self.features.observation_size
        return self._out(obs), info

    def step(self, action):
        if self._pending is None:
            raise RuntimeError("step() after the episode ended; call reset()")
        action = int(action)
        try:
            moves = self.features.migrations(action)
        except ValueError as exc:
            raise ValueError(f"{exc} ({self.features.describe(0)} = 0)") \
                from None
        self._call(lambda: self.session.reply(self._pending,
                                              migrations=moves))
        event = self._pending
        obs, info = self._advance()
        info["moved"] = len(moves)
        info["action"] = self.features.describe(action)
        terminated = obs is None
        if terminated:
            fin = self.result
            reward = self.features.reward(self._last_end, fin.ticks)
            obs = [0.0] * self.features.observation_size
        else:
            reward = info.pop("_reward")
        del event
        return self._out(obs), reward, terminated, False, info

    def close(self) -> None:
        if self.session is not None:
            self.session.close()
            self.session = None
        self.backend.close()

    # ---------------------------------------------------------- inner

    @property
    def machine(self):
        return self.session.machine

    def _open(self) -> None:
        if self.session is not None:
            self.session.close()
        port = self._call(self.backend.start_session_server)
        self.session = self._call(lambda: Session.connect(
            port, event_timeout_s=self.event_timeout_s))
        m = self.session.machine
        caps = [n.capacity_bytes // (m.page_size or 4096) for n in
                sorted(m.nodes, key=lambda x: x.id)]
        if self.features is None:
            self.features = Features(nodes=len(caps), capacity_pages=caps,
                                     ticks_per_second=float(
                                         m.ticks_per_second or 1e12),
                                     **self._feature_args)
        self.features.reset()
        self._pending = None
        self._last_end = 0
        self.result = None
        self._used = False
        self.rejected = 0

    def _call(self, fn):
        try:
            return fn()
        except SessionError as exc:
            died = self.backend.check("stopped mid-session")
            if died is not None:
                raise died from exc
            raise

    def _advance(self):
        """Run on to the next EpochEnded; (obs, info) or (None, info)."""
        info: dict = {}
        while True:
            ev = self._call(self.session.next_event)
            if ev.HasField("previous_reply"):
                self.rejected += ev.previous_reply.rejected
                info["rejected"] = info.get("rejected", 0) + \
                    ev.previous_reply.rejected
            kind = ev.WhichOneof("event")
            if kind == "region_created":
                self._call(lambda: self.session.reply(
                    ev, placement=self.region_placement))
            elif kind == "epoch_ended":
                e = ev.epoch_ended
                view = epoch_from_proto(e, self.features.capacity_pages)
                obs = self.features.observe(view)
                info["_reward"] = self.features.reward(e.start_tick,
                                                       e.end_tick)
                info["epoch"] = e.epoch
                self._last_end = e.end_tick
                self._pending = ev
                return obs, info
            elif kind == "finished":
                self.result = ev.finished
                self._pending = None
                info["simulated_seconds"] = ev.finished.simulated_seconds
                info["migrated_pages"] = ev.finished.migrated_pages
                return None, info
            elif kind == "failed":
                self._pending = None
                raise BackendError(f"the simulator failed: "
                                   f"{ev.failed.reason}")
            # fell_back / progress: nothing to answer

    def _out(self, obs):
        return _np.asarray(obs, dtype=_np.float32) if _np is not None \
            else obs
