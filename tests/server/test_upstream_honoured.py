"""Logprobs, system_fingerprint and thinking through the upstream executor end to end: the client's
fields reach the stand-in provider in its dialect and what it answers reaches the client (D-EXEC-2)."""

from __future__ import annotations

import json
from typing import Any

from litestar.testing import TestClient

from conformance._spec import validator_for
from tests.server._upstream_standin import Reply, StandIn
from tests.server.test_upstream import _chunks, _events, byok, chat, client, msg, standin

__all__ = ["client", "standin"]

ENTRY: Any = {
    "token": "Hi",
    "logprob": -0.25,
    "bytes": [72, 105],
    "top_logprobs": [{"token": "Hi", "logprob": -0.25, "bytes": [72, 105]}],
}
THINKING: Any = {"type": "enabled", "budget_tokens": 1024}


def test_chat_logprobs_and_fingerprint_from_openai(client: TestClient[Any], standin: StandIn) -> None:
    answer = {
        "id": "chatcmpl-1",
        "object": "chat.completion",
        "created": 1,
        "model": "gpt-4o",
        "system_fingerprint": "fp_provider",
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": "Hi"},
                "finish_reason": "stop",
                "logprobs": {"content": [ENTRY]},
            }
        ],
        "usage": {"prompt_tokens": 3, "completion_tokens": 1, "total_tokens": 4},
    }
    standin.reset(Reply(body=answer))
    r = client.post(
        "/v1/chat/completions",
        json=chat("openai", logprobs=True, top_logprobs=1, seed=3),
        headers=byok("openai"),
    )
    assert r.status_code == 200, r.text
    body = r.json()
    validator_for("ChatCompletionResponse").validate(body)
    assert body["system_fingerprint"] == "fp_provider"
    assert body["choices"][0]["logprobs"] == {"content": [ENTRY], "refusal": None}
    sent = standin.seen[-1].body
    assert (sent["logprobs"], sent["top_logprobs"], sent["seed"]) == (True, 1, 3)


def test_chat_stream_logprobs_from_openai(client: TestClient[Any], standin: StandIn) -> None:
    def chunk(choice: dict[str, Any]) -> str:
        return (
            "data: "
            + json.dumps(
                {
                    "id": "c",
                    "object": "chat.completion.chunk",
                    "created": 1,
                    "model": "m",
                    "choices": [choice],
                }
            )
            + "\n\n"
        )

    events = [
        chunk({"index": 0, "delta": {"role": "assistant", "content": ""}, "finish_reason": None}),
        chunk(
            {"index": 0, "delta": {"content": "Hi"}, "finish_reason": None, "logprobs": {"content": [ENTRY]}}
        ),
        chunk({"index": 0, "delta": {}, "finish_reason": "stop"}),
        "data: [DONE]\n\n",
    ]
    standin.reset(Reply(events=events))
    r = client.post(
        "/v1/chat/completions",
        json=chat("openai", logprobs=True, top_logprobs=1, stream=True),
        headers=byok("openai"),
    )
    assert r.status_code == 200, r.text
    with_text = [
        c["choices"][0] for c in _chunks(r.text) if c["choices"] and c["choices"][0]["delta"].get("content")
    ]
    assert with_text[0]["logprobs"] == {"content": [ENTRY], "refusal": None}


def test_chat_logprobs_to_anthropic_is_400(client: TestClient[Any], standin: StandIn) -> None:
    r = client.post("/v1/chat/completions", json=chat("anthropic", logprobs=True), headers=byok("anthropic"))
    assert r.status_code == 400
    assert r.json()["error"]["param"] == "logprobs"
    assert standin.seen == []


def test_messages_thinking_from_anthropic(client: TestClient[Any], standin: StandIn) -> None:
    answer = {
        "id": "msg_1",
        "type": "message",
        "role": "assistant",
        "model": "claude-sonnet-4-5",
        "content": [
            {"type": "thinking", "thinking": "Let me see.", "signature": "EpSig"},
            {"type": "redacted_thinking", "data": "EncData"},
            {"type": "text", "text": "Hi"},
        ],
        "stop_reason": "end_turn",
        "stop_sequence": None,
        "usage": {"input_tokens": 3, "output_tokens": 9},
    }
    standin.reset(Reply(body=answer))
    r = client.post(
        "/v1/messages", json=msg("anthropic", max_tokens=2048, thinking=THINKING), headers=byok("anthropic")
    )
    assert r.status_code == 200, r.text
    body = r.json()
    validator_for("MessagesResponse").validate(body)
    assert body["content"] == answer["content"]
    assert standin.seen[-1].body["thinking"] == THINKING


def test_messages_thinking_stream_from_anthropic(client: TestClient[Any], standin: StandIn) -> None:
    def event(data: dict[str, Any]) -> str:
        return f"event: {data['type']}\ndata: {json.dumps(data)}\n\n"

    usage = {"input_tokens": 3, "output_tokens": 1}
    standin.reset(
        Reply(
            events=[
                event(
                    {
                        "type": "message_start",
                        "message": {
                            "id": "msg_1",
                            "type": "message",
                            "role": "assistant",
                            "content": [],
                            "model": "m",
                            "stop_reason": None,
                            "stop_sequence": None,
                            "usage": usage,
                        },
                    }
                ),
                event(
                    {
                        "type": "content_block_start",
                        "index": 0,
                        "content_block": {"type": "thinking", "thinking": "", "signature": ""},
                    }
                ),
                event(
                    {
                        "type": "content_block_delta",
                        "index": 0,
                        "delta": {"type": "thinking_delta", "thinking": "Let me see."},
                    }
                ),
                event(
                    {
                        "type": "content_block_delta",
                        "index": 0,
                        "delta": {"type": "signature_delta", "signature": "EpSig"},
                    }
                ),
                event({"type": "content_block_stop", "index": 0}),
                event(
                    {"type": "content_block_start", "index": 1, "content_block": {"type": "text", "text": ""}}
                ),
                event(
                    {"type": "content_block_delta", "index": 1, "delta": {"type": "text_delta", "text": "Hi"}}
                ),
                event({"type": "content_block_stop", "index": 1}),
                event(
                    {
                        "type": "message_delta",
                        "delta": {"stop_reason": "end_turn", "stop_sequence": None},
                        "usage": {"output_tokens": 9},
                    }
                ),
                event({"type": "message_stop"}),
            ]
        )
    )
    r = client.post(
        "/v1/messages",
        json=msg("anthropic", max_tokens=2048, thinking=THINKING, stream=True),
        headers=byok("anthropic"),
    )
    assert r.status_code == 200, r.text
    events = _events(r.text)
    for _, data in events:
        validator_for("MessagesStreamEvent").validate(data)
    block0 = [(n, d) for n, d in events if d.get("index") == 0]
    assert block0[0][1]["content_block"] == {"type": "thinking", "thinking": "", "signature": ""}
    deltas = [d["delta"] for n, d in block0 if n == "content_block_delta"]
    assert deltas == [
        {"type": "thinking_delta", "thinking": "Let me see."},
        {"type": "signature_delta", "signature": "EpSig"},
    ]
    assert block0[-1][0] == "content_block_stop"
