"""Bounded connections (issue 11), each checked with a raw socket client against a real uvicorn.

A chunked body without an end, a Content-Length larger than the body, a head that never ends (the
slowloris) and an idle keep-alive connection are each closed within the documented time; beyond the
connection cap a new connection is refused at once with 503.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
import uvicorn

from reference_server import Settings, create_app
from reference_server._connections import protocol_for
from tests.server._serve import free_port

# timed against the clock (timeouts of 1-1.5 s): never beside another such test (xdist)
pytestmark = pytest.mark.xdist_group("timing")

KEY = "stratus_sk_test_connections01"
LIMITS = Settings(header_timeout_s=1.0, body_timeout_s=1.5, keepalive_timeout_s=1.0, max_connections=40)


@contextmanager
def _server(settings: Settings) -> Iterator[int]:
    port = free_port()
    config = uvicorn.Config(
        create_app(settings),
        host="127.0.0.1",
        port=port,
        log_level="warning",
        http=protocol_for(settings),
        timeout_keep_alive=int(settings.keepalive_timeout_s),
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.01)
    try:
        yield port
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@pytest.fixture(scope="module")
def port() -> Iterator[int]:
    with _server(LIMITS) as p:
        yield p


def _connect(port: int) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", port), timeout=10)
    return sock


def _read_all(sock: socket.socket) -> tuple[bytes, float]:
    """Everything until the server closes; and how long that took."""
    t0 = time.monotonic()
    chunks = []
    try:
        while True:
            chunk = sock.recv(65536)
            if not chunk:
                break
            chunks.append(chunk)
    except ConnectionResetError:
        pass
    return b"".join(chunks), time.monotonic() - t0


def _head(path: str, extra: str) -> bytes:
    return (
        f"POST {path} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {KEY}\r\n"
        f"Content-Type: application/json\r\n{extra}\r\n"
    ).encode()


def _status_and_body(raw: bytes) -> tuple[int, dict[str, object]]:
    head, _, body = raw.partition(b"\r\n\r\n")
    return int(head.split(b" ", 2)[1]), json.loads(body)


def test_a_head_that_never_ends_gets_408(port: int) -> None:
    with _connect(port) as sock:
        sock.sendall(b"POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nX-Slow: 1\r\n")
        raw, took = _read_all(sock)
    status, body = _status_and_body(raw)
    assert status == 408
    assert "did not arrive within 1 s" in str(body)
    assert b"connection: close" in raw.lower()
    assert took < LIMITS.header_timeout_s + 2


def test_a_body_shorter_than_its_content_length_gets_408(port: int) -> None:
    with _connect(port) as sock:
        sock.sendall(_head("/v1/chat/completions", "Content-Length: 100\r\n") + b'{"model":')
        raw, took = _read_all(sock)
    status, body = _status_and_body(raw)
    assert status == 408
    assert body["error"]["code"] == "request_timeout"  # type: ignore[index]
    assert took < LIMITS.body_timeout_s + 2


def test_a_chunked_body_without_an_end_gets_408_in_the_anthropic_envelope(port: int) -> None:
    with _connect(port) as sock:
        sock.sendall(_head("/v1/messages", "Transfer-Encoding: chunked\r\n") + b'5\r\n{"mod\r\n')
        t0 = time.monotonic()
        for _ in range(3):  # keep dripping: the body timeout counts from the head, not from the last byte
            time.sleep(0.4)
            try:
                sock.sendall(b"1\r\n \r\n")
            except OSError:
                break
        raw, _ = _read_all(sock)
        took = time.monotonic() - t0
    status, body = _status_and_body(raw)
    assert status == 408
    assert body["type"] == "error"
    assert took < LIMITS.body_timeout_s + 2


def test_an_idle_connection_is_closed_without_an_answer(port: int) -> None:
    with _connect(port) as sock:
        raw, took = _read_all(sock)
    assert raw == b""
    assert took < LIMITS.header_timeout_s + 2


def test_keep_alive_connections_are_closed_when_idle(port: int) -> None:
    body = b'{"model":"stratus-x1ac-small","input":"hello"}'
    with _connect(port) as sock:
        sock.sendall(_head("/v1/embeddings", f"Content-Length: {len(body)}\r\n") + body)
        first = sock.recv(65536)
        assert first.startswith(b"HTTP/1.1 200")
        while b"\r\n\r\n" not in first:
            first += sock.recv(65536)
        rest, took = _read_all(sock)  # nothing more arrives; the server closes the idle connection
    assert took < LIMITS.keepalive_timeout_s + 2
    assert b"HTTP/1.1" not in rest


def test_a_complete_request_is_answered_normally(port: int) -> None:
    body = b'{"model":"stratus-x1ac-small","input":"hello"}'
    with _connect(port) as sock:
        sock.sendall(_head("/v1/embeddings", f"Content-Length: {len(body)}\r\nConnection: close\r\n") + body)
        raw, _ = _read_all(sock)
    assert raw.startswith(b"HTTP/1.1 200")


def test_slowloris_beyond_the_cap_is_refused_at_once_and_the_rest_reaped() -> None:
    settings = Settings(header_timeout_s=1.0, body_timeout_s=1.0, max_connections=30)
    with _server(settings) as port:
        held = []
        for _ in range(30):
            s = _connect(port)
            s.sendall(b"GET /v1/models HTTP/1.1\r\nHost: x\r\n")
            held.append(s)
        time.sleep(0.2)
        extra = []
        for _ in range(20):
            with _connect(port) as sock:
                raw, took = _read_all(sock)
            extra.append((raw, took))
        for raw, took in extra:
            assert raw.startswith(b"HTTP/1.1 503"), raw[:100]
            assert b"retry-after: 1" in raw
            assert took < 1.0
        # the held connections are answered 408 and closed by the header timeout
        t0 = time.monotonic()
        for s in held:
            raw, _ = _read_all(s)
            s.close()
            assert raw.startswith(b"HTTP/1.1 408")
        assert time.monotonic() - t0 < settings.header_timeout_s + 3
        # capacity is back
        body = b'{"model":"stratus-x1ac-small","input":"x"}'
        with _connect(port) as sock:
            sock.sendall(
                _head("/v1/embeddings", f"Content-Length: {len(body)}\r\nConnection: close\r\n") + body
            )
            raw, _ = _read_all(sock)
        assert raw.startswith(b"HTTP/1.1 200")


def test_a_slow_stream_is_not_cut_by_the_body_timeout() -> None:
    """The timers cover reading the request only: a response may take as long as it needs."""
    settings = Settings(header_timeout_s=0.5, body_timeout_s=0.5, stream_delay_ms=250)
    body = json.dumps(
        {
            "model": "stratus-x1ac-small-gpt-4o",
            "stream": True,
            "messages": [{"role": "user", "content": "Find hotels in NYC"}],
        }
    ).encode()
    with _server(settings) as port, _connect(port) as sock:
        sock.sendall(
            _head("/v1/chat/completions", f"Content-Length: {len(body)}\r\nConnection: close\r\n") + body
        )
        raw, took = _read_all(sock)
    assert raw.startswith(b"HTTP/1.1 200")
    assert b"data: [DONE]" in raw
    frames = raw.count(b"\ndata: ") + raw.count(b"\r\ndata: ")
    assert frames >= 5  # paced 250 ms apart: the answer took well past both timers
    assert took > 1.0
