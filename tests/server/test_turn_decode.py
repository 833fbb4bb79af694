"""Both dialects decode into the same `Turn`: every field, the planner's view, the prompt count, and
the rules the Structs cannot check."""

from __future__ import annotations

from typing import Any

import msgspec
import pytest

from reference_server._catalog import parse_chat_model
from reference_server._chat_decode import body_keys, chat_turn
from reference_server._embedded import EmbeddedExecutor, conversation
from reference_server._errors import ApiError
from reference_server._execution import ProviderKeys
from reference_server._messages_decode import prompt_tokens
from reference_server._tokens import count_tokens
from reference_server._turn import (
    CacheHint,
    ForcedTool,
    Image,
    Message,
    Opaque,
    Text,
    Tool,
    ToolCall,
    ToolOutcome,
    ToolResult,
)
from reference_server._wire._chat import ChatCompletionRequest
from reference_server._wire._decode import convert_request, decode_request
from reference_server._wire._messages import CountTokensRequest
from reference_server.planner import get_planner
from tests.server._requests import ASSISTANT_CALLS_WEATHER, SCHEMA, chat, messages


def test_chat_turn_carries_every_field() -> None:
    turn = chat(
        messages=[
            {"role": "system", "content": "Page: search"},
            {"role": "developer", "content": [{"type": "text", "text": "Be brief"}], "name": "ops"},
            {"role": "user", "content": "Weather?"},
            {
                "role": "assistant",
                "content": [{"type": "text", "text": "Checking"}, {"type": "refusal", "refusal": "no"}],
                "refusal": "no",
                "tool_calls": [
                    {"id": "c1", "type": "function", "function": {"name": "get_weather", "arguments": "{bad"}}
                ],
            },
            {"role": "tool", "tool_call_id": "c1", "content": "18 C"},
            {"role": "tool", "tool_call_id": "c9", "content": [{"type": "text", "text": "?"}]},
            {
                "role": "user",
                "content": [
                    {"type": "text", "text": "And in Paris?"},
                    {"type": "image_url", "image_url": {"url": "https://x.test/a.png", "detail": "low"}},
                ],
                "name": "bob",
            },
            {"role": "tool", "tool_call_id": "c1", "content": "rain"},
        ],
        temperature=0.5,
        top_p=0.9,
        n=2,
        max_tokens=50,
        max_completion_tokens=40,
        stream=True,
        stream_options={"include_usage": True},
        stop="END",
        presence_penalty=0.1,
        frequency_penalty=-0.2,
        user="u1",
        tools=[
            {
                "type": "function",
                "function": {
                    "name": "get_weather",
                    "description": "Weather",
                    "parameters": SCHEMA,
                    "strict": True,
                },
            },
            {"type": "function", "function": {"name": "noop"}},
        ],
        tool_choice={"type": "function", "function": {"name": "get_weather"}},
        parallel_tool_calls=False,
    )
    assert turn.messages == (
        Message(role="system", content=(Text(text="Page: search"),)),
        Message(role="developer", content=(Text(text="Be brief"),), name="ops"),
        Message(role="user", content=(Text(text="Weather?"),)),
        Message(
            role="assistant",
            content=(
                Text(text="Checking"),
                Opaque(wire="openai", value={"type": "refusal", "refusal": "no"}),
                ToolCall(id="c1", name="get_weather", arguments="{bad"),
            ),
            refusal="no",
        ),
        Message(role="tool", content=(ToolResult(call_id="c1", content="18 C"),)),
        Message(role="tool", content=(ToolResult(call_id="c9", content=(Text(text="?"),)),)),
        Message(
            role="user",
            content=(Text(text="And in Paris?"), Image(url="https://x.test/a.png", detail="low")),
            name="bob",
        ),
        Message(role="tool", content=(ToolResult(call_id="c1", content="rain"),)),
    )
    assert turn.conventions == "openai"
    assert turn.state == "Page: search\nBe brief"
    assert turn.goal == "And in Paris?"
    assert turn.tool_results == (ToolOutcome(name="get_weather", text="rain"),)
    assert turn.tools == (
        Tool(name="get_weather", description="Weather", parameters=SCHEMA, strict=True),
        Tool(name="noop"),
    )
    assert turn.tool_choice == ForcedTool(name="get_weather")
    assert turn.parallel_tool_calls is False
    assert turn.max_tokens == 40  # the smaller of the two limits
    assert turn.budget_tokens == 80  # x n
    assert turn.stop == ("END",)
    assert (turn.n, turn.stream, turn.include_usage) == (2, True, True)
    assert (turn.temperature, turn.top_p, turn.presence_penalty, turn.frequency_penalty) == (
        0.5,
        0.9,
        0.1,
        -0.2,
    )
    assert turn.top_k is None
    assert turn.user == "u1"
    assert turn.response_format is None
    assert turn.seed is None
    assert turn.thinking is None
    prompt = "\n".join(
        [
            "system\nPage: search",
            "developer\nBe brief",
            "user\nWeather?",
            "assistant\nChecking",
            "get_weather{bad",
            "tool\n18 C",
            "tool\n?",
            "user\nAnd in Paris?",
            "tool\nrain",
            "get_weatherWeather",
            msgspec.json.encode(SCHEMA).decode(),
            "noop",
        ]
    )
    assert turn.prompt_tokens == count_tokens(prompt)


