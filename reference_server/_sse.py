"""Server-sent events: frame encoders, the stream response, and the shutdown flag streams watch."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncGenerator, AsyncIterator
from typing import Any

import msgspec
from litestar.response import Stream

__all__ = [
    "DONE",
    "KEEPALIVE",
    "SHUTDOWN",
    "anthropic_frame",
    "openai_frame",
    "pace",
    "sse_response",
    "with_keepalive",
]

DONE = b"data: [DONE]\n\n"
KEEPALIVE = b": keep-alive\n\n"
"""An SSE comment: every SSE parser (both official SDKs included) skips it (wire-checklist B2, B12)."""
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


async def with_keepalive(events: AsyncIterator[bytes], interval_s: float) -> AsyncGenerator[bytes, None]:
    """`events`, plus `KEEPALIVE` whenever `interval_s` passes without one (not at all if <= 0).

    The next event is awaited in a task so that the wait can time out without cancelling it; closing
    this iterator (the client went away) cancels that task and closes `events`.
    """
    if interval_s <= 0:
        async for event in events:
            yield event
        return
    source = aiter(events)
    pending: asyncio.Future[bytes] | None = None
    try:
        while True:
            if pending is None:
                pending = asyncio.ensure_future(anext(source))
            done, _ = await asyncio.wait({pending}, timeout=interval_s)
            if not done:
                yield KEEPALIVE
                continue
            finished, pending = pending, None
            try:
                event = finished.result()
            except StopAsyncIteration:
                return
            yield event
    finally:
        if pending is not None:
            pending.cancel()
            with contextlib.suppress(BaseException):
                await pending
        aclose = getattr(source, "aclose", None)
        if aclose is not None:
            await aclose()


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
