"""Python agents for DeepMem.Gem5 over deepmem.v1 (protos/deepmem.proto).

* `client`: one co-simulation session (Hello, then the lockstep stream);
* `backend`: start and stop a simulator from an experiment YAML
  (`deepmem serve` for the estimator, gem5 with `--controller grpc`);
* `features`: the observation, action and reward encoding (docs/agents.md);
* `env`: `DeepMemEnv`, the session as a Gymnasium-API environment;
* `policy_host`: runs an agent as a `python` policy of an experiment
  (JSON lines on stdin/stdout, see docs/agents.md);
* `agents`: small reference agents.

Only grpcio and protobuf are required. Import it with
`PYTHONPATH=python/deepmem_agents` or `pip install -e python/deepmem_agents`.
"""

from deepmem_agents.client import Session, SessionError  # noqa: F401
from deepmem_agents.backend import Backend, BackendError  # noqa: F401
from deepmem_agents.features import Features  # noqa: F401
from deepmem_agents.env import DeepMemEnv  # noqa: F401
