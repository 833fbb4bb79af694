"""The request corpus (`fixtures/requests/`) and an in-process client for the reference server.

Shared by `tests/snapshots`, `tests/server` and `tests/upstream`. The format and its loader are the
snapshot command's (`conformance/_corpus.py`, `conformance/corpus-request.schema.json`); see
`fixtures/requests/README.md`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from litestar import Litestar

from conformance._corpus import CORPUS_KEY, CorpusRequest
from conformance._corpus import load_corpus as _load_corpus
from conformance._snapshot_doc import RawAnswer
from reference_server import Settings, create_app

__all__ = [
    "CORPUS_DIR",
    "CORPUS_KEY",
    "REQUIRED_FIELDS",
    "ROOT",
    "CorpusRequest",
    "ServerAnswer",
    "SseEvent",
    "asgi_client",
    "load_corpus",
    "parse_sse",
    "reference_settings",
    "send",
]

ROOT = Path(__file__).resolve().parent.parent
CORPUS_DIR = ROOT / "fixtures" / "requests"

REQUIRED_FIELDS = ("id", "description", "category", "method", "path", "headers", "body")
"""What the project's own corpus files always state (the format itself needs only method and path)."""


def load_corpus() -> list[CorpusRequest]:
    """Every request of `fixtures/requests/`, sorted by id (file order never depends on the file system)."""
    return _load_corpus(CORPUS_DIR)


def reference_settings() -> Settings:
    """Open key store (any well-formed key), mock headers on, no stream delay, default body limit."""
    return Settings(api_keys=(), keys_file=None, stream_delay_ms=0.0, mock_errors=True, log_level="warning")


def asgi_client(app: Litestar | None = None) -> httpx.AsyncClient:
    """An httpx client wired to the reference-server app in-process (no sockets); a fresh app by default."""
    asgi: Any = app or create_app(reference_settings())  # Litestar's precise ASGI types vs httpx's loose ones
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=asgi), base_url="http://reference.test", timeout=30
    )


@dataclass(frozen=True)
class SseEvent:
    event: str | None
    data: Any
    """Parsed JSON, or the raw string when it is not JSON (`[DONE]`)."""


@dataclass(frozen=True)
class ServerAnswer:
    status: int
    headers: dict[str, str]
    body: Any
    """Parsed JSON (or the text when not JSON) for plain answers; None for streams."""
    events: list[SseEvent] | None
    raw: bytes
    header_items: tuple[tuple[str, str], ...] = ()

    def raw_answer(self) -> RawAnswer:
        """The answer as the snapshot machinery takes it (what `stratus-conformance snapshot` reads)."""
        return RawAnswer(self.status, list(self.header_items), self.raw)


def parse_sse(text: str) -> list[SseEvent]:
    """Minimal WHATWG-style SSE parse: `event:` and (joined) `data:` lines per blank-line block."""
    events: list[SseEvent] = []
    name: str | None = None
    data: list[str] = []
    for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        if line == "":
            if data:
                joined = "\n".join(data)
                try:
                    value: Any = json.loads(joined)
                except ValueError:
                    value = joined
                events.append(SseEvent(name, value))
            name, data = None, []
            continue
        if line.startswith(":"):
            continue
        field, _, value_text = line.partition(":")
        value_text = value_text.removeprefix(" ")
        if field == "event":
            name = value_text
        elif field == "data":
            data.append(value_text)
    return events


async def send(client: httpx.AsyncClient, req: CorpusRequest) -> ServerAnswer:
    """Send one corpus request and read the answer completely (streams to the end)."""
    async with client.stream(req.method, req.path, headers=req.headers, content=req.content()) as resp:
        raw = await resp.aread()
    headers = {k.lower(): v for k, v in resp.headers.items()}
    items = tuple((k.lower(), v) for k, v in resp.headers.multi_items())
    text = raw.decode("utf-8")
    if headers.get("content-type", "").startswith("text/event-stream"):
        return ServerAnswer(resp.status_code, headers, None, parse_sse(text), raw, items)
    try:
        body: Any = json.loads(text) if text else None
    except ValueError:
        body = text
    return ServerAnswer(resp.status_code, headers, body, None, raw, items)
