"""(c) The reference server answers each documented request with the documented structure.

Compared recursively: field names, JSON types, the values of enum-like keys and the length of object
lists, never free values (text, ids, counts, plans, timings). Every expected difference is listed, with its
reason, in `ALLOWED_DIFFERENCES` (tests/upstream/conftest.py), and every entry there must be needed.
"""

from __future__ import annotations

import json

import pytest

from tests._corpus import asgi_client, parse_sse
from tests.upstream.conftest import (
    ALLOWED_DIFFERENCES,
    Allowed,
    Difference,
    DocumentedPair,
    explain,
    load_pairs,
    stream_differences,
    structure_differences,
)

PAIRS = load_pairs()


async def _differences(pair: DocumentedPair) -> list[Difference]:
    async with asgi_client() as client:
        resp = await client.request(
            pair.method,
            pair.api_path,
            headers=pair.reference_headers(),
            content=json.dumps(pair.request_body),
        )
    assert resp.status_code == pair.status, resp.text[:500]
    if pair.is_stream:
        assert resp.headers["content-type"].startswith("text/event-stream")
        reference = [(e.event, e.data) for e in parse_sse(resp.text)]
        return stream_differences(pair.events(), reference)
    return structure_differences(pair.body, resp.json())


@pytest.mark.asyncio
@pytest.mark.parametrize("pair", PAIRS, ids=lambda p: p.name)
async def test_same_structure(pair: DocumentedPair) -> None:
    unexplained, _ = explain(pair.name, await _differences(pair))
    assert unexplained == []


@pytest.mark.asyncio
async def test_every_allowed_difference_is_needed() -> None:
    used: set[Allowed] = set()
    for pair in PAIRS:
        used |= explain(pair.name, await _differences(pair))[1]
    assert [a for a in ALLOWED_DIFFERENCES if a not in used] == []


def test_comparison_catches_differences() -> None:
    """The comparison itself: a renamed field, a type change and a changed enum value are all reported."""
    doc = {"object": "chat.completion", "choices": [{"finish_reason": "stop", "n": 1}]}
    ref = {"object": "chat.completion", "choices": [{"finish_reason": "length", "n": "1", "x": 0}]}
    kinds = {(d.kind, d.path) for d in structure_differences(doc, ref)}
    assert kinds == {("enum", "choices.*.finish_reason"), ("type", "choices.*.n"), ("extra", "choices.*.x")}
    assert [d.kind for d in structure_differences({"a": 1}, {})] == ["missing"]
