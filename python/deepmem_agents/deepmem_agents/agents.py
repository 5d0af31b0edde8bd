"""Reference agents: `act(observation) -> action` over `features.Features`.

An agent is a class constructed as `Agent(features, **options)` with
`act(obs) -> int`; optionally `place_region(region: dict)` returning
None (default placement) or (mode, nodes[, weights]).
"""

from __future__ import annotations

import random

from deepmem_agents.features import Features


class NoOp:
    """Never migrates: the simulator's first-touch placement."""

    def __init__(self, features: Features, **_):
        self.features = features

    def act(self, obs) -> int:
        return 0


class RandomAgent:
    def __init__(self, features: Features, seed: int = 0, **_):
        self.features = features
        self.rng = random.Random(seed)

    def act(self, obs) -> int:
        return self.rng.randrange(self.features.action_count)


class HotPromote:
    """Promote the hottest slow pages to the fast node; when the fast node
    is nearly full, demote its coldest pages first."""

    def __init__(self, features: Features, fast: int = 0, slow: int = 1,
                 low_free: float = 0.02, **_):
        self.f = features
        self.fast, self.slow, self.low_free = fast, slow, low_free
        pairs = features.pairs()
        self.promote = 1 + 2 * pairs.index((slow, fast))
        self.demote = 1 + 2 * pairs.index((fast, slow)) + 1

    def act(self, obs) -> int:
        free_fraction = obs[5 * self.fast + 4]
        return self.demote if free_fraction < self.low_free else self.promote
