"""Raw-HTTP checks of wire-checklist items (A-H), DECISIONS and the key store, with httpx."""

from __future__ import annotations

import base64
import json
from typing import Any

import httpx
import numpy as np
import pytest
from litestar.testing import TestClient

from conformance._spec import validator_for
from reference_server import Settings, create_app
from tests.server.conftest import KEY, LIMITED_KEY, MODEL, MODELS_ONLY_KEY, POOR_KEY

CHAT: dict[str, Any] = {
    "model": MODEL,
    "messages": [
        {"role": "system", "content": "Current page: Google homepage with search box visible."},
        {"role": "user", "content": "Find hotels in NYC for December 15-18, 2024"},
    ],
}
MSG: dict[str, Any] = {
    "model": MODEL,
    "max_tokens": 1024,
    "messages": [{"role": "user", "content": "Hello there"}],
}
TOOLS: list[dict[str, Any]] = [
    {
        "type": "function",
        "function": {
            "name": "get_weather",
            "parameters": {
                "type": "object",
                "properties": {
                    "location": {"type": "string"},
                    "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]},
                    "days": {"type": "integer", "minimum": 1, "maximum": 7},
                },
                "required": ["location", "unit", "days"],
            },
        },
    },
    {
        "type": "function",
        "function": {
            "name": "get_time",
            "parameters": {"type": "object", "properties": {"city": {"type": "string"}}},
        },
    },
]


def _events(text: str) -> list[str]:
    return [e for e in text.split("\n\n") if e]


def _chunks(text: str) -> list[dict[str, Any]]:
    out = []
    for event in _events(text):
        assert event.startswith("data: ")
        if event != "data: [DONE]":
            out.append(json.loads(event[6:]))
    return out


def test_a_non_streaming_shape(http: httpx.Client) -> None:
    r = http.post("/v1/chat/completions", json=CHAT)
    assert r.status_code == 200
    assert r.headers["content-type"] == "application/json"
    assert r.headers["x-request-id"] == r.headers["request-id"]
    body = r.json()
    validator_for("ChatCompletionResponse").validate(body)
    assert isinstance(body["created"], int)
    assert body["choices"][0]["logprobs"] is None
    stratus = body["stratus"]
    assert stratus["confidence"] == stratus["overall_confidence"]
    assert stratus["key_source"] == "formation"
    assert stratus["formation_markup_applied"] == 0.25
    assert len(stratus["action_sequence"]) == len(stratus["confidence_labels"]) == stratus["steps_to_goal"]


def test_determinism(http: httpx.Client) -> None:
    a, b = (http.post("/v1/chat/completions", json={**CHAT, "n": 3}).json() for _ in range(2))
    assert [c["message"] for c in a["choices"]] == [c["message"] for c in b["choices"]]
    assert a["stratus"]["action_sequence"] == b["stratus"]["action_sequence"]
    assert len({c["message"]["content"] for c in a["choices"]}) > 1
    assert a["usage"]["total_tokens"] == a["usage"]["prompt_tokens"] + a["usage"]["completion_tokens"]


@pytest.mark.parametrize("limit", [1, 5, 17])
def test_a9_max_tokens_exact(http: httpx.Client, limit: int) -> None:
    for field in ("max_tokens", "max_completion_tokens"):
        body = http.post("/v1/chat/completions", json={**CHAT, field: limit}).json()
        assert body["choices"][0]["finish_reason"] == "length"
        assert body["usage"]["completion_tokens"] == limit


def test_a10_stop(http: httpx.Client) -> None:
    full = http.post("/v1/chat/completions", json=CHAT).json()["choices"][0]["message"]["content"]
    body = http.post("/v1/chat/completions", json={**CHAT, "stop": ["**Next", "zzz"]}).json()
    choice = body["choices"][0]
    assert choice["finish_reason"] == "stop"
    assert choice["message"]["content"] == full[: full.index("**Next")]


