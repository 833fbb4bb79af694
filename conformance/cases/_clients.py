"""Real-client cases: a check of the client matrix (``conformance/clients``) run against the target,
its result turned into a verdict, and every HTTP exchange the client made kept as the evidence.

Where a check runs (spec/DECISIONS.md D-CONF-8): the ``sdk`` venv's Python checks (openai, anthropic,
LangChain, pydantic-ai: the ``[sdk]`` extra) in this process through ``run_check`` with a capturing
``HttpLog``; the other Python clients (instructor, litellm, llama-index pin conflicting versions) by
the runner in ``.nox/clients-<venv>`` when that venv exists; the Node clients by ``node run.mjs``
when a Node >= 22 with the runner's packages is found (or installed, with ``--install-node``). Those
two print one result line carrying the exchanges (``--exchanges``). A client that is not there makes
the case ``unavailable`` with the command that installs it: never a pass.
"""

from __future__ import annotations

import contextlib
import os
import select
import subprocess
import tempfile
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Literal

import httpx

from conformance._case import CaseFailed, CaseSkipped, CaseUnavailable, Level, case
from conformance._context import Context, Exchange
from conformance.cases._awaiting import AWAITING_SERVER
from conformance.clients import CheckResult, Target
from conformance.clients._result import ResultLineError, WireExchange, parse_result_lines
from conformance.clients._target import DEFAULT_ANTHROPIC_MODEL
from conformance.clients._toolchain import (
    NODE_CACHE,
    NODE_PROJECT,
    RUNNER,
    VENV_ROOT,
    SetupError,
    find_node,
    find_python_venv,
    node_toolchain,
)

__all__ = [
    "AUTH_NEEDS",
    "STRATUS_NEEDS",
    "TOOL_NEEDS",
    "WRONG_KEY",
    "Client",
    "client_case",
    "run_client_check",
]

WRONG_KEY = "stratus_sk_bad"
"""What the auth-error checks send: outside the key grammar, so every deployment refuses it
(D-AUTH-2.1), where a well-formed key that was never issued is accepted by a server without a key list."""
CHECK_TIMEOUT_S = 30.0
TOOL_NEEDS = "a get_weather tool call, then a text answer after the tool result"
AUTH_NEEDS = "an HTTP 401 to a malformed key"
STRATUS_NEEDS = "an answer carrying a `stratus` object"
"""What the cases of every client need, in the same words (the `needs` column of the catalog)."""
_CLAUDE = DEFAULT_ANTHROPIC_MODEL.split("-", 3)[-1]
"""The Claude part of the Anthropic model id the checks send (`claude-sonnet-4-5`)."""

NODE_MISSING = (
    "needs Node >= 22 with the Node runner's packages, found neither in .cache/node nor on PATH: "
    "rerun with `stratus-conformance run --install-node` (Node 22 from npm into .cache/node, `npm ci` "
    "in conformance/clients/node), or install them once with `nox -s clients -- --runtime node`"
)


@dataclass(frozen=True)
class Client:
    """A client library as the cases see it: ``runtime`` and ``venv`` say where its checks run."""

    label: str
    runtime: Literal["python", "node"]
    venv: str = "sdk"

    @property
    def needs(self) -> str:
        if self.runtime == "node":
            return f"{self.label} (Node >= 22 with the runner's packages; --install-node)"
        if self.venv == "sdk":
            return f"{self.label} installed ([sdk] extra)"
        return f"{self.label} in its venv .nox/clients-{self.venv} (nox -s clients)"


def _target(ctx: Context) -> Target:
    model = ctx.target.model
    return Target(
        base_url=ctx.target.base_url,
        api_key=ctx.target.api_key,
        openai_model=model,
        anthropic_model=model if "claude" in model else f"{ctx.target.size_model}-{_CLAUDE}",
        wrong_key=WRONG_KEY,
        timeout_s=CHECK_TIMEOUT_S,
    )


