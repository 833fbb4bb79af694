"""A `Turn` as each provider's request body (wire-checklist G), whichever dialect it came from, and
the stream translation of each provider wire into events."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from typing import Any

import msgspec
import pytest

from reference_server import Settings
from reference_server._errors import ApiError
from reference_server._execution import (
    ChoiceStarted,
    Event,
    Failed,
    Finished,
    Opened,
    ProviderKeys,
    TextDelta,
    ThinkingDelta,
    ToolArgumentsDelta,
    ToolCallStarted,
    Usage,
    UsageReported,
)
from reference_server._turn import Turn
from reference_server._upstream_anthropic import anthropic_events
from reference_server._upstream_openai import openai_events
from reference_server._upstream_request import plan_note, request_body, safe_id
from reference_server._upstream_route import Route, route_for
from reference_server.planner import BrainSignal, Plan
from tests.server._requests import ASSISTANT_CALLS_WEATHER, SCHEMA, chat, messages

PLAN = Plan(
    action_sequence=["type", "click"],
    predicted_state_changes=[1.5, 0.25],
    predicted_state_magnitudes=[12.0, 16.0],
    confidence_labels=["Medium", "High"],
    overall_confidence=0.5,
    steps_to_goal=2,
    planning_time_ms=1.0,
    brain_signal=BrainSignal(
        action_type="type",
        confidence=0.5,
        plan_ahead=["click"],
        simulation_confirmed=False,
        goal_proximity=0.1,
    ),
)
NOTE = plan_note(PLAN, "small")
LLM = {
    "openai": "gpt-4o",
    "anthropic": "claude-sonnet-4-5",
    "google": "gemini-2.5-flash",
    "openrouter": "deepseek/deepseek-r1",
}
SETTINGS = Settings(**{f"{p}_api_key": f"operator-{p}" for p in LLM})


def route(provider: str) -> Route:
    return route_for(LLM[provider], SETTINGS, ProviderKeys({}))


def body(turn: Turn, provider: str) -> dict[str, Any]:
    return request_body(turn, route(provider), NOTE)


CHAT = chat(
    messages=[
        {"role": "system", "content": "Page: search"},
        {
            "role": "user",
            "content": [
                {"type": "text", "text": "Look"},
                {"type": "image_url", "image_url": {"url": "data:image/jpeg;base64,QUJD"}},
            ],
        },
        {
            "role": "assistant",
            "content": None,
            "tool_calls": [
                {
                    "id": "functions.get_weather:0",
                    "type": "function",
                    "function": {"name": "get_weather", "arguments": '{"location":"Paris"}'},
                }
            ],
        },
        {"role": "tool", "tool_call_id": "functions.get_weather:0", "content": "18 C"},
        {"role": "user", "content": "And tomorrow?"},
    ],
    temperature=1.6,
    max_tokens=300,
    stop="END",
    presence_penalty=0.5,
    user="u1",
    stream=True,
    tools=[
        {
            "type": "function",
            "function": {"name": "get_weather", "description": "Weather", "parameters": SCHEMA},
        }
    ],
    tool_choice="required",
    parallel_tool_calls=False,
)
SAFE = safe_id("functions.get_weather:0")


@pytest.mark.parametrize("provider", ["openai", "google", "openrouter"])
def test_chat_turn_to_chat_completions(provider: str) -> None:
    limit = "max_completion_tokens" if provider == "openai" else "max_tokens"  # G8
    assert body(CHAT, provider) == {
        "model": LLM[provider],
        "messages": [
            {"role": "system", "content": "Page: search"},
            {"role": "system", "content": NOTE},
            {
                "role": "user",
                "content": [
                    {"type": "text", "text": "Look"},
                    {"type": "image_url", "image_url": {"url": "data:image/jpeg;base64,QUJD"}},
                ],
            },
            {
                "role": "assistant",
                "content": None,
                "tool_calls": [
                    {
                        "id": "functions.get_weather:0",
                        "type": "function",
                        "function": {"name": "get_weather", "arguments": '{"location":"Paris"}'},
                    }
                ],
            },
            {"role": "tool", "tool_call_id": "functions.get_weather:0", "content": "18 C"},
            {"role": "user", "content": "And tomorrow?"},
        ],
        "temperature": 1.6,
        limit: 300,
        "stream": True,
        "stream_options": {"include_usage": True},
        "stop": ["END"],
        "presence_penalty": 0.5,
        "user": "u1",
        "tools": [
            {
                "type": "function",
                "function": {"name": "get_weather", "description": "Weather", "parameters": SCHEMA},
            }
        ],
        "tool_choice": "required",
        "parallel_tool_calls": False,
    }


def test_chat_turn_to_anthropic() -> None:
    assert SAFE.startswith("functions_get_weather_0_")
    assert body(CHAT, "anthropic") == {
        "model": "claude-sonnet-4-5",
        "max_tokens": 300,
        "system": f"Page: search\n\n{NOTE}",  # G1
        "messages": [
            {
                "role": "user",
                "content": [
                    {"type": "text", "text": "Look"},
                    {
                        "type": "image",
                        "source": {"type": "base64", "media_type": "image/jpeg", "data": "QUJD"},
                    },  # G11
                ],
            },
            {
                "role": "assistant",
                "content": [
                    {"type": "tool_use", "id": SAFE, "name": "get_weather", "input": {"location": "Paris"}}
                ],
            },
            {
                "role": "user",  # G2/G3: the tool result and the next user text in one turn, the result first
                "content": [
                    {"type": "tool_result", "tool_use_id": SAFE, "content": "18 C"},
                    {"type": "text", "text": "And tomorrow?"},
                ],
            },
        ],
        "temperature": 1.0,  # G13: Anthropic's range is 0-1
        "stop_sequences": ["END"],
        "metadata": {"user_id": "u1"},
        "tools": [{"name": "get_weather", "description": "Weather", "input_schema": SCHEMA}],
        "tool_choice": {"type": "any", "disable_parallel_tool_use": True},  # G5
        "stream": True,
    }


MESSAGES = messages(
    max_tokens=256,
    system=[{"type": "text", "text": "Page: cart", "cache_control": {"type": "ephemeral"}}],
    messages=[
        {"role": "user", "content": "Weather in Paris?"},
        ASSISTANT_CALLS_WEATHER,
        {
            "role": "user",
            "content": [
                {"type": "text", "text": "Here it is."},
                {
                    "type": "tool_result",
                    "tool_use_id": "toolu_1",
                    "content": [
                        {"type": "text", "text": "rain"},
                        {
                            "type": "image",
                            "source": {"type": "url", "url": "https://x.test/radar.png"},
                        },
                    ],
                    "is_error": True,
                },
            ],
        },
    ],
    top_k=5,
    stop_sequences=["END"],
    metadata={"user_id": "u2"},
    tools=[{"name": "get_weather", "description": "Weather", "input_schema": SCHEMA}],
    tool_choice={"type": "tool", "name": "get_weather"},
)


def test_messages_turn_to_anthropic() -> None:
    """The client's own wire: what it sent comes back, plus the plan note (a block, as `system` was)."""
    assert body(MESSAGES, "anthropic") == {
        "model": "claude-sonnet-4-5",
        "max_tokens": 256,
        "system": [
            {"type": "text", "text": "Page: cart", "cache_control": {"type": "ephemeral"}},
            {"type": "text", "text": NOTE},
        ],
        "messages": [
            {"role": "user", "content": "Weather in Paris?"},
            {
                "role": "assistant",
                "content": [
                    {"type": "text", "text": "Checking"},
                    {
                        "type": "tool_use",
                        "id": "toolu_1",
                        "name": "get_weather",
                        "input": {"location": "Paris"},
                    },
                ],
            },
            {
                "role": "user",
                "content": [
                    {"type": "text", "text": "Here it is."},
                    {
                        "type": "tool_result",
                        "tool_use_id": "toolu_1",
                        "content": [
                            {"type": "text", "text": "rain"},
                            {"type": "image", "source": {"type": "url", "url": "https://x.test/radar.png"}},
                        ],
                        "is_error": True,
                    },
                ],
            },
        ],
        "top_k": 5,
        "stop_sequences": ["END"],
        "metadata": {"user_id": "u2"},
        "tools": [{"name": "get_weather", "description": "Weather", "input_schema": SCHEMA}],
        "tool_choice": {"type": "tool", "name": "get_weather"},
    }


