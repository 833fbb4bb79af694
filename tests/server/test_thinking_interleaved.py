"""Interleaved thinking on the embedded executor (D-THINK-4): the `interleaved-thinking-2025-05-14`
beta lets `budget_tokens` exceed `max_tokens` (the budget is the whole assistant turn's) and makes
`enabled` thinking think again after tool results, in JSON, in streams and through the official
anthropic SDK (its stream accumulator and its beta tool runner)."""

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
from reference_server._thinking import CONTEXT_WINDOW, INTERLEAVED_BETA, reasoning, signature, thinking_for
from reference_server._tokens import split_tokens
from reference_server._turn import Message, Opaque, Text, Thinking, ToolOutcome, ToolResult, Turn
from tests.server._requests import WEATHER_TOOL as TOOL
from tests.server.conftest import KEY, MODEL

ASK: Any = [{"role": "user", "content": "What's the weather in Paris?"}]
ENABLED: Any = {"type": "enabled", "budget_tokens": 2048}
BETA = {"anthropic-version": "2023-06-01", "anthropic-beta": f"prompt-caching-2024-07-31, {INTERLEAVED_BETA}"}
PLAIN = {"anthropic-version": "2023-06-01"}


def _body(**extra: Any) -> dict[str, Any]:
    return {"model": MODEL, "max_tokens": 4096, "messages": ASK, "tools": [TOOL], **extra}


def _events(response: httpx.Response) -> list[dict[str, Any]]:
    return [json.loads(line[6:]) for line in response.text.splitlines() if line.startswith("data: ")]


def _after_tool_result(http: httpx.Client) -> list[dict[str, Any]]:
    """The history of a tool round: the question, the assistant's thinking + tool_use, the result."""
    first = http.post("/v1/messages", json=_body(thinking=ENABLED), headers=BETA).json()
    assert next(b["type"] for b in first["content"]) == "thinking"
    call = next(b for b in first["content"] if b["type"] == "tool_use")
    result = {"type": "tool_result", "tool_use_id": call["id"], "content": "18C, sunny"}
    return [*ASK, {"role": "assistant", "content": first["content"]}, {"role": "user", "content": [result]}]


@pytest.mark.parametrize(
    "beta",
    [
        INTERLEAVED_BETA,
        f"fine-grained-tool-streaming-2025-05-14,{INTERLEAVED_BETA}",
        f"x ,{INTERLEAVED_BETA}",
    ],
)
def test_budget_may_exceed_max_tokens_with_the_beta(http: httpx.Client, beta: str) -> None:
    body = _body(max_tokens=2048, thinking={"type": "enabled", "budget_tokens": 8000})
    refused = http.post("/v1/messages", json=body, headers=PLAIN)
    assert refused.status_code == 400
    assert "`max_tokens` must be greater than `thinking.budget_tokens`" in refused.json()["error"]["message"]
    r = http.post("/v1/messages", json=body, headers={"anthropic-beta": beta})
    assert r.status_code == 200, r.text
    answer = r.json()
    assert answer["content"][0]["type"] == "thinking"
    assert answer["usage"]["output_tokens"] <= 2048  # max_tokens still bounds the whole answer


def test_budget_below_the_context_window(http: httpx.Client) -> None:
    body = _body(thinking={"type": "enabled", "budget_tokens": CONTEXT_WINDOW})
    r = http.post("/v1/messages", json=body, headers=BETA)
    assert r.status_code == 400
    error = r.json()["error"]
    assert error["type"] == "invalid_request_error"
    assert "context window" in error["message"]
    low = http.post(
        "/v1/messages", json=_body(thinking={"type": "enabled", "budget_tokens": 1000}), headers=BETA
    )
    assert low.status_code == 400  # the 1024 minimum holds with the beta too


def test_thinks_again_after_tool_results(http: httpx.Client) -> None:
    history = _after_tool_result(http)
    plain = http.post("/v1/messages", json=_body(thinking=ENABLED, messages=history), headers=PLAIN).json()
    assert [b["type"] for b in plain["content"]] == ["text"]
    r = http.post("/v1/messages", json=_body(thinking=ENABLED, messages=history), headers=BETA)
    assert r.status_code == 200, r.text
    body = r.json()
    assert list(_spec.validator_for("MessagesResponse").iter_errors(body)) == []
    assert [b["type"] for b in body["content"]] == ["thinking", "text"]
    block = body["content"][0]
    assert block["thinking"].startswith('The tool results are in: get_weather returned "18C, sunny".')
    assert block["signature"] == signature(block["thinking"])
    assert body["content"][1]["text"] == plain["content"][0]["text"]
    assert body["usage"]["output_tokens"] > plain["usage"]["output_tokens"]
    omitted = http.post(
        "/v1/messages", json=_body(thinking={**ENABLED, "display": "omitted"}, messages=history), headers=BETA
    ).json()
    assert omitted["content"][0] == {"type": "thinking", "thinking": "", "signature": block["signature"]}


