"""Upstream execution (D-EXEC-1) against a local stand-in provider: both dialects, every provider
family, JSON and SSE, tool calls both ways, errors, retries, timeouts, key source, key hygiene."""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from litestar.testing import TestClient

from conformance._spec import validator_for
from reference_server import Settings, create_app
from tests.server._serve import free_port, serve
from tests.server._upstream_standin import ARGS, Reply, StandIn, base_urls, openai_reply

STRATUS_KEY = "stratus_sk_test_upstreamKey01"
KEYS = {
    "openai": "sk-proj-UPSTREAMopenai0123456789",
    "anthropic": "sk-ant-UPSTREAManthropic012345",
    "google": "AIzaUPSTREAMgoogle0123456789abcd",
    "openrouter": "sk-or-v1-UPSTREAMopenrouter0123",
}
OPERATOR = {
    "openai": "sk-proj-OPERATORopenai987654321",
    "anthropic": "sk-ant-OPERATORanthropic98765",
    "google": "AIzaOPERATORgoogle9876543210wxyz",
    "openrouter": "sk-or-v1-OPERATORopenrouter987",
}
HEADER = {
    "openai": "X-OpenAI-Key",
    "anthropic": "X-Anthropic-Key",
    "google": "X-Google-Key",
    "openrouter": "X-OpenRouter-Key",
}
LLM = {
    "openai": "gpt-4o",
    "anthropic": "claude-sonnet-4-5",
    "google": "gemini-2.5-flash",
    "openrouter": "deepseek/deepseek-r1",
}
PROVIDERS = list(LLM)
GOAL = "Find hotels in NYC for December 15-18"
SYSTEM = "Current page: Google homepage with search box visible."
TOOLS: list[dict[str, Any]] = [
    {
        "type": "function",
        "function": {
            "name": "get_weather",
            "description": "Weather for a city",
            "parameters": {
                "type": "object",
                "properties": {"location": {"type": "string"}, "unit": {"type": "string"}},
            },
        },
    }
]
A_TOOLS = [
    {
        "name": "get_weather",
        "description": "Weather for a city",
        "input_schema": TOOLS[0]["function"]["parameters"],
    }
]


def model(provider: str) -> str:
    return f"stratus-x1ac-small-{LLM[provider]}"


def chat(provider: str, **extra: Any) -> dict[str, Any]:
    messages = [{"role": "system", "content": SYSTEM}, {"role": "user", "content": GOAL}]
    return {"model": model(provider), "messages": messages, **extra}


def msg(provider: str, **extra: Any) -> dict[str, Any]:
    return {
        "model": model(provider),
        "max_tokens": 256,
        "system": SYSTEM,
        "messages": [{"role": "user", "content": GOAL}],
        **extra,
    }


@pytest.fixture(scope="module")
def standin() -> Iterator[StandIn]:
    app = StandIn()
    with serve(app) as url:
        app.url = url
        yield app


def _settings(standin: StandIn, **extra: Any) -> Settings:
    values: dict[str, Any] = {
        "executor": "upstream",
        "upstream_read_timeout_s": 0.5,
        "upstream_connect_timeout_s": 0.5,
        "upstream_backoff_s": 0.01,
        "upstream_retries": 2,
        "upstream_max_retry_wait_s": 2.0,
        **base_urls(standin.url),
        **extra,
    }
    return Settings(**values)


@pytest.fixture
def client(standin: StandIn) -> Iterator[TestClient[Any]]:
    standin.reset()
    with TestClient(create_app(_settings(standin)), base_url="http://stratus.test") as c:
        c.headers["authorization"] = f"Bearer {STRATUS_KEY}"
        yield c


def byok(provider: str) -> dict[str, str]:
    return {HEADER[provider]: KEYS[provider]}


def _chunks(text: str) -> list[dict[str, Any]]:
    lines = [line[6:] for line in text.split("\n") if line.startswith("data: ")]
    assert lines[-1] == "[DONE]"
    return [json.loads(x) for x in lines[:-1]]