@pytest.mark.parametrize("provider", ["openai", "google", "openrouter"])
def test_messages_turn_to_chat_completions(provider: str) -> None:
    sent = body(MESSAGES, provider)
    assert sent["messages"] == [
        {"role": "system", "content": "Page: cart"},
        {"role": "system", "content": NOTE},
        {"role": "user", "content": "Weather in Paris?"},
        {
            "role": "assistant",
            "content": "Checking",
            "tool_calls": [
                {
                    "id": "toolu_1",
                    "type": "function",
                    "function": {"name": "get_weather", "arguments": '{"location":"Paris"}'},
                }
            ],
        },
        {"role": "tool", "tool_call_id": "toolu_1", "content": "Error: rain"},  # G2
        {
            "role": "user",
            "content": [
                {"type": "image_url", "image_url": {"url": "https://x.test/radar.png"}},  # the result's image
                {"type": "text", "text": "Here it is."},
            ],
        },
    ]
    limit = "max_completion_tokens" if provider == "openai" else "max_tokens"
    assert sent[limit] == 256
    assert sent["stop"] == ["END"]
    assert sent["user"] == "u2"
    assert ("top_k" in sent) == (provider == "openrouter")
    assert sent["tool_choice"] == {"type": "function", "function": {"name": "get_weather"}}
    assert "stream" not in sent
    assert "parallel_tool_calls" not in sent


