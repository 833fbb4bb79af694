"""Interleaved thinking through the upstream executor (D-THINK-5): the client's `anthropic-beta` names
reach an Anthropic provider (and no other), and an answer whose thinking blocks come between tool
calls and text keeps its block order, as JSON, as events, and as the official SDK's stream
accumulator rebuilds it."""

from __future__ import annotations

import json
from typing import Any

import anthropic
import pytest
from litestar.testing import TestClient

from conformance._spec import validator_for
from reference_server import create_app
from tests.server._serve import serve
from tests.server._upstream_standin import Reply, StandIn
from tests.server.test_upstream import (
    A_TOOLS,
    STRATUS_KEY,
    _events,
    _settings,
    byok,
    client,
    model,
    msg,
    standin,
)

__all__ = ["client", "standin"]

BETAS = "interleaved-thinking-2025-05-14, context-1m-2025-08-07"
THINKING: Any = {"type": "enabled", "budget_tokens": 4096}
CONTENT: Any = [
    {"type": "thinking", "thinking": "Paris first.", "signature": "EpOne"},
    {"type": "text", "text": "Checking Paris."},
    {"type": "tool_use", "id": "toolu_1", "name": "get_weather", "input": {"city": "Paris"}},
    {"type": "thinking", "thinking": "Now London.", "signature": "EpTwo"},
    {"type": "redacted_thinking", "data": "EncData"},
    {"type": "tool_use", "id": "toolu_2", "name": "get_weather", "input": {"city": "London"}},
    {"type": "text", "text": "Both asked."},
]


def _message(content: Any) -> dict[str, Any]:
    return {
        "id": "msg_1",
        "type": "message",
        "role": "assistant",
        "model": "claude-sonnet-4-5",
        "content": content,
        "stop_reason": "tool_use",
        "stop_sequence": None,
        "usage": {"input_tokens": 3, "output_tokens": 40},
    }


def _sse(data: dict[str, Any]) -> str:
    return f"event: {data['type']}\ndata: {json.dumps(data)}\n\n"


def _provider_events(content: Any) -> list[str]:
    """`content` as Anthropic streams it: per block a start, its deltas and a stop."""
    start = _message([])
    start["stop_reason"] = None
    out = [_sse({"type": "message_start", "message": start})]
    for i, block in enumerate(content):
        opened: Any = {**block}
        deltas: list[Any] = []
        if block["type"] == "thinking":
            opened = {"type": "thinking", "thinking": "", "signature": ""}
            deltas = [
                {"type": "thinking_delta", "thinking": block["thinking"]},
                {"type": "signature_delta", "signature": block["signature"]},
            ]
        elif block["type"] == "text":
            opened = {"type": "text", "text": ""}
            deltas = [{"type": "text_delta", "text": block["text"]}]
        elif block["type"] == "tool_use":
            opened = {**block, "input": {}}
            deltas = [{"type": "input_json_delta", "partial_json": json.dumps(block["input"])}]
        out.append(_sse({"type": "content_block_start", "index": i, "content_block": opened}))
        out += [_sse({"type": "content_block_delta", "index": i, "delta": d}) for d in deltas]
        out.append(_sse({"type": "content_block_stop", "index": i}))
    out.append(
        _sse(
            {
                "type": "message_delta",
                "delta": {"stop_reason": "tool_use", "stop_sequence": None},
                "usage": {"output_tokens": 40},
            }
        )
    )
    out.append(_sse({"type": "message_stop"}))
    return out


def _request(**extra: Any) -> dict[str, Any]:
    return msg("anthropic", **{"max_tokens": 8192, "thinking": THINKING, "tools": A_TOOLS, **extra})


def test_json_keeps_the_providers_block_order(client: TestClient[Any], standin: StandIn) -> None:
    standin.reset(Reply(body=_message(CONTENT)))
    beta = {**byok("anthropic"), "anthropic-beta": BETAS}
    r = client.post("/v1/messages", json=_request(max_tokens=2048), headers=beta)  # budget above max_tokens
    assert r.status_code == 200, r.text
    assert standin.seen[-1].body["thinking"] == THINKING
    assert standin.seen[-1].body["max_tokens"] == 2048
    body = r.json()
    validator_for("MessagesResponse").validate(body)
    assert body["content"] == CONTENT
    assert body["stop_reason"] == "tool_use"