def _events(text: str) -> list[tuple[str, dict[str, Any]]]:
    out = []
    for block in text.strip().split("\n\n"):
        name, data = block.split("\n", 1)
        assert name.startswith("event: ")
        assert data.startswith("data: ")
        out.append((name[7:], json.loads(data[6:])))
    return out


def _sent_note(seen_body: dict[str, Any], anthropic: bool) -> str:
    if anthropic:
        system = seen_body["system"]
        return system if isinstance(system, str) else "\n".join(b["text"] for b in system)
    return "\n".join(m["content"] for m in seen_body["messages"] if m["role"] == "system")


def _check_sent(standin: StandIn, provider: str, key: str) -> dict[str, Any]:
    assert len(standin.seen) == 1
    seen = standin.seen[0]
    suffix = "/messages" if provider == "anthropic" else "/chat/completions"
    assert seen.path.endswith(suffix)
    assert seen.path.startswith("/" + provider)
    if provider == "anthropic":
        assert seen.headers["x-api-key"] == key
        assert seen.headers["anthropic-version"] == "2023-06-01"
        assert "authorization" not in seen.headers
    else:
        assert seen.headers["authorization"] == f"Bearer {key}"
    body: dict[str, Any] = seen.body
    assert body["model"] == LLM[provider]
    note = _sent_note(body, provider == "anthropic")
    assert SYSTEM in note
    assert "[Stratus X1 world-model plan, x1ac-small]" in note
    assert "1. " in note
    assert "Overall confidence" in note
    assert not any(k in body for k in ("openai_key", "anthropic_key", "gemini_key", "openrouter_key"))
    return body


def _check_stratus(stratus: dict[str, Any], provider: str, source: str = "user") -> None:
    assert stratus["execution_llm"] == LLM[provider]
    assert stratus["key_source"] == source
    assert stratus["formation_markup_applied"] == (None if source == "user" else 0.25)
    assert stratus["execution_time_ms"] > 0
    assert stratus["stratus_model"] == "x1ac-small"
    assert len(stratus["action_sequence"]) == stratus["steps_to_goal"]


# -- chat completions ------------------------------------------------------------------------


@pytest.mark.parametrize("provider", PROVIDERS)
def test_chat_json(client: TestClient[Any], standin: StandIn, provider: str) -> None:
    r = client.post("/v1/chat/completions", json=chat(provider), headers=byok(provider))
    assert r.status_code == 200, r.text
    body = r.json()
    validator_for("ChatCompletionResponse").validate(body)
    assert body["model"] == model(provider)
    assert body["choices"][0]["message"]["content"] == f"{provider} says: {GOAL}"
    assert body["choices"][0]["finish_reason"] == "stop"
    expected_prompt = 42 if provider == "anthropic" else 31  # anthropic: input + cache read (G10)
    assert body["usage"]["prompt_tokens"] == expected_prompt
    _check_stratus(body["stratus"], provider)
    sent = _check_sent(standin, provider, KEYS[provider])
    if provider == "anthropic":
        assert sent["max_tokens"] == 4096
        assert sent["messages"] == [{"role": "user", "content": [{"type": "text", "text": GOAL}]}]