def test_tools_parallel_and_schema_valid_arguments(http: httpx.Client) -> None:
    goal = {"role": "user", "content": "What is the weather and the time in Paris for 3 days in fahrenheit?"}
    body = http.post("/v1/chat/completions", json={"model": MODEL, "messages": [goal], "tools": TOOLS}).json()
    calls = body["choices"][0]["message"]["tool_calls"]
    assert body["choices"][0]["finish_reason"] == "tool_calls"
    assert {c["function"]["name"] for c in calls} == {"get_weather", "get_time"}
    weather = json.loads(
        next(c for c in calls if c["function"]["name"] == "get_weather")["function"]["arguments"]
    )
    assert weather == {"location": "Paris", "unit": "fahrenheit", "days": 3}
    single = http.post(
        "/v1/chat/completions",
        json={"model": MODEL, "messages": [goal], "tools": TOOLS, "parallel_tool_calls": False},
    ).json()
    assert len(single["choices"][0]["message"]["tool_calls"]) == 1


@pytest.mark.parametrize(
    ("choice", "expect"),
    [
        ("none", None),
        ("required", "get_weather"),
        ({"type": "function", "function": {"name": "get_time"}}, "get_time"),
    ],
)
def test_tool_choice(http: httpx.Client, choice: Any, expect: str | None) -> None:
    goal = {"role": "user", "content": "Tell me a joke"}
    body = http.post(
        "/v1/chat/completions",
        json={"model": MODEL, "messages": [goal], "tools": TOOLS, "tool_choice": choice},
    ).json()
    message = body["choices"][0]["message"]
    if expect is None:
        assert "tool_calls" not in message
        assert message["content"]
    else:
        assert message["tool_calls"][0]["function"]["name"] == expect
        assert body["choices"][0]["finish_reason"] == "tool_calls"


def test_b_stream_sequence(http: httpx.Client) -> None:
    r = http.post("/v1/chat/completions", json={**CHAT, "n": 2, "stream": True})
    assert r.headers["content-type"].startswith("text/event-stream")
    assert r.headers["cache-control"].startswith("no-cache")
    assert r.headers["x-accel-buffering"] == "no"
    assert r.text.endswith("data: [DONE]\n\n")
    chunks = _chunks(r.text)
    validator = validator_for("ChatCompletionChunk")
    for c in chunks:
        validator.validate(c)
        assert "usage" not in c
    assert len({(c["id"], c["created"]) for c in chunks}) == 1
    assert chunks[0]["choices"][0] == {
        "index": 0,
        "delta": {"role": "assistant", "content": ""},
        "logprobs": None,
        "finish_reason": None,
    }
    assert "stratus" in chunks[0]
    assert "stratus" in chunks[-1]
    for index in (0, 1):
        mine = [c["choices"][0] for c in chunks if c["choices"][0]["index"] == index]
        assert sum("role" in ch["delta"] for ch in mine) == 1
        assert mine[-1]["delta"] == {}
        assert mine[-1]["finish_reason"] == "stop"


def test_b6_b8_tool_deltas_and_usage(http: httpx.Client) -> None:
    goal = {"role": "user", "content": "What is the weather and the time in Paris?"}
    r = http.post(
        "/v1/chat/completions",
        json={
            "model": MODEL,
            "messages": [goal],
            "tools": TOOLS,
            "stream": True,
            "stream_options": {"include_usage": True},
        },
    )
    chunks = _chunks(r.text)
    assert all(c["usage"] is None for c in chunks[:-1])
    assert chunks[-1]["choices"] == []
    assert chunks[-1]["usage"]["total_tokens"] > 0
    deltas = [d for c in chunks[:-1] for d in c["choices"][0]["delta"].get("tool_calls", [])]
    firsts = [d for d in deltas if "id" in d]
    assert [d["index"] for d in firsts] == [0, 1]
    assert all(d["function"]["arguments"] == "" and d["type"] == "function" for d in firsts)
    assert all(
        set(d) == {"index", "function"} and set(d["function"]) == {"arguments"}
        for d in deltas
        if "id" not in d
    )
    for k in (0, 1):
        json.loads("".join(d["function"]["arguments"] for d in deltas if d["index"] == k))


def test_b10_mock_stream_error(http: httpx.Client) -> None:
    r = http.post(
        "/v1/chat/completions", json={**CHAT, "stream": True}, headers={"X-Stratus-Mock-Stream-Error": "1"}
    )
    events = _events(r.text)
    assert len(events) == 3
    assert json.loads(events[1][6:])["error"]["type"]
    assert events[2] == "data: [DONE]"


