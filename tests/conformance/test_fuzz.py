"""`--fuzz N`: schemathesis from the bundled spec against the reference server (small N here)."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor

from conformance._case import Verdict, all_cases
from conformance._context import Context, Target
from conformance._engine import Result, run_case
from conformance.cases.fuzz import fuzz_spec

KEY = "stratus_sk_test_conformance0000"


def _fuzz(base_url: str, case_id: str) -> tuple[Result, list[str]]:
    ctx = Context(Target(base_url=base_url, api_key=KEY), options={"fuzz": 2})
    try:
        return run_case(next(c for c in all_cases() if c.id == case_id), ctx), list(ctx.notes)
    finally:
        ctx.close()


def test_fuzz_profile_passes_on_the_reference(reference_url: str) -> None:
    """Both modes at once (two schemathesis processes), small N: no finding on the reference."""
    ids = sorted(c.id for c in all_cases() if c.profile == "fuzz")
    assert ids == ["fuzz.negative", "fuzz.positive"]
    with ThreadPoolExecutor(2) as pool:
        runs = list(pool.map(lambda cid: _fuzz(reference_url, cid), ids))
    for result, notes in runs:
        assert result.verdict is Verdict.PASS, result.message[:3000]
        assert notes
        assert "test cases on" in notes[-1]
        assert result.message == notes[-1]


def test_fuzz_is_skipped_without_n(reference_ctx: Context) -> None:
    r = run_case(next(c for c in all_cases() if c.id == "fuzz.positive"), reference_ctx)
    assert r.verdict is Verdict.SKIPPED


def test_mock_error_headers_are_never_fuzzed() -> None:
    doc = fuzz_spec()
    text = json.dumps(doc["paths"])
    assert "Mock" not in text
    assert "x-stratus-mock" not in text.lower()
    assert {"MockStatus", "MockStreamError", "MockRetryAfter"} <= set(doc["components"]["parameters"])


def test_positive_bodies_name_existing_tools() -> None:
    from conformance._fuzz_hooks import repair_positive_body

    chat = {
        "tools": [{"type": "function", "function": {"name": "a"}}],
        "tool_choice": {"type": "function", "function": {"name": "zz"}},
    }
    assert repair_positive_body(chat)["tool_choice"]["function"]["name"] == "a"
    msg = {
        "tools": [{"name": "b", "input_schema": {"type": "object"}}],
        "tool_choice": {"type": "tool", "name": "q"},
    }
    assert repair_positive_body(msg)["tool_choice"]["name"] == "b"
    assert "tool_choice" not in repair_positive_body({"tool_choice": {"type": "tool", "name": "q"}})
    assert repair_positive_body({"tool_choice": {"type": "auto"}}) == {"tool_choice": {"type": "auto"}}


def test_positive_fuzz_makes_the_cross_field_rules_true() -> None:
    from conformance._fuzz_hooks import repair_positive_body

    thinking = {"max_tokens": 1024, "thinking": {"type": "enabled", "budget_tokens": 4096}, "messages": []}
    repaired = repair_positive_body(thinking)
    assert repaired["max_tokens"] > repaired["thinking"]["budget_tokens"] >= 1024
    forced = {"thinking": {"type": "adaptive"}, "tool_choice": {"type": "any"}, "tools": []}
    assert "thinking" not in repair_positive_body(forced)
    sampled = {"thinking": {"type": "adaptive"}, "temperature": 0.2, "top_k": 5, "top_p": 0.5, "messages": []}
    assert repair_positive_body(sampled) == {"thinking": {"type": "adaptive"}, "messages": []}
    allowed = {"thinking": {"type": "adaptive"}, "temperature": 1, "top_p": 0.97, "messages": []}
    assert repair_positive_body(dict(allowed)) == allowed
    chat = {"messages": [{"role": "user", "content": "hi"}], "response_format": {"type": "json_object"}}
    assert "json" in str(repair_positive_body(chat)["messages"]).lower()
    assert repair_positive_body({"messages": [], "top_logprobs": 2})["logprobs"] is True