def test_what_a_provider_cannot_take_is_400() -> None:
    n2 = msgspec.structs.replace(CHAT, n=2)
    with pytest.raises(ApiError) as info:
        body(n2, "anthropic")
    assert (info.value.status, info.value.param) == (400, "n")
    assert body(n2, "openai")["n"] == 2
    five = msgspec.structs.replace(MESSAGES, stop=("1", "2", "3", "4", "5"))
    with pytest.raises(ApiError, match="stop_sequences"):
        body(five, "google")
    assert body(five, "anthropic")["stop_sequences"] == ["1", "2", "3", "4", "5"]
    bad = chat(
        messages=[
            {"role": "user", "content": "Hi"},
            {
                "role": "assistant",
                "tool_calls": [
                    {"id": "c", "type": "function", "function": {"name": "f", "arguments": "[1]"}}
                ],
            },
        ],
    )
    with pytest.raises(ApiError) as info:
        body(bad, "anthropic")
    assert info.value.param == "messages[1].tool_calls[0].function.arguments"
    assert body(bad, "openai")["messages"][-1]["tool_calls"][0]["function"]["arguments"] == "[1]"


def test_anthropic_default_max_tokens_and_note_only_system() -> None:
    plain = chat(messages=[{"role": "user", "content": "Hi"}])
    sent = body(plain, "anthropic")
    assert sent["max_tokens"] == 4096  # G8
    assert sent["system"] == NOTE
    assert sent["messages"] == [{"role": "user", "content": [{"type": "text", "text": "Hi"}]}]
    assert body(plain, "openai")["messages"] == [
        {"role": "system", "content": NOTE},
        {"role": "user", "content": "Hi"},
    ]


# -- provider streams as events ----------------------------------------------------------------


async def source(*items: tuple[str, str]) -> AsyncGenerator[tuple[str, str], None]:
    for item in items:
        yield item


async def events(stream: Any) -> list[Event]:
    return [e async for e in stream]


