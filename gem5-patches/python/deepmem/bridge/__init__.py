"""The gem5-side co-simulation bridge (grpcio; no `m5` anywhere).

* `protocol`: generates and imports the protobuf/grpc modules from
  `protos/deepmem.proto` at run time;
* `server`: the CoSimulation grpc server, its config and command-line
  options (`BridgeConfig`, `add_bridge_arguments`, `config_from_args`);
* `driver`: the lockstep loop over a `deepmem.events.SimulatorBackend`
  (`run_bridge(backend, config)` is the entry point for gem5 configs);
* `scripted`: a scripted `SimulatorBackend` and its command line, for
  contract tests without gem5;
* `bench_roundtrip`: round-trip time of an EpochEnded exchange.
"""
