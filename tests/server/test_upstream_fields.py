"""The surface round's `Turn` fields in each provider's dialect, and what comes back (D-EXEC-2)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from reference_server._chat_decode import chat_turn
from reference_server._errors import ApiError
from reference_server._execution import RedactedThinking, TextDelta, ThinkingDelta, ThinkingSigned
from reference_server._messages_decode import messages_turn
from reference_server._turn import Turn
from reference_server._upstream_anthropic import anthropic_events, result_from_anthropic
from reference_server._upstream_openai import openai_events, result_from_openai
from reference_server._upstream_request import check_carried
from reference_server._wire._chat import ChatCompletionRequest
from reference_server._wire._decode import convert_request
from reference_server._wire._messages import MessagesRequest
from tests.server.test_upstream_request import body, events, route, source

SCHEMA: Any = {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}
USER: Any = [{"role": "user", "content": "Weather in Paris?"}]


def chat(**extra: Any) -> Turn:
    given = {"model": "stratus-x1ac-small-gpt-4o", "messages": USER, **extra}
    return chat_turn(convert_request(ChatCompletionRequest, given))


def messages(**extra: Any) -> Turn:
    given = {"model": "stratus-x1ac-small-claude-sonnet-4-5", "max_tokens": 4096, "messages": USER, **extra}
    return messages_turn(convert_request(MessagesRequest, given))


OPENAI_FIELDS: Any = {
    "response_format": {
        "type": "json_schema",
        "json_schema": {"name": "City", "schema": SCHEMA, "strict": True},
    },
    "logprobs": True,
    "top_logprobs": 3,
    "seed": 7,
    "logit_bias": {"50256": -100},
    "reasoning_effort": "low",
    "metadata": {"run": "x"},
    "store": False,
    "service_tier": "flex",
    "safety_identifier": "u1",
    "prompt_cache_key": "k",
    "verbosity": "low",
    "modalities": ["text"],
    "prediction": {"type": "content", "content": "Paris"},
}


def test_openai_client_to_openai_every_field() -> None:
    sent = body(chat(**OPENAI_FIELDS), "openai")
    for name, value in OPENAI_FIELDS.items():
        assert sent[name] == value, name


def test_openai_client_to_compatible_endpoints_only_the_portable_fields() -> None:
    for provider in ("google", "openrouter"):
        sent = body(chat(**OPENAI_FIELDS), provider)
        for name in ("response_format", "logprobs", "top_logprobs", "seed", "logit_bias", "reasoning_effort"):
            assert sent[name] == OPENAI_FIELDS[name]
        for name in (
            "metadata",
            "store",
            "service_tier",
            "safety_identifier",
            "prompt_cache_key",
            "prediction",
        ):
            assert name not in sent, (provider, name)


def test_openai_client_to_anthropic() -> None:
    fields = {k: v for k, v in OPENAI_FIELDS.items() if k not in ("logprobs", "top_logprobs")}
    sent = body(chat(**fields), "anthropic")
    assert sent["output_config"] == {"format": {"type": "json_schema", "schema": SCHEMA}, "effort": "low"}
    for name in (
        "seed",
        "logit_bias",
        "metadata",
        "store",
        "verbosity",
        "modalities",
        "prediction",
        "response_format",
    ):
        assert name not in sent, name
    assert "service_tier" not in sent  # flex has no Anthropic form
    assert body(chat(service_tier="default"), "anthropic")["service_tier"] == "standard_only"
    assert "output_config" not in body(chat(response_format={"type": "json_object"}), "anthropic")


def test_logprobs_to_anthropic_is_refused_before_anything_is_held() -> None:
    with pytest.raises(ApiError) as caught:
        check_carried(chat(logprobs=True), "anthropic")
    assert caught.value.status == 400
    assert caught.value.param == "logprobs"
    check_carried(chat(logprobs=False), "anthropic")


def test_legacy_functions_to_anthropic_become_tools() -> None:
    functions = [{"name": "get_weather", "description": "Weather", "parameters": SCHEMA}]
    sent = body(chat(functions=functions, function_call={"name": "get_weather"}), "anthropic")
    assert sent["tools"] == [{"name": "get_weather", "description": "Weather", "input_schema": SCHEMA}]
    assert sent["tool_choice"] == {"type": "tool", "name": "get_weather"}
    assert body(chat(functions=functions), "openai")["functions"] == functions


ANTHROPIC_FIELDS: Any = {
    "thinking": {"type": "enabled", "budget_tokens": 2048, "display": "omitted"},
    "output_config": {"format": {"type": "json_schema", "schema": SCHEMA}, "effort": "high"},
    "service_tier": "standard_only",
    "inference_geo": "us",
    "context_management": {"edits": [{"type": "clear_tool_uses_20250919"}]},
}


def test_anthropic_client_to_anthropic_every_field() -> None:
    sent = body(messages(**ANTHROPIC_FIELDS), "anthropic")
    for name, value in ANTHROPIC_FIELDS.items():
        assert sent[name] == value, name
    assert body(messages(thinking={"type": "adaptive"}), "anthropic")["thinking"] == {"type": "adaptive"}
    assert body(messages(thinking={"type": "disabled"}), "anthropic")["thinking"] == {"type": "disabled"}


def test_anthropic_client_to_openai() -> None:
    sent = body(messages(**ANTHROPIC_FIELDS), "openai")
    assert sent["response_format"] == {
        "type": "json_schema",
        "json_schema": {"name": "response", "schema": SCHEMA},
    }
    assert sent["reasoning_effort"] == "high"
    assert sent["service_tier"] == "default"
    for name in ("thinking", "inference_geo", "context_management", "output_config"):
        assert name not in sent, name


def test_openai_answers_pass_logprobs_and_fingerprint_back() -> None:
    entry = {
        "token": "Hi",
        "logprob": -0.1,
        "bytes": [72, 105],
        "top_logprobs": [{"token": "Hi", "logprob": -0.1, "bytes": None}],
    }
    data = {
        "system_fingerprint": "fp_abc",
        "choices": [
            {
                "index": 0,
                "message": {"content": "Hi"},
                "finish_reason": "stop",
                "logprobs": {"content": [entry]},
            }
        ],
        "usage": {"prompt_tokens": 1, "completion_tokens": 1},
    }
    result = result_from_openai(data, route("openai"))
    assert result.system_fingerprint == "fp_abc"
    logprobs = result.choices[0].logprobs
    assert logprobs is not None
    assert logprobs[0].bytes == (72, 105)
    assert logprobs[0].top[0].bytes is None
    plain = result_from_openai(
        {**data, "choices": [{"index": 0, "message": {"content": "Hi"}}]}, route("openai")
    )
    assert plain.choices[0].logprobs is None


@pytest.mark.asyncio
async def test_openai_stream_passes_logprobs_back() -> None:
    entry = {"token": "Hi", "logprob": -0.5, "bytes": [72, 105], "top_logprobs": []}
    chunks = [
        '{"choices":[{"index":0,"delta":{"content":"Hi"},"logprobs":{"content":['
        + json.dumps(entry)
        + "]}}]}",
        '{"choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}',
    ]
    got = await events(openai_events(source(*(("", c) for c in chunks)), route("openai"), 1))
    text = [e for e in got if isinstance(e, TextDelta)]
    assert text[0].logprobs is not None
    assert text[0].logprobs[0].logprob == -0.5


def test_anthropic_answers_pass_thinking_back() -> None:
    data = {
        "content": [
            {"type": "thinking", "thinking": "hm", "signature": "sig"},
            {"type": "redacted_thinking", "data": "enc"},
            {"type": "text", "text": "Hi"},
        ],
        "stop_reason": "end_turn",
        "usage": {"input_tokens": 1, "output_tokens": 2},
    }
    answer = result_from_anthropic(data, route("anthropic")).choices[0]
    assert [(t.text, t.signature, t.redacted) for t in answer.thinking] == [
        ("hm", "sig", False),
        ("", "enc", True),
    ]


@pytest.mark.asyncio
async def test_anthropic_stream_passes_thinking_back() -> None:
    raw = [
        ("message_start", '{"type":"message_start","message":{"usage":{"input_tokens":1}}}'),
        (
            "content_block_start",
            '{"type":"content_block_start","index":0,"content_block":{"type":"thinking","thinking":"","signature":""}}',
        ),
        (
            "content_block_delta",
            '{"type":"content_block_delta","index":0,"delta":{"type":"thinking_delta","thinking":"hm"}}',
        ),
        (
            "content_block_delta",
            '{"type":"content_block_delta","index":0,"delta":{"type":"signature_delta","signature":"sig"}}',
        ),
        ("content_block_stop", '{"type":"content_block_stop","index":0}'),
        (
            "content_block_start",
            '{"type":"content_block_start","index":1,"content_block":{"type":"redacted_thinking","data":"enc"}}',
        ),
        ("content_block_stop", '{"type":"content_block_stop","index":1}'),
        (
            "message_delta",
            '{"type":"message_delta","delta":{"stop_reason":"end_turn"},"usage":{"output_tokens":2}}',
        ),
        ("message_stop", '{"type":"message_stop"}'),
    ]
    got = await events(anthropic_events(source(*raw), route("anthropic")))
    kinds = [e for e in got if isinstance(e, ThinkingDelta | ThinkingSigned | RedactedThinking)]
    assert kinds == [
        ThinkingDelta(choice=0, text="hm"),
        ThinkingSigned(choice=0, signature="sig"),
        RedactedThinking(choice=0, data="enc"),
    ]