@pytest.mark.asyncio
async def test_openai_stream_as_events() -> None:
    chunks = [
        '{"choices":[{"index":0,"delta":{"role":"assistant","content":""}}]}',
        '{"choices":[{"index":0,"delta":{"content":"Hi","tool_calls":[{"index":0,"function":{"name":"f","arguments":"{\\"a\\""}}]}}]}',
        '{"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":":1}"}},{"index":1,"id":"call_2","function":{"name":"g"}}]}}]}',
        '{"choices":[{"index":0,"delta":{},"finish_reason":"function_call"}]}',
        '{"choices":[],"usage":{"prompt_tokens":5,"completion_tokens":3}}',
        "[DONE]",
        '{"choices":[{"index":0,"delta":{"content":"after done"}}]}',
    ]
    got = await events(openai_events(source(*(("message", c) for c in chunks)), route("openai"), 1))
    assert got == [
        Opened(),
        ChoiceStarted(choice=0),
        TextDelta(choice=0, text="Hi"),
        ToolCallStarted(choice=0, call=0, id=None, name="f"),
        ToolArgumentsDelta(choice=0, call=0, fragment='{"a"'),
        ToolArgumentsDelta(choice=0, call=0, fragment=":1}"),
        ToolCallStarted(choice=0, call=1, id="call_2", name="g"),
        Finished(choice=0, reason="tool_calls"),
        UsageReported(usage=Usage(input_tokens=5, output_tokens=3)),
    ]
    early = await events(openai_events(source(("message", chunks[1])), route("openai"), 2))
    assert early[:3] == [Opened(), ChoiceStarted(choice=0), ChoiceStarted(choice=1)]
    assert early[-1] == Failed(
        kind="llm_provider_error", message="LLM provider error: the OpenAI stream ended early."
    )
    failed = await events(
        openai_events(
            source(("message", '{"error":{"message":"bad sk-proj-SECRETsecret1"}}')), route("openai"), 1
        )
    )
    assert failed[-1] == Failed(
        kind="llm_provider_error", message="LLM provider error: OpenAI: bad [REDACTED]"
    )
    broken = await events(openai_events(source(("message", "{not json")), route("openai"), 1))
    assert broken[-1] == Failed(
        kind="llm_provider_error", message="LLM provider error: the OpenAI stream failed (JSONDecodeError)."
    )


@pytest.mark.asyncio
async def test_anthropic_stream_as_events() -> None:
    raw = [
        (
            "message_start",
            '{"type":"message_start","message":{"usage":{"input_tokens":10,"output_tokens":1,"cache_read_input_tokens":4}}}',
        ),
        (
            "content_block_start",
            '{"type":"content_block_start","index":0,"content_block":{"type":"thinking","thinking":""}}',
        ),
        (
            "content_block_delta",
            '{"type":"content_block_delta","index":0,"delta":{"type":"thinking_delta","thinking":"hm"}}',
        ),
        (
            "content_block_start",
            '{"type":"content_block_start","index":1,"content_block":{"type":"text","text":""}}',
        ),
        ("ping", '{"type":"ping"}'),
        (
            "content_block_delta",
            '{"type":"content_block_delta","index":1,"delta":{"type":"text_delta","text":"Hi"}}',
        ),
        (
            "content_block_start",
            '{"type":"content_block_start","index":2,"content_block":{"type":"tool_use","id":"toolu_9","name":"f","input":{}}}',
        ),
        (
            "content_block_delta",
            '{"type":"content_block_delta","index":2,"delta":{"type":"input_json_delta","partial_json":""}}',
        ),
        (
            "content_block_delta",
            '{"type":"content_block_delta","index":2,"delta":{"type":"input_json_delta","partial_json":"{}"}}',
        ),
        (
            "message_delta",
            '{"type":"message_delta","delta":{"stop_reason":"stop_sequence","stop_sequence":"END"},"usage":{"output_tokens":7}}',
        ),
        ("message_stop", '{"type":"message_stop"}'),
        ("message_start", '{"type":"message_start","message":{}}'),
    ]
    got = await events(anthropic_events(source(*raw), route("anthropic")))
    assert got == [
        ChoiceStarted(choice=0),
        Opened(usage=Usage(input_tokens=10, output_tokens=1, cache_read_tokens=4)),
        ThinkingDelta(choice=0, text="hm"),
        TextDelta(choice=0, text="Hi"),
        ToolCallStarted(choice=0, call=0, id="toolu_9", name="f"),
        ToolArgumentsDelta(choice=0, call=0, fragment="{}"),
        Finished(choice=0, reason="stop", stop_sequence="END"),
        UsageReported(usage=Usage(input_tokens=10, output_tokens=7, cache_read_tokens=4)),
    ]
    error = ("error", '{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}')
    failed = await events(anthropic_events(source(raw[0], error), route("anthropic")))
    assert failed[-1] == Failed(
        kind="llm_provider_error",
        message="LLM provider error: Anthropic: overloaded_error: Overloaded",
        provider_type="overloaded_error",
    )
    early = await events(anthropic_events(source(*raw[:6]), route("anthropic")))
    assert early[-1] == Failed(
        kind="llm_provider_error", message="LLM provider error: the Anthropic stream ended early."
    )