@pytest.mark.parametrize("provider", PROVIDERS)
@pytest.mark.parametrize("include_usage", [False, True])
def test_chat_stream(client: TestClient[Any], standin: StandIn, provider: str, include_usage: bool) -> None:
    extra: dict[str, Any] = {"stream": True}
    if include_usage:
        extra["stream_options"] = {"include_usage": True}
    r = client.post("/v1/chat/completions", json=chat(provider, **extra), headers=byok(provider))
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("text/event-stream")
    chunks = _chunks(r.text)
    validate = validator_for("ChatCompletionChunk").validate
    for c in chunks:
        validate(c)
    assert len({c["id"] for c in chunks}) == 1
    assert chunks[0]["choices"][0]["delta"] == {"role": "assistant", "content": ""}
    text = "".join(c["choices"][0]["delta"].get("content", "") for c in chunks if c["choices"])
    assert text == f"{provider} says: {GOAL}"
    assert "stratus" in chunks[0]
    assert "stratus" in chunks[-1]
    assert all("stratus" not in c for c in chunks[1:-1])
    _check_stratus(chunks[-1]["stratus"], provider)
    if include_usage:
        assert chunks[-1]["choices"] == []
        assert chunks[-1]["usage"]["total_tokens"] > 0
        assert all(c["usage"] is None for c in chunks[:-1])
    else:
        assert chunks[-1]["choices"][0]["finish_reason"] == "stop"
        assert all("usage" not in c for c in chunks)
    sent = _check_sent(standin, provider, KEYS[provider])
    assert sent["stream"] is True
    if provider != "anthropic":
        assert sent["stream_options"] == {"include_usage": True}  # usage is needed for billing (G10)


@pytest.mark.parametrize("provider", ["openai", "anthropic"])
def test_chat_tool_calls(client: TestClient[Any], standin: StandIn, provider: str) -> None:
    req = chat(provider, tools=TOOLS, tool_choice="auto", parallel_tool_calls=False)
    r = client.post("/v1/chat/completions", json=req, headers=byok(provider))
    assert r.status_code == 200, r.text
    choice = r.json()["choices"][0]
    assert choice["finish_reason"] == "tool_calls"
    (call,) = choice["message"]["tool_calls"]
    assert call["function"]["name"] == "get_weather"
    assert json.loads(call["function"]["arguments"]) == json.loads(ARGS)
    sent = standin.seen[0].body
    if provider == "anthropic":  # G5, G6
        assert sent["tools"] == A_TOOLS
        assert sent["tool_choice"] == {"type": "auto", "disable_parallel_tool_use": True}
    else:
        assert sent["tools"] == TOOLS
        assert sent["parallel_tool_calls"] is False

    # the tool result goes back: Anthropic gets ONE user turn, tool_result first (G3, G4)
    standin.reset()
    follow = chat(provider, tools=TOOLS)
    follow["messages"] += [
        {"role": "assistant", "content": None, "tool_calls": [{**call, "id": "functions.get_weather:0"}]},
        {"role": "tool", "tool_call_id": "functions.get_weather:0", "content": "18 C, sunny"},
        {"role": "user", "content": "And tomorrow?"},
    ]
    r = client.post("/v1/chat/completions", json=follow, headers=byok(provider))
    assert r.status_code == 200, r.text
    sent = standin.seen[0].body
    if provider == "anthropic":
        assistant, user = sent["messages"][1], sent["messages"][2]
        use = assistant["content"][0]
        assert use["type"] == "tool_use"
        assert use["input"] == json.loads(ARGS)
        assert use["id"].startswith("functions_get_weather_0_")  # sanitised, still paired
        assert user["content"][0] == {
            "type": "tool_result",
            "tool_use_id": use["id"],
            "content": "18 C, sunny",
        }
        assert user["content"][1] == {"type": "text", "text": "And tomorrow?"}
    else:
        assert sent["messages"][-2] == {
            "role": "tool",
            "tool_call_id": "functions.get_weather:0",
            "content": "18 C, sunny",
        }


@pytest.mark.parametrize("provider", ["openai", "anthropic"])
def test_chat_tool_call_stream(client: TestClient[Any], standin: StandIn, provider: str) -> None:
    r = client.post(
        "/v1/chat/completions", json=chat(provider, tools=TOOLS, stream=True), headers=byok(provider)
    )
    assert r.status_code == 200, r.text
    chunks = _chunks(r.text)
    for c in chunks:
        validator_for("ChatCompletionChunk").validate(c)
    calls = [t for c in chunks for t in c["choices"][0]["delta"].get("tool_calls", [])]
    assert calls[0]["id"]
    assert calls[0]["function"] == {"name": "get_weather", "arguments": ""}
    assert "".join(t["function"].get("arguments", "") for t in calls) == ARGS
    assert chunks[-1]["choices"][0]["finish_reason"] == "tool_calls"


