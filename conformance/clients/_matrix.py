"""`python -m conformance.clients matrix`: the whole real-client matrix (what `nox -s clients` runs).

Installs each Python client venv (uv) and the Node toolchain (Node 22 from npm into .cache/node, then
`npm ci`), starts the reference server on a free loopback port unless --base-url names a deployment,
runs every runner, and writes reports/clients/matrix.{json,md}. Exit status 1 when a check fails that
the limitations table does not explain, 3 when the reference server does not start.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import secrets
import subprocess
import sys
import time
from pathlib import Path

from conformance._server import ServerFailed, reference_server

from . import _report
from ._envs import PYTHON_VENVS
from ._result import CheckResult, ResultLineError, parse_result_lines
from ._target import Target
from ._toolchain import NODE_PROJECT, RUNNER, SetupError, node_toolchain, python_venv

__all__ = ["main"]


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
        contextlib.nullcontext(args.base_url)
        if args.base_url
        else reference_server(120.0, api_keys=(key,), log_path=out / "server.log")
    )
    try:
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
    except ServerFailed as exc:
        print(f"the reference server did not start (see {out / 'server.log'}): {exc}", file=sys.stderr)
        return 3

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
