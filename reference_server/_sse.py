"""Server-sent events: frame encoders, the stream response, and the shutdown flag streams watch."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import msgspec
from litestar.response import Stream

__all__ = ["DONE", "SHUTDOWN", "anthropic_frame", "openai_frame", "pace", "sse_response"]

DONE = b"data: [DONE]\n\n"
_ENCODER = msgspec.json.Encoder()


class _Shutdown:
    """Set when the server is asked to stop: streams stop pacing and finish at once."""

    def __init__(self) -> None:
        self.requested = False

    def set(self) -> None:
        self.requested = True


SHUTDOWN = _Shutdown()


def openai_frame(payload: Any) -> bytes:
    """`data: <json>\\n\\n` (wire-checklist B2)."""
    return b"data: " + _ENCODER.encode(payload) + b"\n\n"


def anthropic_frame(name: str, payload: Any) -> bytes:
    """`event: <name>\\ndata: <json>\\n\\n`; `name` equals the payload's `type` (E1)."""
    return b"event: " + name.encode() + b"\ndata: " + _ENCODER.encode(payload) + b"\n\n"


async def pace(delay_s: float) -> None:
    """Pause between events unless the server is shutting down."""
    if delay_s > 0 and not SHUTDOWN.requested:
        await asyncio.sleep(delay_s)


def sse_response(events: AsyncIterator[bytes], headers: dict[str, str]) -> Stream:
    """A `text/event-stream` response with the no-buffering headers of wire-checklist B1."""
    return Stream(
        content=events,
        media_type="text/event-stream",
        headers={
            **headers,
            "cache-control": "no-cache, no-transform",
            "x-accel-buffering": "no",
        },
    )