def test_chat_n_to_anthropic_is_400(client: TestClient[Any], standin: StandIn) -> None:
    r = client.post("/v1/chat/completions", json=chat("anthropic", n=2), headers=byok("anthropic"))
    assert r.status_code == 400
    assert r.json()["error"]["param"] == "n"
    assert standin.seen == []


# -- messages --------------------------------------------------------------------------------


@pytest.mark.parametrize("provider", PROVIDERS)
def test_messages_json(client: TestClient[Any], standin: StandIn, provider: str) -> None:
    r = client.post("/v1/messages", json=msg(provider), headers=byok(provider))
    assert r.status_code == 200, r.text
    body = r.json()
    validator_for("MessagesResponse").validate(body)
    assert body["content"][0] == {"type": "text", "text": f"{provider} says: {GOAL}"}
    assert body["stop_reason"] == "end_turn"
    assert body["model"] == model(provider)
    _check_stratus(body["stratus"], provider)
    sent = _check_sent(standin, provider, KEYS[provider])
    if provider != "anthropic":
        assert sent["messages"][0] == {"role": "system", "content": SYSTEM}
        limit = "max_completion_tokens" if provider == "openai" else "max_tokens"
        assert sent[limit] == 256


@pytest.mark.parametrize("provider", PROVIDERS)
def test_messages_stream(client: TestClient[Any], standin: StandIn, provider: str) -> None:
    r = client.post("/v1/messages", json=msg(provider, stream=True), headers=byok(provider))
    assert r.status_code == 200, r.text
    events = _events(r.text)
    validate = validator_for("MessagesStreamEvent").validate
    for name, data in events:
        assert data["type"] == name
        validate(data)
    names = [n for n, _ in events]
    assert names[0] == "message_start"
    assert names[-2:] == ["message_delta", "message_stop"]
    assert names[1:3] == ["content_block_start", "ping"]
    text = "".join(d["delta"]["text"] for n, d in events if n == "content_block_delta")
    assert text == f"{provider} says: {GOAL}"
    start, delta = events[0][1], events[-2][1]
    assert start["message"]["model"] == model(provider)
    _check_stratus(start["message"]["stratus"], provider)
    _check_stratus(delta["stratus"], provider)
    assert delta["delta"]["stop_reason"] == "end_turn"
    _check_sent(standin, provider, KEYS[provider])


