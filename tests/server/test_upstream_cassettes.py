"""Provider cassettes (fixtures/cassettes/providers, constructed from documented wire formats, not
recorded) replayed through the server in upstream mode with the real provider base URLs, and the
record path (`tests.tools.record_providers`) run against the stand-in: keys never written."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import vcr
from litestar.testing import TestClient

from conformance._spec import validator_for
from reference_server import Settings, create_app
from tests.server._serve import serve
from tests.server._upstream_standin import StandIn, base_urls
from tests.server.test_upstream import KEYS, STRATUS_KEY
from tests.tools.record_providers import FILTER_HEADERS, SCENARIOS, record

CASSETTES = Path(__file__).resolve().parents[2] / "fixtures" / "cassettes" / "providers"
LABEL = "CONSTRUCTED FROM DOCUMENTED WIRE FORMAT, NOT RECORDED."
SENT: list[Any] = []
"""The requests the server sent during the current replay, as vcrpy saw them (headers filtered)."""


def _capture(request: Any) -> Any:
    SENT.append(request)
    return request


REPLAY = vcr.VCR(
    record_mode="none",
    filter_headers=FILTER_HEADERS,
    before_record_request=_capture,
    match_on=["method", "scheme", "host", "port", "path"],
    decode_compressed_response=True,
)
BYOK = {
    "openai": {"X-OpenAI-Key": KEYS["openai"]},
    "anthropic": {"X-Anthropic-Key": KEYS["anthropic"]},
    "google": {"X-Google-Key": KEYS["google"]},
    "openrouter": {"X-OpenRouter-Key": KEYS["openrouter"]},
}


@pytest.fixture
def client() -> Iterator[TestClient[Any]]:
    settings = Settings(executor="upstream", upstream_retries=0)  # default (real) provider base URLs
    with TestClient(create_app(settings)) as c:
        c.headers["authorization"] = f"Bearer {STRATUS_KEY}"
        yield c


def _chat(llm: str, **extra: Any) -> dict[str, Any]:
    return {"model": f"stratus-x1ac-base-{llm}", "messages": [{"role": "user", "content": "Hello!"}], **extra}


def _msg(llm: str, **extra: Any) -> dict[str, Any]:
    return {
        "model": f"stratus-x1ac-base-{llm}",
        "max_tokens": 512,
        "messages": [{"role": "user", "content": "Hello!"}],
        **extra,
    }


def _replay(name: str) -> Any:
    SENT.clear()
    return REPLAY.use_cassette(str(CASSETTES / f"{name}.yaml"), allow_playback_repeats=False)


def _data_lines(text: str) -> list[str]:
    return [line[6:] for line in text.split("\n") if line.startswith("data: ")]


def test_every_cassette_is_labelled() -> None:
    files = sorted(CASSETTES.glob("*.yaml"))
    assert len(files) >= 9
    for path in files:
        text = path.read_text()
        assert text.startswith("# " + LABEL), path.name
        assert "# Source: https://" in text
        assert "x-cassette-provenance" in text
        assert "authorization" not in text.lower()
        assert "x-api-key" not in text.lower()


def test_openai_chat(client: TestClient[Any]) -> None:
    with _replay("openai-chat") as cassette:
        r = client.post("/v1/chat/completions", json=_chat("gpt-4o"), headers=BYOK["openai"])
    assert cassette.play_count == 1
    assert r.status_code == 200, r.text
    body = r.json()
    validator_for("ChatCompletionResponse").validate(body)
    assert body["choices"][0]["message"]["content"] == "Hello! How can I assist you today?"
    assert body["usage"] == {"prompt_tokens": 19, "completion_tokens": 10, "total_tokens": 29}
    assert body["model"] == "stratus-x1ac-base-gpt-4o"
    assert body["stratus"]["execution_llm"] == "gpt-4o"
    sent = json.loads(SENT[-1].body)
    assert sent["model"] == "gpt-4o"
    assert sent["messages"][0]["role"] == "system"
    assert "authorization" not in SENT[-1].headers  # filtered before vcrpy sees it
    assert KEYS["openai"] not in str(SENT[-1].headers)


def test_openai_chat_stream_as_messages(client: TestClient[Any]) -> None:
    with _replay("openai-chat-stream"):
        r = client.post("/v1/messages", json=_msg("gpt-4o-mini", stream=True), headers=BYOK["openai"])
    assert r.status_code == 200, r.text
    events = [json.loads(d) for d in _data_lines(r.text)]
    for event in events:
        validator_for("MessagesStreamEvent").validate(event)
    assert [e["type"] for e in events][:3] == ["message_start", "content_block_start", "ping"]
    assert (
        "".join(e["delta"]["text"] for e in events if e["type"] == "content_block_delta")
        == "Hello! How can I help?"
    )
    assert events[-2]["usage"] == {"output_tokens": 6, "input_tokens": 19}
    assert events[-2]["stratus"]["execution_llm"] == "gpt-4o-mini"


def test_openai_tool_calls_as_messages(client: TestClient[Any]) -> None:
    tools = [
        {
            "name": "get_current_weather",
            "input_schema": {"type": "object", "properties": {"location": {"type": "string"}}},
        }
    ]
    with _replay("openai-chat-tool-calls"):
        r = client.post("/v1/messages", json=_msg("gpt-4o-mini", tools=tools), headers=BYOK["openai"])
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["stop_reason"] == "tool_use"
    assert body["content"] == [
        {
            "type": "tool_use",
            "id": "call_abc123",
            "name": "get_current_weather",
            "input": {"location": "Boston, MA"},
        }
    ]


def test_openai_429_is_502(client: TestClient[Any]) -> None:
    with _replay("openai-error-429"):
        r = client.post("/v1/chat/completions", json=_chat("gpt-4o"), headers=BYOK["openai"])
    assert r.status_code == 502
    assert r.headers["retry-after"] == "60"
    err = r.json()["error"]
    assert err["type"] == "llm_provider_error"
    assert err["message"].startswith("LLM provider error: OpenAI answered 429: Rate limit reached for gpt-4o")


def test_anthropic_message_as_chat(client: TestClient[Any]) -> None:
    with _replay("anthropic-messages"):
        r = client.post("/v1/chat/completions", json=_chat("claude-sonnet-4-5"), headers=BYOK["anthropic"])
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["choices"][0]["message"]["content"] == "Hi! My name is Claude."
    assert body["usage"] == {"prompt_tokens": 2095, "completion_tokens": 503, "total_tokens": 2598}
    assert body["stratus"]["key_source"] == "user"
    assert body["stratus"]["execution_llm"] == "claude-sonnet-4-5"
    sent = json.loads(SENT[-1].body)
    assert "x-api-key" not in SENT[-1].headers
    assert sent["max_tokens"] == 4096
    assert sent["system"].startswith("[Stratus X1 world-model plan")


def test_anthropic_stream_passthrough(client: TestClient[Any]) -> None:
    with _replay("anthropic-messages-stream"):
        r = client.post(
            "/v1/messages", json=_msg("claude-sonnet-4-5", stream=True), headers=BYOK["anthropic"]
        )
    assert r.status_code == 200, r.text
    names = [line[7:] for line in r.text.split("\n") if line.startswith("event: ")]
    assert names == [
        "message_start", "content_block_start", "ping", "content_block_delta", "content_block_delta",
        "content_block_stop", "message_delta", "message_stop",
    ]  # fmt: skip
    events = [json.loads(d) for d in _data_lines(r.text)]
    assert events[0]["message"]["model"] == "stratus-x1ac-base-claude-sonnet-4-5"
    assert "stratus" in events[0]["message"]
    assert "stratus" in events[-2]


def test_anthropic_tool_use_stream_as_chat(client: TestClient[Any]) -> None:
    tools = [{"type": "function", "function": {"name": "get_weather", "parameters": {"type": "object"}}}]
    with _replay("anthropic-messages-tool-use-stream"):
        r = client.post(
            "/v1/chat/completions",
            json=_chat("claude-sonnet-4-5", tools=tools, stream=True, stream_options={"include_usage": True}),
            headers=BYOK["anthropic"],
        )
    assert r.status_code == 200, r.text
    lines = _data_lines(r.text)
    assert lines[-1] == "[DONE]"
    chunks = [json.loads(x) for x in lines[:-1]]
    for c in chunks:
        validator_for("ChatCompletionChunk").validate(c)
    deltas = [c["choices"][0]["delta"] for c in chunks if c["choices"]]
    assert (
        "".join(d.get("content", "") for d in deltas)
        == "Okay, let me check the weather for San Francisco, CA:"
    )
    calls = [t for d in deltas for t in d.get("tool_calls", [])]
    assert calls[0]["id"] == "toolu_01T1x1fJ34qAmk2tNTrN7Up6"
    assert json.loads("".join(t["function"].get("arguments", "") for t in calls)) == {
        "location": "San Francisco, CA"
    }
    assert chunks[-2]["choices"][0]["finish_reason"] == "tool_calls"
    assert chunks[-1]["usage"] == {"prompt_tokens": 472, "completion_tokens": 89, "total_tokens": 561}


def test_openrouter_stream(client: TestClient[Any]) -> None:
    with _replay("openrouter-chat-stream"):
        r = client.post(
            "/v1/chat/completions",
            json=_chat("deepseek/deepseek-r1", stream=True),
            headers=BYOK["openrouter"],
        )
    assert r.status_code == 200, r.text
    lines = _data_lines(r.text)
    chunks = [json.loads(x) for x in lines[:-1]]
    for c in chunks:
        validator_for("ChatCompletionChunk").validate(c)
    assert (
        "".join(c["choices"][0]["delta"].get("content", "") for c in chunks)
        == "Paris is the capital of France."
    )
    assert chunks[-1]["stratus"]["execution_llm"] == "deepseek/deepseek-r1"
    assert json.loads(SENT[-1].body)["model"] == "deepseek/deepseek-r1"


def test_google_openai_compat(client: TestClient[Any]) -> None:
    with _replay("google-openai-compat"):
        r = client.post("/v1/messages", json=_msg("gemini-2.5-flash"), headers=BYOK["google"])
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["content"] == [{"type": "text", "text": "AI learns patterns from data to make predictions."}]
    assert body["usage"]["input_tokens"] == 14
    assert body["stratus"]["execution_llm"] == "gemini-2.5-flash"
    assert SENT[-1].uri == "https://generativelanguage.googleapis.com/v1beta/openai/chat/completions"


def test_record_path_scrubs_keys(tmp_path: Path) -> None:
    """The recorder, pointed at the stand-in with operator keys: every scenario recorded, no key
    in any file, and the recordings replay through the server."""
    standin = StandIn()
    with serve(standin) as url:
        operator: dict[str, Any] = {f"{p}_api_key": k for p, k in KEYS.items()}
        settings = Settings(**base_urls(url), **operator)
        written = record(tmp_path, settings, ["openai", "anthropic"])
    assert len(written) == 2 * len(SCENARIOS)
    for path in written:
        text = path.read_text()
        assert text.startswith("# RECORDED from")
        assert all(key not in text for key in KEYS.values())
        assert "authorization" not in text.lower()
        assert "x-api-key" not in text.lower()
    replay_settings = Settings(executor="upstream", **base_urls(url), upstream_retries=0)
    with (
        TestClient(create_app(replay_settings)) as c,
        REPLAY.use_cassette(str(tmp_path / "anthropic-chat-stream.yaml")),
    ):
        r = c.post(
            "/v1/chat/completions",
            json={
                "model": "stratus-x1ac-small-claude-haiku-4-5",
                "messages": [{"role": "user", "content": "Hi"}],
                "stream": True,
            },
            headers={"authorization": f"Bearer {STRATUS_KEY}", "x-anthropic-key": "sk-ant-replayOnly000000"},
        )
    assert r.status_code == 200
    assert r.text.endswith("data: [DONE]\n\n")
    assert "anthropic says:" in r.text