def test_chat_defaults_and_spellings() -> None:
    turn = chat(
        messages=[{"role": "user", "content": "Hi"}],
        temperature=None,
        stop=["a", "b"],
        tools=[{"type": "function", "function": {"name": "f"}}],
        tool_choice="required",
    )
    assert (turn.temperature, turn.max_tokens, turn.n, turn.user) == (None, None, None, None)
    assert turn.stop == ("a", "b")
    assert turn.tool_choice == "required"
    assert turn.parallel_tool_calls is None
    assert turn.stream is False
    assert turn.include_usage is None
    assert turn.budget_tokens == 1024
    bare = chat(messages=[{"role": "user", "content": "Hi"}])
    assert bare.tool_choice is None
    assert bare.tools == ()
    assert conversation(bare).tool_mode == "none"
    assert (
        conversation(
            chat(
                messages=[{"role": "user", "content": "Hi"}],
                tools=[{"type": "function", "function": {"name": "f"}}],
            )
        ).tool_mode
        == "auto"
    )


def test_chat_body_keys() -> None:
    req = convert_request(
        ChatCompletionRequest,
        {
            "model": "stratus-x1ac-small-gpt-4o",
            "messages": [{"role": "user", "content": "Hi"}],
            "gemini_key": "AIzaBodyKey",
            "openrouter_key": "sk-or-v1-x",
        },
    )
    assert body_keys(req) == {"google": "AIzaBodyKey", "openrouter": "sk-or-v1-x"}


@pytest.mark.parametrize(
    ("body", "param"),
    [
        ({"stream_options": {"include_usage": True}}, "stream_options"),
        ({"tool_choice": "auto"}, "tool_choice"),
        (
            {
                "tools": [{"type": "function", "function": {"name": "f"}}],
                "tool_choice": {"type": "function", "function": {"name": "g"}},
            },
            "tool_choice",
        ),
    ],
)
def test_chat_rules_the_structs_cannot_check(body: dict[str, Any], param: str) -> None:
    with pytest.raises(ApiError) as info:
        chat(messages=[{"role": "user", "content": "Hi"}], **body)
    assert (info.value.status, info.value.param) == (400, param)
    with pytest.raises(ApiError) as info:
        chat(messages=[{"role": "assistant"}])
    assert info.value.param == "messages[0].content"