def test_stream_after_tool_results_follows_the_grammar(http: httpx.Client) -> None:
    history = _after_tool_result(http)
    whole = http.post("/v1/messages", json=_body(thinking=ENABLED, messages=history), headers=BETA).json()
    r = http.post("/v1/messages", json=_body(thinking=ENABLED, messages=history, stream=True), headers=BETA)
    events = _events(r)
    validator = _spec.validator_for("MessagesStreamEvent")
    assert all(list(validator.iter_errors(e)) == [] for e in events)
    starts = [e for e in events if e["type"] == "content_block_start"]
    assert [e["index"] for e in starts] == [0, 1]
    assert starts[0]["content_block"] == {"type": "thinking", "thinking": "", "signature": ""}
    assert starts[1]["content_block"]["type"] == "text"
    block0 = [e for e in events if e.get("index") == 0]
    kinds = [e["delta"]["type"] if e["type"] == "content_block_delta" else e["type"] for e in block0]
    assert kinds[0] == "content_block_start"
    assert kinds[-2:] == ["signature_delta", "content_block_stop"]
    assert set(kinds[1:-2]) == {"thinking_delta"}
    stop0 = events.index(block0[-1])
    assert all(e.get("index", 1) == 1 for e in events[stop0 + 1 :] if "index" in e)
    thought = "".join(e["delta"].get("thinking", "") for e in block0 if e["type"] == "content_block_delta")
    assert thought == whole["content"][0]["thinking"]
    assert block0[-2]["delta"]["signature"] == whole["content"][0]["signature"]


def test_budget_is_the_whole_turns() -> None:
    goal = "What's the weather in Paris?"
    plan, _ = plan_for("small", "", goal, "numpy")
    results = (ToolOutcome(name="get_weather", text="18C, sunny"),)
    whole = len(split_tokens(reasoning(goal, "", plan, results)))

    def turn(spent_text: str, budget: int) -> Turn:
        thought = Opaque(
            wire="anthropic", value={"type": "thinking", "thinking": spent_text, "signature": "s"}
        )
        return Turn(
            conventions="anthropic",
            messages=(
                Message(role="user", content=goal),
                Message(role="assistant", content=(thought,)),
                Message(role="user", content=(ToolResult(call_id="toolu_1", content="18C, sunny"),)),
            ),
            state="",
            goal=goal,
            tool_results=results,
            prompt_tokens=1,
            thinking=Thinking(enabled=True, budget_tokens=budget, interleaved=True),
        )

    assert whole > 12
    fresh = thinking_for(turn("", 4096), plan, None)
    assert fresh is not None
    assert fresh.tokens == whole
    spent = " ".join(["word"] * (4096 - 10))
    cut = thinking_for(turn(spent, 4096), plan, None)
    assert cut is not None
    assert cut.tokens <= 10
    assert thinking_for(turn(" ".join(["word"] * 4096), 4096), plan, None) is None
    earlier = msgspec.structs.replace(
        turn(spent, 4096),
        messages=(
            Message(role="user", content=goal),
            Message(
                role="assistant",
                content=(Opaque(wire="anthropic", value={"type": "thinking", "thinking": spent}),),
            ),
            Message(role="user", content=(Text(text="and tomorrow?"),)),
        ),
    )
    again = thinking_for(earlier, plan, None)  # a new user message starts a new turn: a fresh budget
    assert again is not None
    assert again.tokens == whole


# -- the official SDK ------------------------------------------------------------------------


@pytest.fixture
def client(base_url: str) -> Iterator[anthropic.Anthropic]:
    with anthropic.Anthropic(base_url=base_url, api_key=KEY, max_retries=0) as client:
        yield client


def test_sdk_stream_accumulates_interleaved_blocks(client: anthropic.Anthropic, http: httpx.Client) -> None:
    history = _after_tool_result(http)
    args: Any = {
        "model": MODEL,
        "max_tokens": 2048,
        "messages": history,
        "tools": [TOOL],
        "thinking": {"type": "enabled", "budget_tokens": 8000},
        "betas": [INTERLEAVED_BETA],
    }
    with client.beta.messages.stream(**args) as stream:
        kinds = [e.type for e in stream]
        final = stream.get_final_message()
    assert {"thinking", "signature", "text"} <= set(kinds)
    created = client.beta.messages.create(**args)
    assert [b.type for b in final.content] == [b.type for b in created.content] == ["thinking", "text"]
    assert final.content[0].model_dump() == created.content[0].model_dump()
    assert final.stop_reason == created.stop_reason == "end_turn"


def test_sdk_tool_runner_thinks_after_the_tool(client: anthropic.Anthropic) -> None:
    calls: list[str] = []

    def get_weather(location: str) -> str:
        """Get weather for a location.

        Args:
            location: the city
        """
        calls.append(location)
        return "18C, sunny"

    runner = client.beta.messages.tool_runner(
        model=MODEL,
        max_tokens=4096,
        messages=ASK,
        tools=[anthropic.beta_tool(get_weather)],
        thinking=ENABLED,
        betas=[INTERLEAVED_BETA],
        max_iterations=4,
    )
    messages = list(runner)
    assert calls
    assert len(messages) >= 2
    for message in messages:  # every message of the turn starts with its signed thinking block
        assert message.content[0].type == "thinking"
        assert message.content[0].signature
    assert messages[-1].stop_reason == "end_turn"
    assert "tool results are in" in messages[-1].content[0].thinking
