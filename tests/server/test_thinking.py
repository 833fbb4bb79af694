"""Anthropic extended thinking on the embedded executor (D-THINK-1, D-THINK-2), over HTTP and through
the official anthropic SDK's stream helper."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import anthropic
import httpx
import msgspec
import pytest

from conformance import _spec
from reference_server._stratus import plan_for
from reference_server._thinking import reasoning, signature, thinking_for
from reference_server._tokens import split_tokens
from reference_server._turn import Thinking, Turn
from tests.server._requests import WEATHER_TOOL as TOOL
from tests.server.conftest import KEY, MODEL

SYSTEM = "Current state: User is on the homepage with login button visible"
USER: Any = [{"role": "user", "content": "What happens if I click login?"}]
ENABLED: Any = {"type": "enabled", "budget_tokens": 2048}
H = {"anthropic-version": "2023-06-01"}


def _body(**extra: Any) -> dict[str, Any]:
    return {"model": MODEL, "max_tokens": 4096, "system": SYSTEM, "messages": USER, **extra}


def _events(response: httpx.Response) -> list[dict[str, Any]]:
    return [json.loads(line[6:]) for line in response.text.splitlines() if line.startswith("data: ")]


def test_thinking_block_first_and_signed(http: httpx.Client) -> None:
    r = http.post("/v1/messages", json=_body(thinking=ENABLED), headers=H)
    assert r.status_code == 200, r.text
    body = r.json()
    assert list(_spec.validator_for("MessagesResponse").iter_errors(body)) == []
    first, *rest = body["content"]
    assert first["type"] == "thinking"
    assert "world model" in first["thinking"]
    assert first["signature"] == signature(first["thinking"])
    assert rest[0]["type"] == "text"
    plain = http.post("/v1/messages", json=_body(), headers=H).json()
    assert all(b["type"] != "thinking" for b in plain["content"])
    assert body["usage"]["output_tokens"] > plain["usage"]["output_tokens"]
    again = http.post("/v1/messages", json=_body(thinking=ENABLED), headers=H).json()
    assert again["content"][0] == first


def test_adaptive_and_omitted(http: httpx.Client) -> None:
    adaptive = http.post("/v1/messages", json=_body(thinking={"type": "adaptive"}), headers=H).json()
    assert adaptive["content"][0]["type"] == "thinking"
    omitted = http.post(
        "/v1/messages", json=_body(thinking={**ENABLED, "display": "omitted"}), headers=H
    ).json()
    block = omitted["content"][0]
    assert block == {"type": "thinking", "thinking": "", "signature": adaptive["content"][0]["signature"]}
    disabled = http.post("/v1/messages", json=_body(thinking={"type": "disabled"}), headers=H).json()
    assert disabled["content"][0]["type"] == "text"


def test_budget_cuts_the_reasoning(http: httpx.Client) -> None:
    body = http.post(
        "/v1/messages",
        json=_body(thinking={"type": "enabled", "budget_tokens": 1024}, max_tokens=1025),
        headers=H,
    ).json()
    assert body["content"][0]["type"] == "thinking"
    assert body["usage"]["output_tokens"] <= 1025
    plan, _ = plan_for("small", SYSTEM, USER[0]["content"], "numpy")
    turn = Turn(conventions="anthropic", messages=(), state=SYSTEM, goal=USER[0]["content"], prompt_tokens=1)
    whole = reasoning(turn.goal, turn.state, plan)
    for budget, limit, kept in ((5, None, 5), (2048, 8, 7), (2048, None, len(split_tokens(whole)))):
        cut = thinking_for(
            msgspec.structs.replace(turn, thinking=Thinking(enabled=True, budget_tokens=budget)), plan, limit
        )
        assert cut is not None
        assert cut.tokens == len(split_tokens(cut.text)) <= kept
        assert whole.startswith(cut.text)


@pytest.mark.parametrize(
    ("extra", "words"),
    [
        ({"thinking": {"type": "enabled", "budget_tokens": 1023}}, "greater than or equal to 1024"),
        ({"thinking": {"type": "enabled", "budget_tokens": 4096}}, "`max_tokens` must be greater"),
        ({"thinking": ENABLED, "tools": [TOOL], "tool_choice": {"type": "any"}}, "forces tool use"),
        (
            {"thinking": ENABLED, "tools": [TOOL], "tool_choice": {"type": "tool", "name": "get_weather"}},
            "forces tool use",
        ),
        ({"thinking": ENABLED, "temperature": 0.7}, "`temperature` may only be set to 1"),
        ({"thinking": {"type": "adaptive"}, "temperature": 0}, "`temperature` may only be set to 1"),
        ({"thinking": ENABLED, "temperature": 2}, "`temperature` may only be set to 1"),
        ({"thinking": ENABLED, "top_p": 0.9}, "`top_p` must be greater than or equal to 0.95"),
        ({"thinking": {"type": "adaptive"}, "top_k": 40}, "`top_k` must be unset"),
        ({"thinking": ENABLED, "top_k": 1}, "`top_k` must be unset"),
        ({"thinking": {"type": "between_tools"}, "top_k": 5}, "`top_k` must be unset"),
    ],
)
def test_thinking_rules(http: httpx.Client, extra: dict[str, Any], words: str) -> None:
    r = http.post("/v1/messages", json=_body(**extra), headers=H)
    assert r.status_code == 400
    error = r.json()["error"]
    assert error["type"] == "invalid_request_error"
    assert words in error["message"]


@pytest.mark.parametrize(
    "extra",
    [
        {"thinking": ENABLED, "temperature": 1},
        {"thinking": ENABLED, "temperature": 1.0, "top_p": 0.95},
        {"thinking": {"type": "adaptive"}, "top_p": 1},
        {"thinking": {"type": "disabled"}, "temperature": 0.2, "top_p": 0.5, "top_k": 3},
        {"temperature": 0, "top_k": 3},
    ],
)
def test_sampling_the_api_allows_with_thinking(http: httpx.Client, extra: dict[str, Any]) -> None:
    r = http.post("/v1/messages", json=_body(**extra), headers=H)
    assert r.status_code == 200, r.text


def test_stream_events(http: httpx.Client) -> None:
    r = http.post("/v1/messages", json=_body(thinking=ENABLED, stream=True), headers=H)
    events = _events(r)
    validator = _spec.validator_for("MessagesStreamEvent")
    assert all(list(validator.iter_errors(e)) == [] for e in events)
    starts = [e for e in events if e["type"] == "content_block_start"]
    assert starts[0]["content_block"] == {"type": "thinking", "thinking": "", "signature": ""}
    block0 = [e for e in events if e.get("index") == 0]
    kinds = [e["delta"]["type"] if e["type"] == "content_block_delta" else e["type"] for e in block0]
    assert kinds[0] == "content_block_start"
    assert kinds[-2:] == ["signature_delta", "content_block_stop"]
    assert set(kinds[1:-2]) == {"thinking_delta"}
    whole = http.post("/v1/messages", json=_body(thinking=ENABLED), headers=H).json()["content"][0]
    text = "".join(
        e["delta"]["thinking"]
        for e in block0
        if e["type"] == "content_block_delta" and "thinking" in e["delta"]
    )
    assert text == whole["thinking"]
    assert block0[-2]["delta"]["signature"] == whole["signature"]


def test_stream_omitted_has_no_thinking_delta(http: httpx.Client) -> None:
    r = http.post(
        "/v1/messages", json=_body(thinking={**ENABLED, "display": "omitted"}, stream=True), headers=H
    )
    deltas = [
        e["delta"]["type"] for e in _events(r) if e["type"] == "content_block_delta" and e["index"] == 0
    ]
    assert deltas == ["signature_delta"]


def test_tool_use_after_thinking_and_history_accepted(http: httpx.Client) -> None:
    ask: Any = [{"role": "user", "content": "What's the weather in Paris?"}]
    first = http.post(
        "/v1/messages", json=_body(thinking=ENABLED, tools=[TOOL], messages=ask), headers=H
    ).json()
    kinds = [b["type"] for b in first["content"]]
    assert kinds[0] == "thinking"
    assert "tool_use" in kinds
    call = next(b for b in first["content"] if b["type"] == "tool_use")
    history = [
        *ask,
        {"role": "assistant", "content": first["content"]},
        {
            "role": "user",
            "content": [{"type": "tool_result", "tool_use_id": call["id"], "content": "18C, sunny"}],
        },
    ]
    after = http.post("/v1/messages", json=_body(thinking=ENABLED, tools=[TOOL], messages=history), headers=H)
    assert after.status_code == 200, after.text
    assert [b["type"] for b in after.json()["content"]] == ["text"]
    interleaved = http.post(
        "/v1/messages", json=_body(thinking={"type": "adaptive"}, tools=[TOOL], messages=history), headers=H
    ).json()
    assert interleaved["content"][0]["type"] == "thinking"
    forged = [
        *ask,
        {
            "role": "assistant",
            "content": [
                {"type": "redacted_thinking", "data": "not-ours"},
                {"type": "thinking", "thinking": "x", "signature": "from elsewhere"},
                *[b for b in first["content"] if b["type"] == "tool_use"],
            ],
        },
        history[2],
    ]
    assert (
        http.post(
            "/v1/messages", json=_body(thinking=ENABLED, tools=[TOOL], messages=forged), headers=H
        ).status_code
        == 200
    )


# -- the official SDK ------------------------------------------------------------------------


@pytest.fixture
def client(base_url: str) -> Iterator[anthropic.Anthropic]:
    with anthropic.Anthropic(base_url=base_url, api_key=KEY, max_retries=0) as client:
        yield client


def test_sdk_stream_helper_accumulates_thinking(client: anthropic.Anthropic) -> None:
    with client.messages.stream(
        model=MODEL,
        max_tokens=4096,
        system=SYSTEM,
        messages=USER,
        thinking={"type": "enabled", "budget_tokens": 2048},
    ) as stream:
        kinds = {e.type for e in stream}
        final = stream.get_final_message()
    assert {"thinking", "signature"} <= kinds
    created = client.messages.create(
        model=MODEL,
        max_tokens=4096,
        system=SYSTEM,
        messages=USER,
        thinking={"type": "enabled", "budget_tokens": 2048},
    )
    block = final.content[0]
    assert block.type == "thinking"
    assert created.content[0].type == "thinking"
    assert block.thinking == created.content[0].thinking
    assert block.signature == created.content[0].signature
    assert final.content[1].type == "text"
