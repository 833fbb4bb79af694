"""Caches keyed on request text are bounded by bytes as well as entries (issue 11).

150 chat requests with unique 1 MB texts took RSS from 225 MB to 3.9 GB: every text-keyed cache held
whole texts (and the token split whole token lists) up to its entry limit. The RSS figures over time
come from `nox -s soak`; these tests hold each cache to its byte budget.
"""

from __future__ import annotations

import secrets

import httpx
import pytest

from reference_server import Settings, create_app
from reference_server._memo import digest_key, memo, weigh
from reference_server._tokens import _split, count_tokens
from reference_server.planner import get_planner
from reference_server.planner._cachekey import LONG_FEATURE, text_key

KEY = "stratus_sk_test_memoryBounds01"


def _mb_text(tag: str) -> str:
    return (tag + " " + secrets.token_hex(4) + " ") * (1_000_000 // 16)


def test_digest_keys_for_long_texts() -> None:
    assert digest_key("short") == "short"
    long = "x" * 10_000
    key = digest_key(long)
    assert isinstance(key, bytes)
    assert len(key) == 16
    assert digest_key(long) == key
    assert digest_key(long + "y") != key
    assert isinstance(digest_key("\ud800" * 300), bytes)  # lone surrogates from JSON escapes
    assert text_key(long) == key


def test_memo_is_bounded_by_bytes_and_entries() -> None:
    calls: list[str] = []

    @memo(entries=1000, max_bytes=64 * 1024)
    def echo(text: str) -> str:
        calls.append(text)
        return text[:100]

    for i in range(500):
        echo(f"{i:04d}" + "z" * 2000)
    entries, used = echo.cache_info()
    assert used <= 64 * 1024
    assert 0 < entries < 500
    before = len(calls)
    echo("0499" + "z" * 2000)  # the most recent entry is still there
    assert len(calls) == before


def test_memo_does_not_store_results_larger_than_an_eighth_of_its_budget() -> None:
    @memo(entries=100, max_bytes=80_000)
    def big(text: str) -> tuple[str, ...]:
        return tuple(text)

    big("a" * 20_000)
    assert big.cache_info()[0] == 0
    big("a" * 50)
    assert big.cache_info()[0] == 1


def test_weigh_estimates_containers_of_text() -> None:
    assert weigh("abc") == 52
    assert weigh(("ab",) * 10_000) > 10_000 * 50
    assert weigh(frozenset()) == 56


def test_weigh_sees_into_structs_and_dataclasses() -> None:
    from reference_server._values import facts_of
    from reference_server.planner import get_planner

    goal = "Find hotels in Paris " + "x" * 50_000
    assert weigh(facts_of(goal)) > 50_000  # the goal it keeps is counted, not a flat 1 KiB
    plan = get_planner("small").plan("Search page", "Find hotels")
    assert 200 < weigh(plan) < 20_000


def test_memo_keys_long_bytes_by_digest_and_takes_a_weight() -> None:
    calls: list[int] = []

    @memo(entries=100, max_bytes=256 * 1024, weight=lambda n: 2 * n)
    def size(data: bytes) -> int:
        calls.append(len(data))
        return len(data)

    assert size(b"s" * 100_000) == 100_000
    assert size.cache_info()[0] == 0  # weighs 200 KB by `weight`: over an eighth of the budget
    assert size(b"t" * 5000) == 5000
    entries, used = size.cache_info()
    assert entries == 1
    assert used < 5000 + 2 * 5000  # the 5,000-byte key is held as a 17-byte digest
    size(b"t" * 5000)
    assert calls == [100_000, 5000]


def test_instance_generator_caches_stay_within_their_budgets() -> None:
    from reference_server._arguments import arguments_for
    from reference_server._instances import _prepare
    from reference_server._values import facts_of, name_tokens, role_of

    for i in range(6):
        schema = {
            "type": "object",
            "description": _mb_text(f"d{i}")[:200_000],
            "properties": {f"city_{i}_" + "n" * 300: {"type": "string", "description": "x" * 2000}},
        }
        arguments_for(schema, "Find hotels in Paris " + _mb_text(f"g{i}")[:300_000])
    for cached, budget in ((_prepare, 64), (facts_of, 16), (name_tokens, 4), (role_of, 4)):
        assert cached.cache_info()[1] <= budget * 2**20, cached


def test_token_caches_stay_within_their_budgets() -> None:
    for i in range(20):
        text = _mb_text(f"t{i}")
        assert count_tokens(text) > 100_000
        _split(text)
    assert count_tokens.cache_info()[1] <= 2 * 2**20
    assert _split.cache_info()[1] <= 16 * 2**20


def test_planner_caches_key_long_texts_by_digest_and_bound_entries() -> None:
    planner = get_planner("small")
    state, goal = _mb_text("page")[:10_000], _mb_text("goal")[:10_000]
    planner.plan(state, goal)
    enc = planner.encoder
    assert text_key(state) in enc._states
    assert state not in enc._states
    assert text_key(goal) in enc._goals
    # megabyte texts are encoded from their first 2,048 characters: computed, never kept
    huge_state, huge_goal = _mb_text("page"), _mb_text("goal")
    planner.plan(huge_state, huge_goal)
    assert text_key(huge_state) not in enc._states
    assert text_key(huge_goal) not in enc._goals
    assert text_key(huge_goal) not in planner._goals
    assert all(isinstance(k, bytes) or len(k) <= 256 for k in enc._states)
    # the clear-when-full limits come from a byte budget: ~24 MB of encodings per cache
    assert enc._cache_limit * 4 * enc.dim <= 24 * 2**20
    assert planner._goals_limit * 4 * enc.dim <= 24 * 2**20
    assert all(len(t) <= LONG_FEATURE for t in enc._unigrams)


@pytest.mark.asyncio
async def test_unique_megabyte_texts_leave_bounded_caches() -> None:
    from reference_server._chat_decode import _TURNS
    from reference_server._embedded import _ANSWERS
    from reference_server._executor import _words
    from reference_server._stratus import _cached_plan
    from reference_server._values import facts_of, goal_terms
    from reference_server._wording import _goal_clause, _prose

    kept_turns, kept_answers = len(_TURNS.data), len(_ANSWERS.data)
    transport = httpx.ASGITransport(app=create_app(Settings(max_body_bytes=8 * 2**20)))
    async with httpx.AsyncClient(transport=transport, base_url="http://reference", timeout=60) as client:
        for i in range(6):
            body = {
                "model": "stratus-x1ac-small-gpt-4o",
                "messages": [
                    {"role": "system", "content": _mb_text(f"s{i}")},
                    {"role": "user", "content": "Find " + _mb_text(f"g{i}")},
                ],
            }
            response = await client.post(
                "/v1/chat/completions", json=body, headers={"Authorization": f"Bearer {KEY}"}
            )
            assert response.status_code == 200, response.text[:300]
    caches = (
        (_cached_plan, 16),
        (_goal_clause, 2),
        (_words, 8),
        (count_tokens, 2),
        (goal_terms, 8),
        (facts_of, 16),
        (_prose, 4),
    )
    assert len(_TURNS.data) == kept_turns  # megabyte bodies are turned into turns each time
    assert len(_ANSWERS.data) == kept_answers  # ... and their answers are not kept either
    for cached, budget in caches:
        assert cached.cache_info()[1] <= budget * 2**20, cached
    assert _TURNS.bytes <= 16 * 2**20


def test_memo_computes_without_caching_an_unhashable_argument() -> None:
    calls: list[int] = []

    @memo(entries=8, max_bytes=2**16)
    def count(xs: tuple[str, ...]) -> int:
        calls.append(1)
        return len(xs)

    assert count(["a", "b"]) == 2  # type: ignore[arg-type]
    assert count(["a", "b"]) == 2  # type: ignore[arg-type]
    assert len(calls) == 2
    assert count.cache_info()[0] == 0
    assert count(("a",)) == count(("a",)) == 1
    assert len(calls) == 3