def test_e_messages_stream(http: httpx.Client) -> None:
    r = http.post("/v1/messages", json={**MSG, "stream": True})
    assert "[DONE]" not in r.text
    events = []
    for raw in _events(r.text):
        name_line, data_line = raw.split("\n")
        name, data = name_line.removeprefix("event: "), json.loads(data_line.removeprefix("data: "))
        assert data["type"] == name
        validator_for("MessagesStreamEvent").validate(data)
        events.append(data)
    names = [e["type"] for e in events]
    assert names[:3] == ["message_start", "content_block_start", "ping"]
    assert names[-2:] == ["message_delta", "message_stop"]
    assert names.count("ping") == 1
    start = events[0]["message"]
    assert start["content"] == []
    assert start["stop_reason"] is None
    assert "stratus" in start
    assert events[-2]["delta"] == {"stop_reason": "end_turn", "stop_sequence": None}
    assert "stratus" in events[-2]


def test_d_messages_shape_and_count(http: httpx.Client) -> None:
    body = http.post("/v1/messages", json=MSG).json()
    validator_for("MessagesResponse").validate(body)
    counted = http.post(
        "/v1/messages/count_tokens", json={"model": MODEL, "messages": MSG["messages"]}
    ).json()
    assert counted == {"input_tokens": body["usage"]["input_tokens"]}


@pytest.mark.parametrize(
    ("patch", "param", "code"),
    [
        ({"n": "5"}, "n", "invalid_type"),
        ({"temperature": 2.5}, "temperature", "invalid_value"),
        ({"foo": 1}, "foo", "unknown_parameter"),
        ({"messages": [{"role": "user"}]}, "messages[0].content", "missing_required_parameter"),
        ({"messages": [{"role": "bogus", "content": "x"}]}, "messages[0].role", "invalid_value"),
        ({"stop": ["a", "b", "c", "d", "e"]}, "stop", "invalid_value"),
        ({"stream_options": {"include_usage": True}}, "stream_options", "invalid_value"),
        ({"model": "stratus-x1ac-base"}, "model", "invalid_model"),
        ({"tool_choice": "auto"}, "tool_choice", "invalid_value"),
    ],
)
def test_c_validation_errors(http: httpx.Client, patch: dict[str, Any], param: str, code: str) -> None:
    r = http.post("/v1/chat/completions", json={**CHAT, **patch})
    assert r.status_code == 400
    assert r.headers["x-should-retry"] == "false"
    err = r.json()["error"]
    validator_for("OpenAIErrorResponse").validate(r.json())
    assert (err["param"], err["code"]) == (param, code)


def test_c_transport_errors(http: httpx.Client) -> None:
    assert (
        http.post("/v1/chat/completions", content=b"{}", headers={"content-type": "text/plain"}).json()[
            "error"
        ]["code"]
        == "invalid_content_type"
    )
    assert (
        http.post("/v1/chat/completions", content=b"{x", headers={"content-type": "application/json"}).json()[
            "error"
        ]["code"]
        == "invalid_json"
    )
    big = http.post("/v1/chat/completions", json={**CHAT, "user": "x" * 70_000})
    assert big.status_code == 413
    assert big.json()["error"]["code"] == "request_too_large"
    assert http.get("/v1/nope").json()["error"]["code"] == "unknown_url"
    wrong = http.get("/v1/chat/completions")
    assert wrong.status_code == 405
    assert "error" in wrong.json()


def test_f_anthropic_envelope(http: httpx.Client) -> None:
    r = http.post("/v1/messages", json={**MSG, "max_tokens": 0})
    body = r.json()
    validator_for("AnthropicErrorResponse").validate(body)
    assert r.status_code == 400
    assert body["request_id"] == r.headers["request-id"]
    assert "max_tokens" in body["error"]["message"]
    assert http.post("/v1/messages", json={**MSG, "model": "stratus-x1ac-mega-gpt-4o"}).status_code == 404
    assert http.get("/v1/messages/nope").json()["type"] == "error"
    mocked = http.post(
        "/v1/messages", json=MSG, headers={"X-Stratus-Mock-Status": "529", "X-Stratus-Mock-Retry-After": "7"}
    )
    assert mocked.status_code == 529
    assert mocked.headers["retry-after"] == "7"
    assert mocked.json()["error"]["type"] == "overloaded_error"
    assert (
        http.post("/v1/chat/completions", json=CHAT, headers={"X-Stratus-Mock-Status": "529"}).status_code
        == 400
    )


