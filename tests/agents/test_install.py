"""`pip install python/deepmem_agents` into a fresh venv, used from outside
the repository without DEEPMEM_REPO or PYTHONPATH: the wheel carries the
.proto and the loader (deepmem_agents/_bundled), and the env drives the
estimator's server through $DEEPMEM_CLI.

Offline (no index), so the build runs without isolation on this
interpreter's setuptools and wheel (Debian: python3-setuptools,
python3-wheel); skipped when they or venv are missing.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
import tempfile
import unittest
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "python" / "deepmem_agents"
CLI_DLL = next((ROOT / "src" / "DeepMem.Cli" / "bin" / c / "net10.0" /
                "deepmem.dll" for c in ("Release", "Debug")
                if (ROOT / "src" / "DeepMem.Cli" / "bin" / c / "net10.0" /
                    "deepmem.dll").is_file()), None)

CHECK = """
import sys
from pathlib import Path
import deepmem_agents
from deepmem_agents import _proto
pkg = Path(deepmem_agents.__file__).resolve()
assert "site-packages" in pkg.parts, pkg
pb2, pb2_grpc = _proto.load()
assert pb2.HelloRequest(protocol_version=2).protocol_version == 2
assert hasattr(pb2_grpc, "CoSimulationStub")
print("protocol from", Path(pb2.__file__).parent.name)
if len(sys.argv) > 1:
    from deepmem_agents import DeepMemEnv
    env = DeepMemEnv(sys.argv[1], backend="estimator")
    obs, info = env.reset()
    steps, total, done = 0, 0.0, False
    while not done:
        obs, r, done, _, info = env.step(3 if steps < 3 else 0)
        steps += 1
        total += r
    env.close()
    assert steps > 3 and total < 0, (steps, total)
    print(f"env: {steps} steps, return {total:.3f} ms")
"""


def skip_reason() -> str | None:
    for mod in ("venv", "ensurepip", "setuptools", "wheel"):
        if importlib.util.find_spec(mod) is None:
            return f"{sys.executable} has no {mod} (needed to build offline)"
    return None


@unittest.skipIf(skip_reason() is not None, skip_reason() or "")
class PipInstallTest(unittest.TestCase):
    def test_installed_copy_works_outside_the_repository(self):
        work = tempfile.mkdtemp(prefix="deepmem-agents-install-")
        self.addCleanup(shutil.rmtree, work, True)
        venv = os.path.join(work, "venv")
        subprocess.run([sys.executable, "-m", "venv",
                        "--system-site-packages", venv], check=True)
        py = os.path.join(venv, "bin", "python")
        env = {k: v for k, v in os.environ.items()
               if k not in ("PYTHONPATH", "DEEPMEM_REPO", "DEEPMEM_CLI")}
        env["DEEPMEM_PROTO_CACHE"] = os.path.join(work, "proto-cache")
        pip = subprocess.run(
            [py, "-m", "pip", "install", "-q", "--no-build-isolation",
             "--no-deps", "--no-index", str(PACKAGE)],
            cwd=work, env=env, capture_output=True, text=True, timeout=300)
        self.assertEqual(pip.returncode, 0, pip.stdout + pip.stderr)
        bundled = (Path(venv) / "lib" /
                   f"python{sys.version_info[0]}.{sys.version_info[1]}" /
                   "site-packages" / "deepmem_agents" / "_bundled")
        self.assertFalse((bundled / "deepmem.proto").is_symlink())
        self.assertEqual((bundled / "deepmem.proto").read_bytes(),
                         (ROOT / "protos" / "deepmem.proto").read_bytes())

        args = [py, "-c", CHECK]
        if CLI_DLL is not None:
            env["DEEPMEM_CLI"] = f"{shutil.which('dotnet') or 'dotnet'} {CLI_DLL}"
            args.append(str(ROOT / "configs" / "experiments" /
                            "quickstart.yaml"))
        run = subprocess.run(args, cwd=work, env=env, capture_output=True,
                             text=True, timeout=300)
        self.assertEqual(run.returncode, 0, run.stdout + run.stderr)
        self.assertIn("protocol from", run.stdout)
        if CLI_DLL is not None:
            self.assertIn("env: ", run.stdout)
        print("\n[install] " + run.stdout.strip().replace("\n", "; "),
              file=sys.stderr)

        # Without the CLI and outside the repository: a clear error.
        env.pop("DEEPMEM_CLI", None)
        env["PATH"] = os.path.dirname(py)
        nocli = subprocess.run(
            [py, "-c", "from deepmem_agents.backend import deepmem_command\n"
             "deepmem_command()"], cwd=work, env=env, capture_output=True,
            text=True, timeout=60)
        self.assertNotEqual(nocli.returncode, 0)
        self.assertIn("cannot find the deepmem CLI: set DEEPMEM_CLI",
                      nocli.stderr)


if __name__ == "__main__":
    unittest.main()
