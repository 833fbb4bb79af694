"""Server-sent events: frame encoders, the stream response, and the shutdown flag streams watch."""

from __future__ import annotations

import asyncio
import contextlib
import time
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
    "shutdown_error_frame",
    "sse_response",
    "with_keepalive",
]

DONE = b"data: [DONE]\n\n"
KEEPALIVE = b": keep-alive\n\n"
"""An SSE comment: every SSE parser (both official SDKs included) skips it (wire-checklist B2, B12)."""
_ENCODER = msgspec.json.Encoder()
_POLL_S = 0.5
"""How often a waiting upstream stream looks at the shutdown flag."""


class _Shutdown:
    """Set when the server is asked to stop: streams stop pacing and finish at once; a stream that
    waits on a provider gets until `deadline` (monotonic), then ends with the dialect's error event."""

    def __init__(self) -> None:
        self.requested = False
        self.deadline = float("inf")

    def set(self, grace_s: float | None = None) -> None:
        self.requested = True
        if grace_s is not None:
            # leave a second of the grace period to send the error event and close
            self.deadline = min(self.deadline, time.monotonic() + max(0.0, grace_s - 1.0))


def shutdown_error_frame(last_event: bytes, *, anthropic: bool | None = None) -> bytes:
    """The in-stream error of the stream's dialect: `anthropic` when the caller knows it, else the
    dialect `last_event` belongs to (Anthropic frames name their event)."""
    message = "The server is shutting down; retry the request."
    if anthropic if anthropic is not None else last_event.startswith(b"event: "):
        return anthropic_frame(
            "error", {"type": "error", "error": {"type": "overloaded_error", "message": message}}
        )
    error = {
        "message": message,
        "type": "server_shutting_down",
        "param": None,
        "code": "server_shutting_down",
    }
    return openai_frame({"error": error}) + DONE


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


async def with_keepalive(
    events: AsyncIterator[bytes], interval_s: float, *, anthropic: bool | None = None
) -> AsyncGenerator[bytes, None]:
    """`events`, plus `KEEPALIVE` whenever `interval_s` passes without one (not at all if <= 0); after a
    shutdown signal, a wait past `SHUTDOWN.deadline` ends the stream with the dialect's error event
    (`anthropic`: the stream's dialect, when known before its first event).

    The next event is awaited in a task so that the wait can time out without cancelling it; closing
    this iterator (the client went away) cancels that task and closes `events`.
    """
    source = aiter(events)
    pending: asyncio.Future[bytes] | None = None
    last = b""
    quiet = 0.0
    try:
        while True:
            if pending is None:
                pending = asyncio.ensure_future(anext(source))
            step = _POLL_S if interval_s <= 0 else min(_POLL_S, interval_s - quiet)
            done, _ = await asyncio.wait({pending}, timeout=step)
            if not done:
                quiet += step
                if SHUTDOWN.requested and time.monotonic() >= SHUTDOWN.deadline:
                    yield shutdown_error_frame(last, anthropic=anthropic)
                    return
                if interval_s > 0 and quiet >= interval_s:
                    quiet = 0.0
                    yield KEEPALIVE
                continue
            finished, pending = pending, None
            quiet = 0.0
            try:
                event = finished.result()
            except StopAsyncIteration:
                return
            last = event
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