@pytest.mark.parametrize("provider", ["openai", "anthropic"])
@pytest.mark.parametrize("stream", [False, True])
def test_messages_tool_use(client: TestClient[Any], standin: StandIn, provider: str, stream: bool) -> None:
    req = msg(
        provider, tools=A_TOOLS, tool_choice={"type": "any", "disable_parallel_tool_use": True}, stream=stream
    )
    r = client.post("/v1/messages", json=req, headers=byok(provider))
    assert r.status_code == 200, r.text
    if stream:
        events = _events(r.text)
        starts = [d["content_block"] for n, d in events if n == "content_block_start"]
        use = next(b for b in starts if b["type"] == "tool_use")
        index = next(
            d["index"]
            for n, d in events
            if n == "content_block_start" and d["content_block"]["type"] == "tool_use"
        )
        args = "".join(
            d["delta"]["partial_json"]
            for n, d in events
            if n == "content_block_delta" and d["index"] == index
        )
        assert json.loads(args) == json.loads(ARGS)
        assert events[-2][1]["delta"]["stop_reason"] == "tool_use"
        for _, data in events:
            validator_for("MessagesStreamEvent").validate(data)
    else:
        body = r.json()
        use = next(b for b in body["content"] if b["type"] == "tool_use")
        assert use["input"] == json.loads(ARGS)
        assert body["stop_reason"] == "tool_use"
    assert use["name"] == "get_weather"
    sent = standin.seen[0].body
    if provider == "openai":  # G5, G6
        assert sent["tools"] == TOOLS
        assert sent["tool_choice"] == "required"
        assert sent["parallel_tool_calls"] is False

    # tool_result back: OpenAI gets role:tool messages before the user's text (G2)
    standin.reset()
    follow = msg(provider, tools=A_TOOLS)
    follow["messages"] += [
        {
            "role": "assistant",
            "content": [
                {"type": "tool_use", "id": "toolu_1", "name": "get_weather", "input": {"location": "Paris"}}
            ],
        },
        {
            "role": "user",
            "content": [
                {"type": "text", "text": "Here it is."},
                {"type": "tool_result", "tool_use_id": "toolu_1", "content": "rain", "is_error": True},
            ],
        },
    ]
    r = client.post("/v1/messages", json=follow, headers=byok(provider))
    assert r.status_code == 200, r.text
    sent = standin.seen[0].body
    if provider == "openai":
        assert sent["messages"][-3]["tool_calls"][0]["function"] == {
            "name": "get_weather",
            "arguments": '{"location":"Paris"}',
        }
        assert sent["messages"][-2] == {"role": "tool", "tool_call_id": "toolu_1", "content": "Error: rain"}
        assert sent["messages"][-1] == {"role": "user", "content": "Here it is."}
    else:
        assert sent["messages"] == follow["messages"]


# -- errors, retries, timeouts ---------------------------------------------------------------


def test_provider_error_is_502_in_both_dialects(client: TestClient[Any], standin: StandIn) -> None:
    standin.reset(*[Reply(status=500, body={"error": {"message": "boom", "type": "server_error"}})] * 3)
    r = client.post("/v1/chat/completions", json=chat("openai"), headers=byok("openai"))
    assert r.status_code == 502
    err = r.json()["error"]
    assert err["type"] == "llm_provider_error"
    assert err["code"] == "llm_provider_error"
    assert err["message"] == "LLM provider error: OpenAI answered 500: boom"
    assert len(standin.seen) == 3  # first attempt + 2 retries

    standin.reset(
        Reply(
            status=400, body={"type": "error", "error": {"type": "invalid_request_error", "message": "bad"}}
        )
    )
    r = client.post("/v1/messages", json=msg("anthropic"), headers=byok("anthropic"))
    assert r.status_code == 502
    body = r.json()
    assert body["type"] == "error"
    assert body["error"]["type"] == "api_error"
    assert "Anthropic" in body["error"]["message"]
    assert "bad" in body["error"]["message"]
    assert len(standin.seen) == 1  # 400 is not retried


def test_retries_honour_retry_after(client: TestClient[Any], standin: StandIn) -> None:
    standin.reset(
        Reply(status=429, body={"error": {"message": "slow down"}}, headers={"retry-after-ms": "200"}),
        Reply(status=503, body={"error": {"message": "busy"}}, headers={"retry-after": "0"}),
    )
    t0 = time.perf_counter()
    r = client.post("/v1/chat/completions", json=chat("google"), headers=byok("google"))
    assert r.status_code == 200, r.text
    assert time.perf_counter() - t0 >= 0.2
    assert len(standin.seen) == 3

    # a retry-after beyond the bound (upstream_max_retry_wait_s = 2) ends the retries at once
    standin.reset(Reply(status=429, body={"error": {"message": "quota"}}, headers={"retry-after": "30"}))
    r = client.post("/v1/chat/completions", json=chat("openrouter"), headers=byok("openrouter"))
    assert r.status_code == 502
    assert len(standin.seen) == 1
    assert r.headers["retry-after"] == "30"
    assert r.json()["error"]["message"] == "LLM provider error: OpenRouter answered 429: quota"