def test_messages_turn_carries_every_field() -> None:
    turn = messages(
        system=[{"type": "text", "text": "Page: cart", "cache_control": {"type": "ephemeral", "ttl": "1h"}}],
        messages=[
            {"role": "user", "content": "Weather?"},
            ASSISTANT_CALLS_WEATHER,
            {
                "role": "user",
                "content": [
                    {"type": "tool_result", "tool_use_id": "toolu_1", "content": "18 C", "is_error": False},
                    {
                        "type": "tool_result",
                        "tool_use_id": "toolu_2",
                        "content": [
                            {"type": "text", "text": "map"},
                            {
                                "type": "image",
                                "source": {"type": "base64", "media_type": "image/png", "data": "AAAA"},
                            },
                        ],
                    },
                    {
                        "type": "image",
                        "source": {"type": "url", "url": "https://x.test/b.png"},
                        "cache_control": {"type": "ephemeral"},
                    },
                ],
            },
        ],
        temperature=1.5,
        top_p=0.5,
        top_k=5,
        stream=True,
        stop_sequences=["END"],
        metadata={"user_id": "u2"},
        tools=[
            {
                "name": "get_weather",
                "description": "Weather",
                "input_schema": SCHEMA,
                "cache_control": {"type": "ephemeral"},
            }
        ],
        tool_choice={"type": "any", "disable_parallel_tool_use": True},
    )
    assert turn.messages == (
        Message(role="system", content=(Text(text="Page: cart", cache=CacheHint(ttl="1h")),)),
        Message(role="user", content="Weather?"),
        Message(
            role="assistant",
            content=(
                Text(text="Checking"),
                ToolCall(
                    id="toolu_1",
                    name="get_weather",
                    arguments='{"location":"Paris"}',
                    input={"location": "Paris"},
                ),
            ),
        ),
        Message(
            role="user",
            content=(
                ToolResult(call_id="toolu_1", content="18 C", is_error=False),
                ToolResult(
                    call_id="toolu_2", content=(Text(text="map"), Image(media_type="image/png", data="AAAA"))
                ),
                Image(url="https://x.test/b.png", cache=CacheHint()),
            ),
        ),
    )
    assert turn.conventions == "anthropic"
    assert turn.state == "Page: cart"
    assert turn.goal == "Weather?"
    assert turn.tool_results == (
        ToolOutcome(name="get_weather", text="18 C"),
        ToolOutcome(name="the tool", text="map"),
    )
    assert turn.tools == (
        Tool(name="get_weather", description="Weather", parameters=SCHEMA, cache=CacheHint()),
    )
    assert (turn.tool_choice, turn.parallel_tool_calls) == ("required", False)
    assert (turn.max_tokens, turn.n, turn.budget_tokens) == (64, None, 64)
    assert (turn.temperature, turn.top_p, turn.top_k, turn.stop, turn.stream, turn.user) == (
        1.5,
        0.5,
        5,
        ("END",),
        True,
        "u2",
    )
    count = convert_request(
        CountTokensRequest,
        {
            "model": "stratus-x1ac-small-gpt-4o",
            "system": "Page: cart",
            "messages": [{"role": "user", "content": "Weather?"}],
        },
    )
    assert prompt_tokens(count) == count_tokens("Page: cart\nuser\nWeather?")
    assert messages(
        system="Page: cart", messages=[{"role": "user", "content": "Weather?"}]
    ).prompt_tokens == count_tokens("Page: cart\nuser\nWeather?")


@pytest.mark.parametrize(
    ("choice", "expected"),
    [
        (None, (None, None)),
        ({"type": "auto"}, ("auto", None)),
        ({"type": "auto", "disable_parallel_tool_use": False}, ("auto", True)),
        ({"type": "none"}, ("none", None)),
        ({"type": "tool", "name": "f", "disable_parallel_tool_use": True}, (ForcedTool(name="f"), False)),
    ],
)
def test_messages_tool_choice(choice: dict[str, Any] | None, expected: tuple[Any, Any]) -> None:
    extra = {"tool_choice": choice} if choice else {}
    turn = messages(
        messages=[{"role": "user", "content": "Hi"}],
        tools=[{"name": "f", "input_schema": {"type": "object"}}],
        **extra,
    )
    assert (turn.tool_choice, turn.parallel_tool_calls) == expected


