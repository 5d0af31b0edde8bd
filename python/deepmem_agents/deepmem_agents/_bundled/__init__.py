"""What a pip-installed copy needs from the repository, copied in at build
time: protos/deepmem.proto and the gem5 side's protocol loader
(gem5-patches/python/deepmem/bridge/protocol.py). Both are symbolic links
in the repository (one source of truth); a wheel holds the files."""
