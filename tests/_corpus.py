"""The request corpus (`fixtures/requests/`) and an in-process client for the reference server.

Shared by `tests/corpus`, `tests/snapshots` and `tests/upstream`. A corpus file is one HTTP request:
`{"id", "description", "category", "method", "path", "headers", "body", "schema", "body_valid",
"stream", "expect_status"}` plus, rarely, `raw_body` (bytes that are not JSON) or `pad_to_bytes`
(the JSON body followed by whitespace up to that size, for 413). See `fixtures/requests/README.md`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from litestar import Litestar

from reference_server import Settings, create_app

__all__ = [
    "CORPUS_DIR",
    "CORPUS_KEY",
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
CORPUS_KEY = "stratus_sk_test_corpus00000000"
"""The fake, well-formed Stratus key every corpus request carries (open key store: any such key works)."""

REQUIRED_FIELDS = ("id", "description", "category", "method", "path", "headers", "body")
OPTIONAL_FIELDS = ("schema", "body_valid", "stream", "expect_status", "raw_body", "pad_to_bytes")


@dataclass(frozen=True)
class CorpusRequest:
    id: str
    description: str
    category: str
    method: str
    path: str
    headers: dict[str, str]
    body: Any
    schema: str | None
    body_valid: bool | None
    stream: bool
    expect_status: int
    raw_body: str | None = None
    pad_to_bytes: int | None = None

    @property
    def dialect(self) -> str:
        """`anthropic` for `/v1/messages...`, else `openai` (D-ERR-1)."""
        return "anthropic" if self.path.startswith("/v1/messages") else "openai"

    def content(self) -> bytes | None:
        """The bytes to send: the raw body, or the JSON body (padded with whitespace when asked)."""
        if self.raw_body is not None:
            return self.raw_body.encode()
        if self.body is None:
            return None
        data = json.dumps(self.body, ensure_ascii=False).encode()
        if self.pad_to_bytes is not None:
            data += b" " * max(0, self.pad_to_bytes - len(data))
        return data

    def secrets(self) -> list[str]:
        """Credentials this request carries (headers and BYOK body keys): never to be seen again."""
        found = [
            value.partition(" ")[2] if key.lower() == "authorization" else value
            for key, value in self.headers.items()
            if key.lower()
            in (
                "authorization",
                "x-api-key",
                "x-openai-key",
                "x-anthropic-key",
                "x-google-key",
                "x-openrouter-key",
            )
        ]
        if isinstance(self.body, dict):
            found += [
                str(self.body[k])
                for k in ("openai_key", "anthropic_key", "gemini_key", "openrouter_key")
                if k in self.body
            ]
        return [s for s in found if s]


def _load(path: Path) -> CorpusRequest:
    raw = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(raw, dict):
        raise TypeError(f"{path.name}: a corpus file holds one JSON object")
    unknown = set(raw) - set(REQUIRED_FIELDS) - set(OPTIONAL_FIELDS)
    missing = set(REQUIRED_FIELDS) - set(raw)
    if unknown or missing:
        raise ValueError(f"{path.name}: unknown fields {sorted(unknown)}, missing fields {sorted(missing)}")
    return CorpusRequest(
        id=raw["id"],
        description=raw["description"],
        category=raw["category"],
        method=raw["method"],
        path=raw["path"],
        headers=dict(raw["headers"]),
        body=raw["body"],
        schema=raw.get("schema"),
        body_valid=raw.get("body_valid"),
        stream=bool(raw.get("stream", False)),
        expect_status=int(raw.get("expect_status", 200)),
        raw_body=raw.get("raw_body"),
        pad_to_bytes=raw.get("pad_to_bytes"),
    )


def load_corpus() -> list[CorpusRequest]:
    """Every corpus request, sorted by id (file order never depends on the file system)."""
    return sorted((_load(p) for p in CORPUS_DIR.glob("*.json")), key=lambda r: r.id)


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
    text = raw.decode("utf-8")
    if headers.get("content-type", "").startswith("text/event-stream"):
        return ServerAnswer(resp.status_code, headers, None, parse_sse(text), raw)
    try:
        body: Any = json.loads(text) if text else None
    except ValueError:
        body = text
    return ServerAnswer(resp.status_code, headers, body, None, raw)
