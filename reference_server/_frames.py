"""The frames of one SSE answer on their way out: mock stream errors, pacing, keep-alives.

`X-Stratus-Mock-Stream-Error: N` replaces the answer's frame N+1 by the dialect's mock error and ends
the stream there (D-MOCK-1); embedded answers are paced by `STRATUS_STREAM_DELAY_MS`; upstream ones
get SSE keep-alive comments during provider silence (wire-checklist B12) and, at shutdown, the
dialect's error event when the provider is still silent at the end of the grace period.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

from litestar.response import Stream

from reference_server._settings import Settings
from reference_server._sse import pace, sse_response, with_keepalive

__all__ = ["sse_answer"]


async def _gated(
    frames: AsyncIterator[bytes],
    fail_after: int | None,
    mock_error: bytes,
    done: bytes | None,
    delay_s: float,
) -> AsyncIterator[bytes]:
    sent = 0
    try:
        async for frame in frames:
            if fail_after is not None and sent >= fail_after:
                yield mock_error
                break
            yield frame
            sent += 1
            await pace(delay_s)
    finally:
        aclose = getattr(frames, "aclose", None)
        if aclose is not None:
            await aclose()
    if done is not None:
        yield done


def sse_answer(
    frames: AsyncIterator[bytes],
    settings: Settings,
    *,
    live: bool,
    fail_after: int | None,
    mock_error: bytes,
    done: bytes | None,
) -> Stream:
    """The `text/event-stream` response for `frames`. `done` (OpenAI's `[DONE]`) closes every
    stream, a mock error's too; a `live` (upstream) stream gets keep-alives, any other is paced."""
    delay_s = 0.0 if live else settings.stream_delay_ms / 1e3
    gated = _gated(frames, fail_after, mock_error, done, delay_s)
    if not live:
        return sse_response(gated, {})
    # a provider that has not answered yet at shutdown: the dialect's error (OpenAI's ends with done)
    return sse_response(with_keepalive(gated, settings.sse_keepalive_s, anthropic=done is None), {})
