"""(a) The official SDKs parse the documented answers, replayed from cassettes (no network)."""

from __future__ import annotations

from typing import Any

import anthropic
import openai
import pytest

from tests._corpus import CORPUS_KEY
from tests.upstream.conftest import DocumentedPair, load_pairs, upstream_vcr

PAIRS = {p.name: p for p in load_pairs()}


def _openai() -> openai.OpenAI:
    return openai.OpenAI(base_url="https://api.stratus.run/v1", api_key=CORPUS_KEY, max_retries=0)


def _anthropic() -> anthropic.Anthropic:
    return anthropic.Anthropic(base_url="https://api.stratus.run", api_key=CORPUS_KEY, max_retries=0)


def _body(name: str) -> dict[str, Any]:
    return dict(PAIRS[name].request_body)


def _doc(name: str) -> Any:
    pair: DocumentedPair = PAIRS[name]
    return pair.body


def test_openai_chat_example() -> None:
    doc = _doc("chat-example")
    with upstream_vcr.use_cassette("chat-example.yaml") as cassette:
        resp = _openai().chat.completions.create(**_body("chat-example"))
    assert cassette.all_played
    assert resp.id == doc["id"]
    assert resp.object == "chat.completion"
    assert resp.created == doc["created"]
    assert resp.choices[0].message.content == doc["choices"][0]["message"]["content"]
    assert resp.choices[0].finish_reason == "stop"
    assert resp.usage is not None
    assert resp.usage.total_tokens == 127
    assert resp.model_extra is not None
    assert resp.model_extra["stratus"] == doc["stratus"]


def test_openai_tool_call() -> None:
    with upstream_vcr.use_cassette("chat-tool-call.yaml") as cassette:
        resp = _openai().chat.completions.create(**_body("chat-tool-call"))
    assert cassette.all_played
    choice = resp.choices[0]
    assert choice.finish_reason == "tool_calls"
    assert choice.message.content is None
    assert choice.message.tool_calls is not None
    call = choice.message.tool_calls[0]
    assert call.type == "function"
    assert call.id == "call_abc123"
    assert call.function.name == "get_current_weather"
    assert call.function.arguments == '{"location": "Boston, MA", "unit": "celsius"}'


def test_openai_documented_error() -> None:
    with (
        upstream_vcr.use_cassette("chat-error-invalid-model.yaml") as cassette,
        pytest.raises(openai.BadRequestError) as info,
    ):
        _openai().chat.completions.create(**_body("chat-error-invalid-model"))
    assert cassette.all_played
    assert info.value.status_code == 400
    assert info.value.code == "invalid_model"
    assert info.value.param == "model"
    assert info.value.type == "invalid_model"


def test_anthropic_basic() -> None:
    with upstream_vcr.use_cassette("messages-basic.yaml") as cassette:
        msg = _anthropic().messages.create(**_body("messages-basic"))
    assert cassette.all_played
    assert msg.id == "msg_01XYZ123"
    assert msg.stop_reason == "end_turn"
    assert msg.stop_sequence is None
    assert msg.content[0].type == "text"
    assert msg.content[0].text.startswith("Clicking the login button")
    assert (msg.usage.input_tokens, msg.usage.output_tokens) == (24, 156)


def test_anthropic_tool_use() -> None:
    with upstream_vcr.use_cassette("messages-tool-use.yaml") as cassette:
        msg = _anthropic().messages.create(**_body("messages-tool-use"))
    assert cassette.all_played
    assert msg.stop_reason == "tool_use"
    block = msg.content[1]
    assert block.type == "tool_use"
    assert (block.id, block.name, block.input) == (
        "toolu_01XYZ",
        "get_weather",
        {"location": "San Francisco", "unit": "celsius"},
    )


def test_anthropic_stream_raw_events() -> None:
    with upstream_vcr.use_cassette("messages-stream.yaml") as cassette:
        stream = _anthropic().messages.create(**_body("messages-stream"))
        events = list(stream)
    assert cassette.all_played
    assert [e.type for e in events] == [
        "message_start",
        "content_block_start",
        "content_block_delta",
        "content_block_delta",
        "content_block_delta",
        "content_block_stop",
        "message_delta",
        "message_stop",
    ]  # the ping is consumed by the SDK
    text = "".join(
        e.delta.text for e in events if e.type == "content_block_delta" and e.delta.type == "text_delta"
    )
    assert text == "The login button"


def test_anthropic_stream_helper_final_message() -> None:
    body = _body("messages-stream")
    assert body.pop("stream") is True  # messages.stream() adds it back
    with (
        upstream_vcr.use_cassette("messages-stream.yaml") as cassette,
        _anthropic().messages.stream(**body) as stream,
    ):
        final = stream.get_final_message()
    assert cassette.all_played
    assert final.id == "msg_01"
    assert final.content[0].type == "text"
    assert final.content[0].text == "The login button"
    assert final.stop_reason == "end_turn"
    assert final.usage.output_tokens == 3
    assert final.usage.input_tokens == 12


def test_anthropic_documented_error() -> None:
    # messages.create() refuses a call without max_tokens before sending, so this goes through the
    # SDK's generic post(), which parses the answer and maps the error exactly as create() would.
    client = _anthropic()
    with (
        upstream_vcr.use_cassette("messages-error-max-tokens.yaml") as cassette,
        pytest.raises(anthropic.BadRequestError) as info,
    ):
        client.post("/v1/messages", cast_to=anthropic.types.Message, body=_body("messages-error-max-tokens"))
    assert cassette.all_played
    assert info.value.status_code == 400
    assert info.value.body == {
        "type": "error",
        "error": {"type": "invalid_request_error", "message": "max_tokens is required"},
    }