def test_the_beta_names_reach_an_anthropic_provider_only(client: TestClient[Any], standin: StandIn) -> None:
    standin.reset(Reply(body=_message(CONTENT)))
    client.post("/v1/messages", json=_request(), headers={**byok("anthropic"), "anthropic-beta": BETAS})
    seen = standin.seen[-1].headers
    assert seen["anthropic-beta"] == "interleaved-thinking-2025-05-14,context-1m-2025-08-07"
    assert seen["anthropic-version"] == "2023-06-01"
    standin.reset(Reply(body=_message(CONTENT)))
    r = client.post("/v1/messages", json=_request(), headers=byok("anthropic"))
    assert r.status_code == 200, r.text
    assert "anthropic-beta" not in standin.seen[-1].headers
    chat_answer = {
        "id": "chatcmpl-1",
        "object": "chat.completion",
        "created": 1,
        "model": "gpt-4o",
        "choices": [{"index": 0, "message": {"role": "assistant", "content": "Hi"}, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 3, "completion_tokens": 1, "total_tokens": 4},
    }
    standin.reset(Reply(body=chat_answer))
    r = client.post("/v1/messages", json=msg("openai"), headers={**byok("openai"), "anthropic-beta": BETAS})
    assert r.status_code == 200, r.text
    assert "anthropic-beta" not in standin.seen[-1].headers


def test_stream_keeps_the_providers_block_order(client: TestClient[Any], standin: StandIn) -> None:
    standin.reset(Reply(events=_provider_events(CONTENT)))
    r = client.post(
        "/v1/messages", json=_request(stream=True), headers={**byok("anthropic"), "anthropic-beta": BETAS}
    )
    assert r.status_code == 200, r.text
    events = _events(r.text)
    for _, data in events:
        validator_for("MessagesStreamEvent").validate(data)
    starts = [d for n, d in events if n == "content_block_start"]
    assert [d["index"] for d in starts] == list(range(len(CONTENT)))
    assert [d["content_block"]["type"] for d in starts] == [b["type"] for b in CONTENT]
    open_index: int | None = None
    for name, data in events:  # one block open at a time, each stopped before the next starts
        if name == "content_block_start":
            assert open_index is None
            open_index = data["index"]
        elif name == "content_block_delta":
            assert data["index"] == open_index
        elif name == "content_block_stop":
            assert data["index"] == open_index
            open_index = None
    assert standin.seen[-1].headers["anthropic-beta"].startswith("interleaved-thinking-2025-05-14")


def test_sdk_stream_accumulator_rebuilds_the_interleaved_message(standin: StandIn) -> None:
    standin.reset(Reply(events=_provider_events(CONTENT)), Reply(body=_message(CONTENT)))
    with (
        serve(create_app(_settings(standin))) as url,
        anthropic.Anthropic(
            api_key=STRATUS_KEY, base_url=url, default_headers=byok("anthropic"), max_retries=0
        ) as sdk,
    ):
        args: Any = _request(max_tokens=2048)
        with sdk.beta.messages.stream(**args, betas=["interleaved-thinking-2025-05-14"]) as stream:
            final = stream.get_final_message()
        created = sdk.beta.messages.create(**args, betas=["interleaved-thinking-2025-05-14"])
    rebuilt = [b.model_dump(exclude_none=True) for b in final.content]
    assert rebuilt == CONTENT
    assert [b.model_dump(exclude_none=True) for b in created.content] == rebuilt
    assert [s.headers["anthropic-beta"] for s in standin.seen] == ["interleaved-thinking-2025-05-14"] * 2


@pytest.mark.parametrize("stream", [False, True])
def test_an_openai_client_still_gets_no_thinking(
    client: TestClient[Any], standin: StandIn, stream: bool
) -> None:
    standin.reset(Reply(events=_provider_events(CONTENT)) if stream else Reply(body=_message(CONTENT)))
    body = {
        "model": model("anthropic"),
        "messages": [{"role": "user", "content": "Weather?"}],
        "stream": stream,
    }
    r = client.post("/v1/chat/completions", json=body, headers=byok("anthropic"))
    assert r.status_code == 200, r.text
    assert "Paris first." not in r.text
    assert "EpOne" not in r.text
    assert "Checking Paris." in r.text
