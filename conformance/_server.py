"""Starting a target: the reference server as a subprocess, or any ASGI app in a thread."""

from __future__ import annotations

import contextlib
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from typing import Any

import httpx

__all__ = ["free_port", "reference_server", "serve_asgi"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _wait_healthy(
    base_url: str, timeout: float, proc: subprocess.Popen[bytes] | None = None, *, any_status: bool = False
) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            err = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
            raise RuntimeError(f"reference server exited with {proc.returncode}: {err[-2000:]}")
        try:
            if any_status and httpx.get(f"{base_url}/health", timeout=1.0):
                return
            if any_status or httpx.get(f"{base_url}/health", timeout=1.0).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.05)
    raise RuntimeError(f"{base_url}/health did not answer 200 within {timeout:.0f}s")


@contextlib.contextmanager
def reference_server(timeout: float = 60.0) -> Iterator[str]:
    """Run ``stratus-reference serve`` on a free loopback port; yield its base URL."""
    port = free_port()
    cmd = [sys.executable, "-m", "reference_server._cli", "serve", "--host", "127.0.0.1", "--port", str(port)]
    # A session of its own: Ctrl-C in the terminal interrupts the suite, which then stops the server
    # (the server does not see the terminal's SIGINT and print its own traceback).
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(base, timeout, proc)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        if proc.stderr:
            proc.stderr.close()


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
