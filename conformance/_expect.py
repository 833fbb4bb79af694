"""Preconditions: the subject a case needs before it can judge anything.

A check that runs over a subject that never arrived passes vacuously (no chunks, so no bad chunk).
Every case therefore first asks for its subject here (a 200 JSON body, an error envelope, an event
stream, ...), and when something else came back it fails saying what it expected and what it got,
for example ``expected an event stream (HTTP 200, text/event-stream), got HTTP 200 application/json
(326 bytes)``. The first line of such a message is stable across requests (the console groups
identical failures by it); the body excerpt follows on the next line.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from conformance._case import CaseFailed
from conformance._redact import redact_text

if TYPE_CHECKING:
    from conformance._context import Exchange

__all__ = [
    "describe",
    "error_answer",
    "event_stream",
    "excerpt",
    "is_event_stream",
    "is_json_type",
    "json_answer",
    "json_object",
    "missing",
    "status_answer",
]

_EXCERPT = 200


def _mime(content_type: str) -> str:
    return content_type.split(";", 1)[0].strip().lower()


def is_json_type(content_type: str) -> bool:
    mime = _mime(content_type)
    return mime == "application/json" or mime.endswith("+json")


def is_event_stream(content_type: str) -> bool:
    return _mime(content_type) == "text/event-stream"


def excerpt(body: bytes, limit: int = _EXCERPT) -> str:
    """The start of a body as one line of text (keys redacted), never a Python bytes repr."""
    text = redact_text(body[: limit * 4].decode("utf-8", "replace"))
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def describe(ex: Exchange) -> str:
    """``HTTP 404 application/json (87 bytes)``: what came back, in one stable phrase."""
    ctype = _mime(ex.content_type) or "without a content type"
    size = "empty body" if not ex.body else f"{len(ex.body)} bytes"
    return f"HTTP {ex.status} {ctype} ({size})"


def missing(subject: str, ex: Exchange) -> CaseFailed:
    """The failure for a subject that never arrived: what was expected, what came, a body excerpt."""
    body = excerpt(ex.body)
    return CaseFailed(
        f"{ex.method} {_path(ex)}: expected {subject}, got {describe(ex)}" + (f"\n{body}" if body else "")
    )


def _path(ex: Exchange) -> str:
    url = ex.url.split("://", 1)[-1]
    return "/" + url.split("/", 1)[1] if "/" in url else url


def status_answer(ex: Exchange, status: int, subject: str) -> None:
    """Only the status matters (for example a 200 to an accepted request)."""
    if ex.status != status:
        raise missing(f"{subject} (HTTP {status})", ex)


def json_answer(ex: Exchange, subject: str, *, status: int = 200) -> Any:
    """The decoded body when the answer has ``status``, a JSON content type and a JSON body."""
    full = f"{subject} (HTTP {status}, application/json)"
    if ex.status != status or not is_json_type(ex.content_type) or not ex.body:
        raise missing(full, ex)
    try:
        return json.loads(ex.body)
    except ValueError:
        raise missing(full, ex) from None


def json_object(ex: Exchange, subject: str, *, status: int = 200) -> dict[str, Any]:
    """As :func:`json_answer`, and the body must be a JSON object."""
    body = json_answer(ex, subject, status=status)
    if not isinstance(body, dict):
        raise CaseFailed(
            f"{ex.method} {_path(ex)}: expected {subject} as a JSON object, got {type(body).__name__}"
        )
    return body


def error_answer(ex: Exchange, status: int, subject: str = "an error envelope") -> dict[str, Any]:
    """An error answer: ``status`` with a JSON object body (the envelope is judged by the case)."""
    return json_object(ex, subject, status=status)


def event_stream(ex: Exchange, subject: str = "an event stream") -> None:
    """A 200 ``text/event-stream`` answer with a body."""
    if ex.status != 200 or not is_event_stream(ex.content_type) or not ex.body.strip():
        raise missing(f"{subject} (HTTP 200, text/event-stream)", ex)