def test_auth(base_url: str) -> None:
    with httpx.Client(base_url=base_url) as raw:
        assert raw.post("/v1/chat/completions", json=CHAT).status_code == 401
        assert raw.post("/v1/messages", json=MSG, headers={"x-api-key": KEY}).status_code == 200
        mismatch = {"x-api-key": KEY, "Authorization": f"Bearer {POOR_KEY}"}
        assert raw.post("/v1/messages", json=MSG, headers=mismatch).status_code == 401
        bad = raw.post(
            "/v1/chat/completions", json=CHAT, headers={"Authorization": "Bearer sk-stratus-abc12345"}
        )
        assert bad.status_code == 401
        assert "sk-stratus" not in bad.text
        assert raw.get("/health").status_code == 200


def test_key_store(base_url: str) -> None:
    with httpx.Client(base_url=base_url) as raw:
        poor = raw.post("/v1/chat/completions", json=CHAT, headers={"Authorization": f"Bearer {POOR_KEY}"})
        assert poor.status_code == 402
        assert poor.json()["required_credits"] > poor.json()["available_credits"]
        only = {"Authorization": f"Bearer {MODELS_ONLY_KEY}"}
        assert raw.get("/v1/models", headers=only).status_code == 200
        assert raw.post("/v1/chat/completions", json=CHAT, headers=only).status_code == 403
        limited = {"Authorization": f"Bearer {LIMITED_KEY}"}
        statuses = [raw.get("/v1/models", headers=limited).status_code for _ in range(3)]
        assert statuses[:2] == [200, 200]
        assert statuses[2] == 429
        assert int(raw.get("/v1/models", headers=limited).headers["retry-after"]) >= 1


def test_open_mode_and_byok() -> None:
    with TestClient(create_app(Settings())) as client:
        headers = {"Authorization": "Bearer stratus_sk_live_anyWellFormed1", "X-OpenAI-Key": "sk-proj-secret"}
        body = client.post("/v1/chat/completions", json=CHAT, headers=headers).json()
        assert body["stratus"]["key_source"] == "user"
        assert body["stratus"]["formation_markup_applied"] is None
        in_body = client.post(
            "/v1/chat/completions", json={**CHAT, "openai_key": "sk-x"}, headers=headers
        ).json()
        assert in_body["stratus"]["key_source"] == "user"


def test_h_models(http: httpx.Client) -> None:
    everything = http.get("/v1/models").json()
    assert everything["has_more"] is False
    assert everything["object"] == "list"
    validator_for("ModelList").validate(everything)
    page = http.get("/v1/models", params={"limit": 3}).json()
    nxt = http.get("/v1/models", params={"limit": 3, "after_id": page["last_id"]}).json()
    assert page["has_more"] is True
    assert [m["id"] for m in page["data"] + nxt["data"]] == [m["id"] for m in everything["data"][:6]]
    prev = http.get("/v1/models", params={"limit": 3, "before_id": nxt["first_id"]}).json()
    assert prev["data"] == page["data"]
    missing = http.get("/v1/models/stratus-x1ac-mega-gpt-4o")
    assert missing.status_code == 404
    assert missing.json()["error"]["code"] == "model_not_found"


def test_embeddings_and_rollout(http: httpx.Client) -> None:
    floats = http.post("/v1/embeddings", json={"model": "stratus-x1ac-base", "input": "hello"}).json()
    b64 = http.post(
        "/v1/embeddings", json={"model": "stratus-x1ac-base", "input": "hello", "encoding_format": "base64"}
    ).json()
    decoded = np.frombuffer(base64.b64decode(b64["data"][0]["embedding"]), dtype="<f4")
    assert np.allclose(decoded, floats["data"][0]["embedding"])
    assert decoded.shape == (768,)
    bad = http.post("/v1/embeddings", json={"model": "stratus-x1ac-base-gpt-4o", "input": "x"})
    assert bad.status_code == 400
    assert bad.json()["error"]["code"] == "invalid_model"
    roll = http.post("/v1/rollout", json={"goal": "Find hotels", "actions": [17, 10, 28]}).json()
    validator_for("RolloutResponse").validate(roll)
    assert [a["action_id"] for a in roll["action_sequence"]] == [17, 10, 28]
    last = http.post(
        "/v1/rollout", json={"goal": "Find hotels", "max_steps": 3, "return_intermediate": False}
    ).json()
    assert len(last["predictions"]) == 1
    health = http.get("/health").json()
    validator_for("Health").validate(health)
