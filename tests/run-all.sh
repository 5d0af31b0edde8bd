#!/usr/bin/env bash
# Runs every test suite of DeepMem.Gem5 and prints one closing line:
#   N passed, N failed, N skipped
# Suites: the C# xunit tests (dotnet test), the gem5-side Python tests
# (bridge, run loop, config generation) under /usr/bin/python3, and the gem5
# end-to-end tests, which skip unless DEEPMEM_GEM5 names a patched gem5.opt.
set -u
cd "$(dirname "$0")/.."
log_dir=$(mktemp -d)
trap 'rm -rf "$log_dir"' EXIT
status=0

echo "== C# tests (dotnet test)"
dotnet test DeepMem.Gem5.sln --nologo 2>&1 | tee "$log_dir/dotnet.log" || status=1

export PYTHONPATH="$PWD/gem5-patches/python:$PWD/python/deepmem_agents${PYTHONPATH:+:$PYTHONPATH}"
for suite in tests/bridge tests/agents tests/gem5; do
  [ -d "$suite" ] || continue
  echo "== Python tests ($suite)"
  /usr/bin/python3 -m unittest discover -s "$suite" -v 2>&1 | tee "$log_dir/$(basename "$suite").pylog" || status=1
done

/usr/bin/python3 - "$log_dir" "$status" <<'PY'
import glob, os, re, sys
log_dir, status = sys.argv[1], int(sys.argv[2])
passed = failed = skipped = 0
text = open(os.path.join(log_dir, "dotnet.log"), errors="replace").read()
runs = re.findall(r"(Passed|Failed)!\s+-\s+Failed:\s+(\d+),\s+Passed:\s+(\d+),\s+Skipped:\s+(\d+)", text)
if not runs:
    failed += 1
    print("no dotnet test summary found (build error?)")
for _, f, p, s in runs:
    failed += int(f); passed += int(p); skipped += int(s)
for path in sorted(glob.glob(os.path.join(log_dir, "*.pylog"))):
    t = open(path, errors="replace").read()
    ran = re.search(r"^Ran (\d+) tests?", t, re.M)
    if not ran:
        failed += 1
        print(f"no unittest summary in {os.path.basename(path)}")
        continue
    n = int(ran.group(1))
    bad = sum(int(x) for x in re.findall(r"(?:failures|errors|unexpected successes)=(\d+)", t.splitlines()[-1] if t.splitlines() else ""))
    m = re.search(r"^(?:OK|FAILED) \((.*)\)\s*$", t, re.M)
    s = int(re.search(r"skipped=(\d+)", m.group(1)).group(1)) if m and "skipped=" in m.group(1) else 0
    bad = sum(int(x) for x in re.findall(r"(?:failures|errors|unexpected successes)=(\d+)", m.group(1))) if m else bad
    failed += bad; skipped += s; passed += n - bad - s
if status and failed == 0:
    failed = 1
print(f"{passed} passed, {failed} failed, {skipped} skipped")
sys.exit(1 if failed else 0)
PY
