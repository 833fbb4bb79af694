"""Graceful shutdown: SIGTERM lets an open stream finish cleanly, then the process exits.

uvicorn re-raises the captured signal once it has shut down, so "exited" is 0 or -SIGTERM.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import httpx
import pytest

from tests.server._serve import free_port

KEY = "stratus_sk_test_shutdownKey01"


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
@pytest.mark.parametrize(
    ("path", "body", "last_line"),
    [
        (
            "/v1/chat/completions",
            {
                "model": "stratus-x1ac-small-gpt-4o",
                "stream": True,
                "messages": [{"role": "user", "content": "Find hotels in NYC"}],
            },
            "data: [DONE]",
        ),
        (
            "/v1/messages",
            {
                "model": "stratus-x1ac-small-gpt-4o",
                "stream": True,
                "max_tokens": 200,
                "messages": [{"role": "user", "content": "Find hotels in NYC"}],
            },
            'data: {"type":"message_stop"}',
        ),
    ],
)
def test_sigterm_lets_an_open_stream_finish(path: str, body: dict[str, object], last_line: str) -> None:
    port = free_port()
    env = {**os.environ, "STRATUS_STREAM_DELAY_MS": "150", "STRATUS_LOG_LEVEL": "warning"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "reference_server._cli", "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 20
        while True:
            try:
                if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "server did not start"
            time.sleep(0.05)
        lines: list[str] = []
        with httpx.stream(
            "POST", base + path, json=body, headers={"Authorization": f"Bearer {KEY}"}, timeout=10
        ) as response:
            assert response.status_code == 200
            started = time.monotonic()
            for line in response.iter_lines():
                if not lines and line:
                    proc.send_signal(signal.SIGTERM)
                lines.append(line)
        assert [line for line in lines if line][-1] == last_line
        # Pacing stops at the signal: the rest arrives at once, not one delay per event.
        assert time.monotonic() - started < 5
        assert proc.wait(timeout=15) in (0, -signal.SIGTERM)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
