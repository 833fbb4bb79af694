"""`_sse.with_keepalive`: comments while the source is silent, events in order, errors and closing
passed through."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from reference_server._sse import KEEPALIVE, with_keepalive


async def _slow(log: list[str], first_after: float = 0.2) -> AsyncIterator[bytes]:
    try:
        await asyncio.sleep(first_after)
        yield b"a"
        yield b"b"
        await asyncio.sleep(first_after)
        yield b"c"
    finally:
        log.append("closed")


async def _collect(events: AsyncIterator[bytes]) -> list[bytes]:
    return [e async for e in events]


def test_comments_fill_the_silences_and_events_keep_their_order() -> None:
    log: list[str] = []
    out = asyncio.run(_collect(with_keepalive(_slow(log), 0.04)))
    assert [e for e in out if e != KEEPALIVE] == [b"a", b"b", b"c"]
    assert out.index(b"a") >= 2  # a few comments before the first event
    assert out[out.index(b"a") + 1] == b"b"  # none between events that are ready at once
    assert out.index(b"c") - out.index(b"b") >= 3
    assert out[-1] == b"c"
    assert log == ["closed"]


def test_zero_interval_passes_events_through() -> None:
    log: list[str] = []
    assert asyncio.run(_collect(with_keepalive(_slow(log, 0.05), 0))) == [b"a", b"b", b"c"]


def test_errors_of_the_source_reach_the_consumer() -> None:
    async def failing() -> AsyncIterator[bytes]:
        yield b"a"
        await asyncio.sleep(0.05)
        raise RuntimeError("provider went away")

    got: list[bytes] = []

    async def run() -> None:
        async for e in with_keepalive(failing(), 0.01):
            got.append(e)

    with pytest.raises(RuntimeError, match="provider went away"):
        asyncio.run(run())
    assert got[0] == b"a"
    assert KEEPALIVE in got


def test_closing_early_cancels_the_wait_and_closes_the_source() -> None:
    log: list[str] = []

    async def run() -> None:
        stream = with_keepalive(_slow(log, 10.0), 0.01)
        assert await anext(stream) == KEEPALIVE
        await stream.aclose()  # e.g. the client disconnected during the prefill
        assert log == ["closed"]

    asyncio.run(asyncio.wait_for(run(), 2))
    assert log == ["closed"]


def test_closing_after_an_event_closes_the_source() -> None:
    log: list[str] = []

    async def run() -> None:
        stream = with_keepalive(_slow(log, 0.0), 0.01)
        assert await anext(stream) == b"a"
        await stream.aclose()
        assert log == ["closed"]  # at once, not when the loop finalises leftover generators

    asyncio.run(asyncio.wait_for(run(), 2))