def _exchange(wire: WireExchange) -> Exchange:
    return Exchange(
        method=wire.method,
        url=wire.url,
        request_headers=dict(wire.request_headers),
        request_body=wire.request_body.encode() if wire.request_body else None,
        status=wire.status,
        headers=httpx.Headers(list(wire.response_headers)),
        body=wire.response_body.encode(),
        elapsed=wire.elapsed_s,
    )


def _in_process(check_id: str, target: Target) -> CheckResult:
    from conformance.clients import checks as _checks
    from conformance.clients._http_log import HttpLog
    from conformance.clients._registry import CHECKS, run_check

    del _checks
    log = HttpLog(capture=True)
    try:
        return run_check(CHECKS[check_id], target, log)
    finally:
        log.uninstall()


def _runner_command(ctx: Context, client: Client) -> list[str]:
    """The runner for a client that lives in another process; unavailable when it is not installed."""
    if client.runtime == "node":

        def locate() -> Path | str | None:
            if ctx.options.get("install_node"):
                try:
                    return node_toolchain(NODE_CACHE)
                except SetupError as exc:
                    return f"--install-node could not install Node: {exc}"
            return find_node(NODE_CACHE)

        node = ctx.cached("client-runner-path:node", locate)
        if not isinstance(node, Path):
            raise CaseUnavailable(node or f"{client.label}: {NODE_MISSING}")
        return [str(node), str(NODE_PROJECT / "run.mjs")]
    python = find_python_venv(client.venv, VENV_ROOT)
    if python is None:
        raise CaseUnavailable(
            f"{client.label} runs in its own venv (its pins conflict with the [sdk] extra), not found at "
            f"{VENV_ROOT / f'clients-{client.venv}'}: create it with `nox -s clients -- --runtime python`"
        )
    return [str(python), str(RUNNER)]


class _Runner:
    """A runner kept for the whole run (``--serve``: a check id in, its result line out), so each
    client library is imported once; restarted when it dies, killed when a check outlives its limit."""

    def __init__(self, cmd: list[str], target: Target) -> None:
        self.args = [*cmd, "--serve", "--base-url", target.base_url, "--exchanges"]
        self.args += ["--wrong-key", target.wrong_key, "--timeout", str(target.timeout_s)]
        self.args += ["--openai-model", target.openai_model, "--anthropic-model", target.anthropic_model]
        self.env = {**os.environ, "STRATUS_API_KEY": target.api_key}
        self.limit = target.timeout_s + 30
        self.proc: subprocess.Popen[bytes] | None = None
        self.stderr: IO[bytes] | None = None
        self.pending = b""

    def _start(self) -> subprocess.Popen[bytes]:
        self.close()
        self.stderr = tempfile.TemporaryFile()  # noqa: SIM115  (lives as long as the runner)
        self.proc = subprocess.Popen(
            self.args,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self.stderr,
            env=self.env,
            start_new_session=True,
        )
        return self.proc

    def _stderr_tail(self) -> str:
        if self.stderr is None:
            return ""
        self.stderr.seek(0)
        return " | ".join(self.stderr.read().decode(errors="replace").strip().splitlines()[-5:])

    def _line(self, proc: subprocess.Popen[bytes], deadline: float) -> bytes | None:
        """The next line the runner prints; None when it exits first, TimeoutError at the deadline."""
        assert proc.stdout is not None
        fd = proc.stdout.fileno()
        while b"\n" not in self.pending:
            ready, _, _ = select.select([fd], [], [], max(0.0, deadline - time.monotonic()))
            if not ready:
                raise TimeoutError
            chunk = os.read(fd, 65536)
            if not chunk:
                return None
            self.pending += chunk
        line, _, self.pending = self.pending.partition(b"\n")
        return line

    def run(self, check_id: str, label: str) -> CheckResult:
        proc = self.proc if self.proc is not None and self.proc.poll() is None else self._start()
        assert proc.stdin is not None
        try:
            proc.stdin.write(check_id.encode() + b"\n")
            proc.stdin.flush()
        except OSError:
            tail = self._stderr_tail()
            self.close()
            raise CaseFailed(f"{label}: the runner exited before the check\n{tail}") from None
        deadline = time.monotonic() + self.limit
        while True:
            try:
                line = self._line(proc, deadline)
            except TimeoutError:
                self.close(kill=True)
                raise CaseFailed(f"{label}: the runner was still running after {self.limit:.0f} s") from None
            if line is None:
                tail = self._stderr_tail()
                self.close()
                raise CaseFailed(f"{label}: the runner exited without a result\n{tail}")
            try:
                results, _noise = parse_result_lines(line.decode(errors="replace"))
            except ResultLineError as exc:
                raise CaseFailed(f"{label}: unreadable runner output: {exc}") from None
            if results and results[0].check == check_id:
                return results[0]

    def close(self, *, kill: bool = False) -> None:
        if self.proc is not None:
            if kill:
                self.proc.kill()
            if self.proc.stdin:
                with contextlib.suppress(OSError):
                    self.proc.stdin.close()
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
            if self.proc.stdout:
                self.proc.stdout.close()
            self.proc = None
        if self.stderr is not None:
            self.stderr.close()
            self.stderr = None
        self.pending = b""