def test_messages_rules_the_structs_cannot_check() -> None:
    with pytest.raises(ApiError, match="not among the request's tools"):
        messages(
            messages=[{"role": "user", "content": "Hi"}],
            tools=[{"name": "f", "input_schema": {"type": "object"}}],
            tool_choice={"type": "tool", "name": "g"},
        )
    with pytest.raises(ApiError, match=r"^tools\.0\.custom\.input_schema: JSON schema is invalid"):
        messages(
            messages=[{"role": "user", "content": "Hi"}],
            tools=[{"name": "f", "input_schema": {"type": "array"}}],
        )
    with pytest.raises(
        ApiError, match=r'^tools\.0\.input_schema: must be a JSON Schema with "type": "object"'
    ):
        messages(
            messages=[{"role": "user", "content": "Hi"}],
            tools=[{"name": "f", "input_schema": {"properties": {}}}],
        )
    with pytest.raises(ApiError, match=r"^messages\.1\.content\.0: tool_result blocks can only be in user"):
        messages(
            messages=[
                {"role": "user", "content": "Hi"},
                {"role": "assistant", "content": [{"type": "tool_result", "tool_use_id": "toolu_1"}]},
            ],
        )


def test_empty_system_is_no_message() -> None:
    assert messages(system="", messages=[{"role": "user", "content": "Hi"}]).messages == (
        Message(role="user", content="Hi"),
    )


def test_a_turn_cached_by_its_body_is_the_turn_of_the_decoded_body() -> None:
    sent = {
        "model": "stratus-x1ac-small-gpt-4o",
        "messages": [
            {"role": "system", "content": "Page: search box"},
            {"role": "user", "content": "Find a hotel"},
        ],
        "tools": [{"type": "function", "function": {"name": "search", "parameters": SCHEMA}}],
        "temperature": 2.0,
    }
    raw = msgspec.json.encode(sent)
    req = decode_request(ChatCompletionRequest, raw)
    fresh = chat_turn(req)
    kept = chat_turn(req, body=raw)
    assert fresh.source is None
    assert kept.source is not None
    assert kept == msgspec.structs.replace(fresh, source=kept.source)
    assert chat_turn(req, body=raw) is kept  # from the cache
    with pytest.raises(ApiError) as err:  # a 413 is raised, never kept
        chat_turn(req, max_text_chars=5, body=raw)
    assert err.value.status == 413
    with pytest.raises(ApiError):
        chat_turn(req, max_text_chars=5, body=raw)


@pytest.mark.asyncio
async def test_the_embedded_answer_to_a_repeated_body_is_reused_only_with_the_same_plan() -> None:
    raw = msgspec.json.encode(
        {
            "model": "stratus-x1ac-small-gpt-4o",
            "messages": [{"role": "user", "content": "Book a table for two"}],
        }
    )
    req = decode_request(ChatCompletionRequest, raw)
    turn = chat_turn(req, body=raw)
    model = parse_chat_model(req.model)
    assert model is not None
    plan = get_planner("small", "numpy").plan(turn.state, turn.goal)
    executor = EmbeddedExecutor()
    first = await executor.prepare(turn, model, ProviderKeys({})).complete(plan)
    assert await executor.prepare(turn, model, ProviderKeys({})).complete(plan) is first
    other = msgspec.structs.replace(plan)  # an equal plan, but not the cached plan object
    again = await executor.prepare(turn, model, ProviderKeys({})).complete(other)
    assert again is not first
    assert again == first
    assert await executor.prepare(chat_turn(req), model, ProviderKeys({})).complete(plan) == first
