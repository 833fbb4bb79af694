"""Graceful shutdown: SIGTERM lets an open stream finish cleanly, then the process exits.

uvicorn re-raises the captured signal once it has shut down, so "exited" is 0 or -SIGTERM.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from tests.server._serve import free_port

# timed against the clock with servers in subprocesses: never beside another such test (xdist)
pytestmark = pytest.mark.xdist_group("timing")

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


def _stream(base: str, path: str, body: dict[str, object], started: threading.Barrier) -> list[str]:
    lines: list[str] = []
    with httpx.stream(
        "POST", base + path, json=body, headers={"Authorization": f"Bearer {KEY}"}, timeout=30
    ) as response:
        assert response.status_code == 200
        for line in response.iter_lines():
            if line and not lines:
                started.wait(timeout=30)
            if line:
                lines.append(line)
    return lines


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
def test_sigterm_with_two_workers_ends_twenty_streams_cleanly() -> None:
    """Issue 11: with --workers 2, SIGTERM cut every open stream at the grace timeout, with tracebacks.
    Now each worker runs the shutdown-aware server: every stream ends with its terminal event at once."""
    port = free_port()
    env = {
        **os.environ,
        # every stream takes longer than the grace period unless the shutdown ends its pacing
        "STRATUS_STREAM_DELAY_MS": "1000",
        "STRATUS_GRACEFUL_SHUTDOWN_S": "5",
        "STRATUS_LOG_LEVEL": "info",
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "reference_server._cli", "serve", "--port", str(port), "--workers", "2"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    log_lines: list[str] = []
    # the log is read as it comes, so the test starts only once both workers say they are up
    # (a worker still importing when SIGTERM arrives dies without its shutdown lines)
    assert proc.stderr is not None
    stderr = proc.stderr
    reader = threading.Thread(target=lambda: log_lines.extend(iter(stderr.readline, "")), daemon=True)
    reader.start()
    try:
        deadline = time.monotonic() + 90
        while sum("Application startup complete" in line for line in list(log_lines)) < 2:
            assert proc.poll() is None, "".join(log_lines)[-3000:]
            assert time.monotonic() < deadline, "workers did not start: " + "".join(log_lines)[-3000:]
            time.sleep(0.1)
        assert httpx.get(f"{base}/health", timeout=5).status_code == 200
        chat = {
            "model": "stratus-x1ac-small-gpt-4o",
            "stream": True,
            "messages": [{"role": "user", "content": "Find hotels in NYC for the weekend of the conference"}],
        }
        message = {**chat, "max_tokens": 300}
        started = threading.Barrier(21)
        with ThreadPoolExecutor(20) as pool:
            futures = [
                pool.submit(
                    _stream,
                    base,
                    "/v1/chat/completions" if i % 2 else "/v1/messages",
                    chat if i % 2 else message,
                    started,
                )
                for i in range(20)
            ]
            started.wait(timeout=60)
            t0 = time.monotonic()
            proc.send_signal(signal.SIGTERM)
            results = [f.result(timeout=60) for f in futures]
            took = time.monotonic() - t0
        for i, lines in enumerate(results):
            assert lines[-1] == ("data: [DONE]" if i % 2 else 'data: {"type":"message_stop"}'), lines[-3:]
        assert took < 3, took  # pacing stopped at the signal; inside the 5 s grace period
        proc.wait(timeout=30)
        reader.join(timeout=10)
        log = "".join(log_lines)
        assert "Traceback" not in log, log[-3000:]
        assert "Cancel" not in log, log[-3000:]
        assert log.count("Finished server process") == 2
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        reader.join(timeout=10)  # the pipe is at its end once the process is gone
        if proc.stderr:
            proc.stderr.close()


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("first", "last"),
    [
        (b'data: {"id":"x"}\n\n', b"data: [DONE]\n\n"),
        (b'event: message_start\ndata: {"type":"message_start"}\n\n', b"event: error\n"),
    ],
)
async def test_a_stream_waiting_on_a_provider_ends_with_the_dialect_error_at_the_deadline(
    first: bytes, last: bytes
) -> None:
    """Upstream streams wait on the provider: at shutdown they get until the grace period's end
    (less a second), then end with the dialect's in-stream error instead of being cut."""
    import asyncio

    from reference_server._sse import SHUTDOWN, with_keepalive

    async def provider() -> AsyncIterator[bytes]:
        yield first
        await asyncio.sleep(60)
        yield b"never"

    out: list[bytes] = []
    try:
        t0 = time.monotonic()
        stream = with_keepalive(provider(), 15.0)
        out.append(await anext(stream))
        SHUTDOWN.set(1.5)
        out.extend([event async for event in stream])
        took = time.monotonic() - t0
    finally:
        SHUTDOWN.requested, SHUTDOWN.deadline = False, float("inf")
    assert out[0] == first
    assert len(out) == 2
    assert last in out[1]
    assert b"shutting down" in out[1]
    assert took < 2.0


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("done", "expected"), [(b"data: [DONE]\n\n", b"data: [DONE]\n\n"), (None, b"event: error\n")]
)
async def test_a_provider_silent_from_the_start_gets_its_dialects_error(
    done: bytes | None, expected: bytes
) -> None:
    """Before its first event a stream cannot tell its dialect by its frames: `sse_answer` says it
    (an Anthropic client waiting on the provider's `message_start` gets `event: error`)."""
    import asyncio

    from reference_server import Settings
    from reference_server._frames import sse_answer
    from reference_server._sse import SHUTDOWN

    async def provider() -> AsyncIterator[bytes]:
        await asyncio.sleep(60)
        yield b"never"

    response = sse_answer(
        provider(), Settings(sse_keepalive_s=15.0), live=True, fail_after=None, mock_error=b"", done=done
    )
    try:
        SHUTDOWN.set(1.2)
        out = [event async for event in response.iterator]  # type: ignore[attr-defined]
    finally:
        SHUTDOWN.requested, SHUTDOWN.deadline = False, float("inf")
    assert len(out) == 1
    assert expected in out[0]
    assert b"shutting down" in out[0]