@pytest.mark.parametrize(
    ("path", "provider"), [("/v1/chat/completions", "openai"), ("/v1/messages", "anthropic")]
)
def test_timeout_is_504(client: TestClient[Any], standin: StandIn, path: str, provider: str) -> None:
    standin.reset(Reply(delay_s=1.0, body={}))
    body = chat(provider) if path.endswith("completions") else msg(provider)
    r = client.post(path, json=body, headers=byok(provider))
    assert r.status_code == 504
    if provider == "anthropic":
        assert r.json()["error"]["type"] == "timeout_error"
    else:
        assert r.json()["error"]["type"] == "timeout_error"
        assert r.json()["error"]["code"] == "timeout"
    assert "did not answer within 0.5 s" in r.text


def test_unreachable_provider_is_502(standin: StandIn) -> None:
    settings = _settings(standin, openai_base_url=f"http://127.0.0.1:{free_port()}/v1", upstream_retries=1)
    with TestClient(create_app(settings)) as c:
        r = c.post(
            "/v1/chat/completions",
            json=chat("openai"),
            headers={**byok("openai"), "authorization": f"Bearer {STRATUS_KEY}"},
        )
    assert r.status_code == 502
    assert "could not reach OpenAI" in r.json()["error"]["message"]


def test_in_stream_provider_error(client: TestClient[Any], standin: StandIn) -> None:
    start: dict[str, Any] = {
        "id": "m",
        "type": "message",
        "role": "assistant",
        "model": "x",
        "content": [],
        "stop_reason": None,
        "stop_sequence": None,
        "usage": {"input_tokens": 1, "output_tokens": 1},
    }
    events = [
        f"event: message_start\ndata: {json.dumps({'type': 'message_start', 'message': start})}\n\n",
        'event: error\ndata: {"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}\n\n',
    ]
    standin.reset(Reply(events=events))
    r = client.post("/v1/chat/completions", json=chat("anthropic", stream=True), headers=byok("anthropic"))
    lines = [line for line in r.text.split("\n") if line.startswith("data: ")]
    assert lines[-1] == "data: [DONE]"
    err = json.loads(lines[-2][6:])["error"]
    assert err["type"] == "llm_provider_error"
    assert "Overloaded" in err["message"]

    standin.reset(Reply(events=[f"data: {json.dumps({'error': {'message': 'upstream died'}})}\n\n"]))
    r = client.post("/v1/messages", json=msg("openai", stream=True), headers=byok("openai"))
    name, data = _events(r.text)[-1]
    assert name == "error"
    assert data["error"]["type"] == "api_error"
    assert "upstream died" in data["error"]["message"]


# -- keys ------------------------------------------------------------------------------------


def test_not_configured(client: TestClient[Any], standin: StandIn) -> None:
    r = client.post(
        "/v1/chat/completions", json=chat("openai"), headers=byok("anthropic")
    )  # wrong provider's key
    assert r.status_code == 502
    err = r.json()["error"]
    assert err["type"] == "llm_provider_not_configured"
    assert err["code"] == "llm_provider_not_configured"
    assert "X-OpenAI-Key" in err["message"]
    assert "STRATUS_OPENAI_API_KEY" in err["message"]
    r = client.post("/v1/messages", json=msg("google"))
    assert r.status_code == 502
    assert r.json()["error"]["type"] == "api_error"
    assert "Google" in r.json()["error"]["message"]
    assert standin.seen == []


def test_key_sources(standin: StandIn) -> None:
    operator = {f"{p}_api_key": k for p, k in OPERATOR.items()}
    with TestClient(create_app(_settings(standin, **operator))) as c:
        c.headers["authorization"] = f"Bearer {STRATUS_KEY}"
        for provider in PROVIDERS:
            standin.reset()
            r = c.post("/v1/chat/completions", json=chat(provider))
            _check_stratus(r.json()["stratus"], provider, "formation")
            _check_sent(standin, provider, OPERATOR[provider])
        standin.reset()  # a BYOK key for another provider does not count: the pool key is used
        r = c.post("/v1/messages", json=msg("anthropic"), headers=byok("openai"))
        _check_stratus(r.json()["stratus"], "anthropic", "formation")
        _check_sent(standin, "anthropic", OPERATOR["anthropic"])
        standin.reset()  # the BYOK header beats the operator key
        r = c.post("/v1/messages", json=msg("openai"), headers=byok("openai"))
        _check_stratus(r.json()["stratus"], "openai", "user")
        _check_sent(standin, "openai", KEYS["openai"])
        standin.reset()  # so does the chat body key (D-AUTH-3)
        r = c.post("/v1/chat/completions", json=chat("google", gemini_key=KEYS["google"]))
        _check_stratus(r.json()["stratus"], "google", "user")
        _check_sent(standin, "google", KEYS["google"])