def _in_runner(ctx: Context, client: Client, check_id: str, target: Target) -> CheckResult:
    cmd = _runner_command(ctx, client)
    key = f"client-runner:{' '.join(cmd)}"

    def start() -> _Runner:
        runner = _Runner(cmd, target)
        ctx.run_closers.append(runner.close)
        return runner

    runner: _Runner = ctx.cached(key, start)
    return runner.run(check_id, client.label)


def run_client_check(ctx: Context, client: Client, check_id: str) -> None:
    """Run one matrix check against the target and decide the case by its result."""
    target = _target(ctx)
    if client.runtime == "python" and client.venv == "sdk":
        result = _in_process(check_id, target)
    else:
        if ctx.target.recording or ctx.target.replaying:
            raise CaseSkipped(
                f"{client.label} runs in another process, whose HTTP vcrpy cannot record or replay"
            )
        result = _in_runner(ctx, client, check_id, target)
    for wire in result.exchanges:
        ctx.record(_exchange(wire))
    if result.status == "pass":
        return
    if result.status == "unavailable":
        raise CaseUnavailable(f"{result.describe()} ({client.needs})")
    if ctx.target.replaying and not result.exchanges:
        raise CaseSkipped("no recorded exchange for this client's request under --replay")
    raise CaseFailed(_failure(result))


def _failure(result: CheckResult) -> str:
    """The first line is stable across runs (the console groups failures by it)."""
    described = result.describe()
    if result.cause == "server-http":
        return described
    lead = {
        "answer": "the answer failed the client's check",
        "timeout": "the client timed out",
        "exception": "the client raised",
    }.get(result.cause or "", "the check failed")
    return f"{lead}: {described}"


def client_case(
    id: str,
    *,
    client: Client,
    check: str,
    level: Level,
    title: str,
    sends: str,
    needs: str,
    requirement: str,
    sources: Iterable[str],
) -> None:
    """Register a case that runs matrix check ``check`` of ``client``.

    ``needs`` names the subject the client must get; the install it needs is prefixed. A case listed
    in ``AWAITING_SERVER`` runs as SHOULD, its requirement saying so, until that entry is removed."""
    awaiting = AWAITING_SERVER.get(id)
    if awaiting is not None and level is Level.MUST:
        level = Level.SHOULD
        requirement += f" [SHOULD until the reference server honours {awaiting}; then MUST: D-CONF-8]"

    def run(ctx: Context) -> None:
        run_client_check(ctx, client, check)

    case(
        id,
        level=level,
        profile="sdk",
        title=title,
        sends=sends,
        needs=f"{client.needs} and {needs}",
        requirement=requirement,
        sources=sources,
    )(run)
