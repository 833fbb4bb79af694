"""Starting a target: the reference server as a subprocess, or any ASGI app in a thread.

``reference_server`` is the one way this project starts ``stratus-reference serve`` for a run: the
conformance engine and the real-client matrix (``conformance/clients/_matrix``) both use it.
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

import httpx

__all__ = ["ServerFailed", "free_port", "reference_server", "serve_asgi"]


class ServerFailed(RuntimeError):
    """The reference server exited, or ``/health`` did not answer in time; the message says which
    and ends with the tail of its output."""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _tail(log: IO[bytes] | None, limit: int = 2000) -> str:
    if log is None:
        return ""
    log.flush()
    log.seek(0)
    return log.read().decode(errors="replace")[-limit:]


def _wait_healthy(
    base_url: str,
    timeout: float,
    proc: subprocess.Popen[bytes] | None = None,
    *,
    any_status: bool = False,
    log: IO[bytes] | None = None,
) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise ServerFailed(f"reference server exited with {proc.returncode}: {_tail(log)}")
        try:
            if any_status and httpx.get(f"{base_url}/health", timeout=1.0):
                return
            if any_status or httpx.get(f"{base_url}/health", timeout=1.0).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.05)
    raise ServerFailed(f"{base_url}/health did not answer 200 within {timeout:.0f}s: {_tail(log)}")


@contextlib.contextmanager
def reference_server(
    timeout: float = 60.0, *, api_keys: tuple[str, ...] = (), log_path: Path | None = None
) -> Iterator[str]:
    """Run ``stratus-reference serve`` on a free loopback port; yield its base URL.

    ``api_keys``: the only keys it accepts (``STRATUS_API_KEYS``; by default any well-formed key).
    Its output goes to ``log_path`` when given, else to a temporary file (never a pipe nobody reads,
    which a long run would fill); a start that fails raises ``ServerFailed`` with the output's tail.
    """
    port = free_port()
    cmd = [sys.executable, "-m", "reference_server._cli", "serve", "--host", "127.0.0.1", "--port", str(port)]
    env = {**os.environ, "STRATUS_API_KEYS": ",".join(api_keys)} if api_keys else None
    with contextlib.ExitStack() as stack:
        if log_path is not None:
            log_path.parent.mkdir(parents=True, exist_ok=True)
            log: IO[bytes] = stack.enter_context(log_path.open("w+b"))
        else:
            log = stack.enter_context(tempfile.TemporaryFile())
        # A session of its own: Ctrl-C in the terminal interrupts the suite, which then stops the server
        # (the server does not see the terminal's SIGINT and print its own traceback).
        proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, env=env, start_new_session=True)
        base = f"http://127.0.0.1:{port}"
        try:
            _wait_healthy(base, timeout, proc, log=log)
            yield base
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


@contextlib.contextmanager
def serve_asgi(app: Any, timeout: float = 30.0) -> Iterator[str]:
    """Serve an ASGI app with uvicorn in a background thread (one server per app)."""
    import uvicorn

    port = free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="error", lifespan="auto")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(base, timeout, any_status=True)
        yield base
    finally:
        server.should_exit = True
        thread.join(timeout=10)