def test_credits_use_provider_usage_and_markup(standin: StandIn, tmp_path: Any) -> None:
    keys = tmp_path / "keys.json"
    keys.write_text(json.dumps({"keys": [{"key": STRATUS_KEY, "credits": 100.0}]}))
    settings = _settings(standin, keys_file=str(keys), openai_api_key=OPERATOR["openai"])
    app = create_app(settings)
    with TestClient(app) as c:
        c.headers["authorization"] = f"Bearer {STRATUS_KEY}"
        c.post("/v1/chat/completions", json=chat("openai"))  # pool: 38 tokens x 0.15/1K x 1.25
        c.post("/v1/chat/completions", json=chat("openai"), headers=byok("openai"))  # BYOK: no markup
    store = app.state["stratus_store"]
    account = next(iter(store._accounts.values()))
    balance = asyncio.run(store.balance(account))
    assert balance == pytest.approx(100.0 - 38 / 1000 * 0.15 * 1.25 - 38 / 1000 * 0.15)


def test_keys_never_in_logs_or_errors(
    client: TestClient[Any], standin: StandIn, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    key = KEYS["openai"]
    leaky = {
        "error": {
            "message": f"Incorrect API key provided: {key}. Also sk-proj-someOtherKey1234.",
            "type": "invalid_request_error",
        }
    }
    standin.reset(Reply(status=401, body=leaky), *[Reply(status=503, body=leaky)] * 3)
    texts = []
    r = client.post("/v1/chat/completions", json=chat("openai"), headers=byok("openai"))
    assert r.status_code == 502
    assert "[REDACTED]" in r.text
    texts.append(r.text)
    r = client.post("/v1/chat/completions", json=chat("openai", stream=True), headers=byok("openai"))
    texts.append(r.text)
    for provider in PROVIDERS:
        r = client.post("/v1/messages", json=msg(provider, stream=True), headers=byok(provider))
        texts.append(r.text)
    logged = caplog.text + "\n".join(repr(rec.args) for rec in caplog.records)
    assert "upstream OpenAI gpt-4o: 401" in logged  # the calls are logged...
    for secret in [*KEYS.values(), "sk-proj-someOtherKey1234"]:
        assert secret not in logged  # ...without keys
        assert all(secret not in t for t in texts)
    assert KEYS["openai"] not in repr(_settings(standin, openai_api_key=KEYS["openai"]))


def test_embedded_stays_default(standin: StandIn) -> None:
    standin.reset()
    settings = Settings(**base_urls(standin.url))
    assert settings.executor == "embedded"
    with TestClient(create_app(settings)) as c:
        r = c.post(
            "/v1/chat/completions",
            json=chat("openai"),
            headers={**byok("openai"), "authorization": f"Bearer {STRATUS_KEY}"},
        )
    assert r.status_code == 200
    assert r.json()["stratus"]["key_source"] == "user"
    assert standin.seen == []


def test_stream_passes_events_through_as_they_arrive(standin: StandIn) -> None:
    """Through a real server: the first chunk reaches the client long before the provider finishes."""
    standin.reset()
    body = chat("openai", stream=True)
    reply = openai_reply(
        "openai",
        {
            "model": "gpt-4o",
            "messages": body["messages"],
            "stream": True,
            "stream_options": {"include_usage": True},
        },
    )
    reply.event_delay_s = 0.15
    standin.reset(reply)
    app = create_app(_settings(standin, upstream_read_timeout_s=5.0))
    with serve(app) as url, httpx.Client(base_url=url, timeout=10) as c:
        t0 = time.perf_counter()
        arrivals = []
        with c.stream(
            "POST",
            "/v1/chat/completions",
            json=body,
            headers={**byok("openai"), "authorization": f"Bearer {STRATUS_KEY}"},
        ) as r:
            for line in r.iter_lines():
                if line.startswith("data: "):
                    arrivals.append(time.perf_counter() - t0)
    total = arrivals[-1]
    assert total >= 0.15 * (len(reply.events or []) - 1)
    assert arrivals[0] < total / 2  # event by event, not buffered


@pytest.mark.parametrize(
    ("path", "provider"),
    [("chat", "openai"), ("chat", "anthropic"), ("messages", "anthropic"), ("messages", "openai")],
)
def test_keepalive_comments_during_prefill(standin: StandIn, path: str, provider: str) -> None:
    """B12: the first event goes out before the provider's first token, and while the provider is
    silent the stream carries `: keep-alive` comments, which both SDKs skip: their stream helpers
    still assemble the answer."""
    import anthropic
    import openai

    standin.reset(prefill_s=0.3)
    app = create_app(_settings(standin, upstream_read_timeout_s=5.0, sse_keepalive_s=0.05))
    with serve(app) as url:
        with httpx.Client(base_url=url, timeout=10) as c:
            route = "/v1/chat/completions" if path == "chat" else "/v1/messages"
            body = chat(provider, stream=True) if path == "chat" else msg(provider, stream=True)
            r = c.post(route, json=body, headers={**byok(provider), "authorization": f"Bearer {STRATUS_KEY}"})
        assert r.status_code == 200
        lines = r.text.split("\n")
        assert lines.count(": keep-alive") >= 2
        events = [i for i, line in enumerate(lines) if line.startswith(("data:", "event:"))]
        first_comment = lines.index(": keep-alive")
        last_comment = len(lines) - 1 - lines[::-1].index(": keep-alive")
        if (path, provider) == ("messages", "anthropic"):  # passthrough: the provider's message_start
            assert first_comment < events[0]
        else:  # B12: role chunk / message_start at once, then comments while the provider is silent
            assert events[0] < first_comment
        assert events[-1] > last_comment
        standin.reset(prefill_s=0.3)
        if path == "chat":
            with (
                openai.OpenAI(
                    base_url=f"{url}/v1", api_key=STRATUS_KEY, default_headers=byok(provider), max_retries=0
                ) as oa,
                oa.chat.completions.stream(model=body["model"], messages=body["messages"]) as stream,
            ):
                done = stream.get_final_completion()
            assert done.choices[0].message.content == f"{provider} says: {GOAL}"
        else:
            with (
                anthropic.Anthropic(
                    base_url=url, api_key=STRATUS_KEY, default_headers=byok(provider), max_retries=0
                ) as an,
                an.messages.stream(
                    model=body["model"], max_tokens=body["max_tokens"], messages=body["messages"]
                ) as stream,
            ):
                final = stream.get_final_message()
            assert final.content[0].text == f"{provider} says: {GOAL}"  # type: ignore[union-attr]


def test_keepalive_off_sends_no_comments(standin: StandIn) -> None:
    standin.reset(prefill_s=0.2)
    app = create_app(_settings(standin, upstream_read_timeout_s=5.0, sse_keepalive_s=0.0))
    with serve(app) as url, httpx.Client(base_url=url, timeout=10) as c:
        r = c.post(
            "/v1/chat/completions",
            json=chat("openai", stream=True),
            headers={**byok("openai"), "authorization": f"Bearer {STRATUS_KEY}"},
        )
    assert r.status_code == 200
    assert ": keep-alive" not in r.text
