"""Snapshot documents: what one request and its answer become, and the one serializer.

A document is ``{"request": ..., "status": ..., "headers": {...}, "body": ...}``, or for an event
stream ``"events": [{"event": ..., "data": ...}, ...]`` instead of ``body``. The request is the
corpus file as sent (secret headers and BYOK body keys redacted); every string of the answer is
scrubbed of key-shaped tokens and of the request's own secrets. ``dumps`` is the only serializer:
the CLI writes it and the syrupy extension returns it, so both produce the same files.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import httpx

from conformance._corpus import CorpusRequest
from conformance._redact import redact_body, redact_headers, redact_text
from conformance._sse import parse_stream

__all__ = ["RawAnswer", "TimedOut", "build_document", "dumps", "fetch", "loads", "request_record"]

_TOP = ("request", "status", "headers", "body", "events")
REDACTED = "REDACTED"


@dataclass(frozen=True)
class RawAnswer:
    status: int
    headers: list[tuple[str, str]]
    content: bytes
    elapsed_s: float = 0.0


class TimedOut(Exception):
    """The target did not answer completely within the request's time limit."""


def fetch(client: httpx.Client, req: CorpusRequest, headers: dict[str, str], timeout_s: float) -> RawAnswer:
    """Send one request and read the whole answer (a stream to its end) within ``timeout_s``."""
    start = time.monotonic()
    deadline = start + timeout_s
    chunks: list[bytes] = []
    try:
        with client.stream(
            req.method, req.path, headers=headers, content=req.content(), timeout=timeout_s
        ) as resp:
            for chunk in resp.iter_bytes():
                chunks.append(chunk)
                if time.monotonic() > deadline:
                    raise TimedOut(f"no complete answer within {timeout_s:g} s (still streaming)")
    except httpx.TimeoutException as exc:
        raise TimedOut(f"no complete answer within {timeout_s:g} s ({type(exc).__name__})") from None
    return RawAnswer(
        status=resp.status_code,
        headers=[(k.lower(), v) for k, v in resp.headers.multi_items()],
        content=b"".join(chunks),
        elapsed_s=time.monotonic() - start,
    )


def request_record(req: CorpusRequest) -> dict[str, Any]:
    """The request as stored beside its answer: method, path, headers and body, keys redacted."""
    record: dict[str, Any] = {
        "method": req.method,
        "path": redact_text(req.path),
        "headers": {k: redact_text(v) for k, v in redact_headers(req.headers).items()},
    }
    if req.raw_body is not None:
        record["raw_body"] = redact_text(req.raw_body)
    elif req.body is not None:
        record["body"] = json.loads(redact_body(json.dumps(req.body, ensure_ascii=False)))
    if req.pad_to_bytes is not None:
        record["pad_to_bytes"] = req.pad_to_bytes
    return record


def _events(text: str) -> list[dict[str, Any]]:
    parsed = parse_stream(text.encode())
    blocks = [b for b in parsed.blocks if not b.is_comment]
    out = []
    for block in blocks:
        out.append(_event(block.fields("event"), block.fields("data"), block.fields("id")))
    if parsed.unterminated_tail:
        lines = [ln for ln in parsed.unterminated_tail.split("\n") if not ln.startswith(":")]
        fields = {
            name: [ln.partition(":")[2].removeprefix(" ") for ln in lines if ln.partition(":")[0] == name]
            for name in ("event", "data", "id")
        }
        if any(fields.values()):
            out.append({**_event(fields["event"], fields["data"], fields["id"]), "unterminated": True})
    return out


def _event(names: list[str], data: list[str], ids: list[str]) -> dict[str, Any]:
    value: Any = None
    if data:
        joined = "\n".join(data)
        try:
            value = json.loads(joined)
        except ValueError:
            value = joined
    event: dict[str, Any] = {"event": names[-1] if names else None, "data": value}
    if ids:
        event["id"] = ids[-1]
    return event


def _answer(raw: RawAnswer) -> dict[str, Any]:
    headers: dict[str, str] = {}
    for name, value in raw.headers:
        headers[name] = f"{headers[name]}, {value}" if name in headers else value
    doc: dict[str, Any] = {"status": raw.status, "headers": dict(sorted(headers.items()))}
    text = raw.content.decode("utf-8", "replace")
    if headers.get("content-type", "").lower().startswith("text/event-stream"):
        doc["events"] = _events(text)
        return doc
    try:
        doc["body"] = json.loads(text) if text.strip() else None
    except ValueError:
        doc["body"] = text
    return doc


def _scrub(value: Any, secrets: tuple[str, ...]) -> Any:
    if isinstance(value, str):
        for secret in secrets:
            value = value.replace(secret, REDACTED)
        return redact_text(value)
    if isinstance(value, dict):
        return {_scrub(k, secrets): _scrub(v, secrets) for k, v in value.items()}
    if isinstance(value, list):
        return [_scrub(v, secrets) for v in value]
    return value


def build_document(req: CorpusRequest, raw: RawAnswer, secrets: Iterable[str] = ()) -> dict[str, Any]:
    """The snapshot document of one exchange, before normalisation; no key survives in it."""
    known = tuple(sorted({*req.secrets(), *secrets}, key=len, reverse=True))
    return {"request": request_record(req), **_scrub(_answer(raw), known)}


def _sorted(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _sorted(value[k]) for k in sorted(value)}
    if isinstance(value, list):
        return [_sorted(v) for v in value]
    return value


def dumps(document: dict[str, Any]) -> str:
    """The one serializer: request, status, headers, body/events first, keys sorted below, indent 2."""
    ordered = {k: _sorted(document[k]) for k in _TOP if k in document}
    ordered |= {k: _sorted(document[k]) for k in sorted(document) if k not in _TOP}
    return json.dumps(ordered, indent=2, ensure_ascii=False) + "\n"


def loads(text: str) -> dict[str, Any]:
    """A stored document (``ValueError`` when it is not a JSON object)."""
    value = json.loads(text)
    if not isinstance(value, dict):
        raise ValueError("a snapshot file holds one JSON object")
    return value
