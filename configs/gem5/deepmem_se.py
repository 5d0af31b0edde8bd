# DeepMem.Gem5: run a static x86-64 binary on an N-node heterogeneous memory
# system in gem5 SE mode (patched gem5 v24.0.0.1, see gem5-patches/README).
#
#   gem5.opt [-d OUTDIR] configs/gem5/deepmem_se.py \
#       --node dram:ddr4:64MiB --node nvm:nvm:256MiB --policy local \
#       [--cpu timing|o3] [--epoch-insts N] \
#       [--trace t.jsonl.gz --window-insts K] BINARY [ARGS...]
#
# `--controller grpc` serves the run to the DeepMem controller (the bridge
# in gem5-patches/python/deepmem/bridge); without it the run uses the
# default policy and the program's own system calls. Options: docs/gem5.md;
# what a controller may rely on (port line, exit codes, result record): the
# header of protos/deepmem.proto and deepmem/contract.py.

import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "gem5-patches", "python"))

import m5  # noqa: E402

from deepmem import contract  # noqa: E402
from deepmem import events as ev  # noqa: E402
from deepmem import gem5run  # noqa: E402
from deepmem import system as dm_system  # noqa: E402
from deepmem.options import OptionsError, RunOptions, parse  # noqa: E402
from deepmem.safeio import flush, ignore_sigpipe, say  # noqa: E402


def make_consumer(opts: RunOptions) -> gem5run.Consumer:
    """What drives the backend: the standalone loop, or the grpc bridge."""
    if opts.controller == "none":
        return gem5run.standalone
    if opts.controller == "hot-promote":
        from deepmem.demo import HotPromote

        demo = HotPromote()

        def consume(backend):
            final = demo(backend)
            say(f"DEEPMEM_DEMO placed={demo.placed} "
                f"promoted={demo.promoted} epochs={demo.epochs} "
                f"rejected={len(demo.rejected)}", file=sys.stdout)
            return final

        return consume
    from deepmem.bridge.driver import run_bridge
    from deepmem.bridge.server import BridgeConfig

    config = BridgeConfig(
        host=opts.bridge_host, allow_remote=opts.bridge_allow_remote,
        port=opts.bridge_port, port_file=opts.bridge_port_file,
        token=opts.bridge_token,
        reply_timeout_s=opts.bridge_reply_timeout_s,
        connect_timeout_s=opts.bridge_connect_timeout_s,
        fallback=opts.bridge_fallback)
    problems = config.problems()
    if problems:
        for p in problems:
            say(f"deepmem_se.py: bridge: {p}")
        sys.exit(contract.USAGE_EXIT)
    return lambda backend: run_bridge(backend, config).final


def main() -> int:
    # gem5's stdout and stderr may be pipes to a controller that dies: no
    # write may end the run (deepmem.safeio).
    ignore_sigpipe()
    try:
        opts = parse(sys.argv[1:])
    except OptionsError as e:
        for p in e.problems:
            say(f"deepmem_se.py: {p}")
        return contract.USAGE_EXIT
    outdir = m5.options.outdir
    built = dm_system.build(opts, outdir)
    backend = gem5run.Gem5Backend(built, outdir)
    final = gem5run.run(backend, make_consumer(opts))
    if isinstance(final, ev.Finished):
        sig = backend.fatal_signal()
        if sig:
            say(f"{contract.KILLED_LINE_PREFIX}signal={sig} "
                f"name={gem5run.signal_name(sig)}", file=sys.stdout)
        say(f"{contract.FINISHED_LINE_PREFIX}exit_code={final.exit_code} "
            f"ticks={final.ticks} instructions={final.instructions} "
            f"migrated_pages={final.migrated_pages} "
            f"host_seconds={backend.host_seconds:.2f}", file=sys.stdout)
        return (final.exit_code & 0xff if final.exit_code >= 0
                else contract.FAILED_EXIT)
    reason = getattr(final, "reason", "no final event")
    say(f"{contract.FAILED_LINE_PREFIX}{reason}", file=sys.stdout)
    return contract.FAILED_EXIT


status = main()
flush()
sys.exit(status)
