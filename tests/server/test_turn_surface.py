"""The whole SDK request surface reaches the `Turn` (issue 12 merged onto the one request model):
every new field in its slot or in `hints`, wire-only tools, parts and tool choices in their `Turn`
forms; upstream, each reaches a provider of its own wire and is a 400 for the other; the embedded
executor generates and reserves within the messages budget (D-MSG-5)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from reference_server import Settings, create_app
from reference_server._catalog import parse_chat_model
from reference_server._chat_decode import chat_turn
from reference_server._embedded import EmbeddedExecutor, conversation
from reference_server._errors import ApiError
from reference_server._execution import ProviderKeys
from reference_server._messages_decode import messages_turn, prompt_tokens
from reference_server._store import KeyRecord, open_store
from reference_server._tokens import count_tokens
from reference_server._turn import (
    AllowedTools,
    ForcedTool,
    Message,
    Opaque,
    ResponseFormat,
    Text,
    Thinking,
    Tool,
    ToolCall,
    ToolOutcome,
    ToolResult,
    Turn,
)
from reference_server._upstream import UpstreamExecutor
from reference_server._upstream_request import check_carried, plan_note, request_body
from reference_server._upstream_route import route_for
from reference_server._wire._chat import ChatCompletionRequest
from reference_server._wire._decode import convert_request
from reference_server._wire._messages import CountTokensRequest, MessagesRequest
from reference_server.planner import BrainSignal, Plan

GPT = "stratus-x1ac-small-gpt-4o"
CLAUDE = "stratus-x1ac-small-claude-sonnet-4-5-20250929"
USER = [{"role": "user", "content": "Find hotels in Lisbon"}]
SCHEMA = {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}
CUSTOM = {"type": "custom", "custom": {"name": "patch", "description": "Apply a patch"}}
BASH = {"type": "bash_20250124", "name": "bash"}
SETTINGS = Settings(openai_api_key="sk-op-unused", anthropic_api_key="sk-ant-unused")
PLAN = Plan(
    action_sequence=["type"],
    predicted_state_changes=[1.0],
    predicted_state_magnitudes=[12.0],
    confidence_labels=["Medium"],
    overall_confidence=0.5,
    steps_to_goal=1,
    planning_time_ms=1.0,
    brain_signal=BrainSignal(
        action_type="type", confidence=0.5, plan_ahead=[], simulation_confirmed=False, goal_proximity=0.1
    ),
)


def chat(**body: Any) -> Turn:
    return chat_turn(convert_request(ChatCompletionRequest, {"model": GPT, "messages": USER, **body}))


def messages(**body: Any) -> Turn:
    return messages_turn(
        convert_request(MessagesRequest, {"model": CLAUDE, "max_tokens": 64, "messages": USER, **body})
    )


def provider_body(turn: Turn, provider: str) -> dict[str, Any]:
    llm = {"openai": "gpt-4o", "anthropic": "claude-sonnet-4-5"}[provider]
    return request_body(turn, route_for(llm, SETTINGS, ProviderKeys({})), plan_note(PLAN, "small"))


# -- chat completions -------------------------------------------------------------------------


def test_chat_slots_are_filled_from_what_the_client_sent() -> None:
    turn = chat(
        response_format={
            "type": "json_schema",
            "json_schema": {"name": "Trip", "description": "A trip", "schema": SCHEMA, "strict": True},
        },
        logprobs=True,
        top_logprobs=3,
        seed=7,
        metadata={"run": "x"},
        service_tier="flex",
        safety_identifier="user-1",
        prompt_cache_key="k1",
        reasoning_effort="low",
        verbosity="high",
        store=False,
        logit_bias={"50256": -100},
        modalities=["text"],
    )
    assert turn.response_format == ResponseFormat(
        kind="json_schema", schema=SCHEMA, name="Trip", description="A trip", strict=True
    )
    assert (turn.logprobs, turn.top_logprobs, turn.seed) == (True, 3, 7)
    assert turn.metadata == {"run": "x"}
    assert (turn.service_tier, turn.safety_identifier, turn.prompt_cache_key) == ("flex", "user-1", "k1")
    assert (turn.reasoning_effort, turn.verbosity, turn.store) == ("low", "high", False)
    assert turn.logit_bias == {"50256": -100.0}
    assert turn.modalities == ("text",)
    assert turn.hints is None
    assert chat(response_format={"type": "json_object"}).response_format == ResponseFormat(kind="json_object")
    assert chat(response_format={"type": "text"}).response_format == ResponseFormat(kind="text")
    bare = chat()
    assert (bare.response_format, bare.logprobs, bare.seed, bare.metadata, bare.modalities) == (None,) * 5


def test_chat_hints_carry_the_fields_without_a_slot() -> None:
    turn = chat(
        prediction={"type": "content", "content": "draft"},
        prompt_cache_options={"mode": "explicit"},
        prompt_cache_retention="24h",
        functions=[{"name": "f", "parameters": SCHEMA}],
        function_call={"name": "f"},
        stream=True,
        stream_options={"include_usage": True, "include_obfuscation": False},
    )
    assert turn.hints == Opaque(
        wire="openai",
        value={
            "prediction": {"type": "content", "content": "draft"},
            "prompt_cache_options": {"mode": "explicit"},
            "prompt_cache_retention": "24h",
            "functions": [{"name": "f", "parameters": SCHEMA}],
            "function_call": {"name": "f"},
            "stream_options": {"include_obfuscation": False},
        },
    )
    assert turn.include_usage is True
    assert turn.tools == ()  # legacy functions are not called by the embedded executor


def test_chat_custom_tools_calls_and_choices() -> None:
    turn = chat(
        messages=[
            *USER,
            {
                "role": "assistant",
                "tool_calls": [
                    {"id": "call_1", "type": "custom", "custom": {"name": "patch", "input": "*** a"}}
                ],
            },
            {"role": "tool", "tool_call_id": "call_1", "content": "applied"},
        ],
        tools=[CUSTOM, {"type": "function", "function": {"name": "search", "parameters": SCHEMA}}],
        tool_choice={"type": "custom", "custom": {"name": "patch"}},
    )
    assert turn.wire_tools == (Opaque(wire="openai", value=CUSTOM, at="tools[0]"),)
    assert turn.tools == (Tool(name="search", parameters=SCHEMA, index=1),)
    assert turn.tool_choice == ForcedTool(name="patch", custom=True)
    assert turn.messages[1].content == (ToolCall(id="call_1", name="patch", arguments="*** a", custom=True),)
    assert turn.tool_results == (ToolOutcome(name="patch", text="applied"),)
    prompt = ["user\nFind hotels in Lisbon", "assistant\n", "patch*** a", "tool\napplied", "search"]
    assert turn.prompt_tokens == count_tokens(
        "\n".join([*prompt, '{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}'])
    )
    allowed = {"mode": "required", "tools": [{"type": "function", "function": {"name": "search"}}]}
    turn = chat(tools=[CUSTOM], tool_choice={"type": "allowed_tools", "allowed_tools": allowed})
    assert turn.tool_choice == AllowedTools(mode="required", tools=tuple(allowed["tools"]))
    assert conversation(turn).tool_mode == "required"


def test_chat_parts_only_openai_has_are_opaque() -> None:
    audio = {"type": "input_audio", "input_audio": {"data": "UklGRg==", "format": "wav"}}
    file = {
        "type": "file",
        "file": {"file_data": "data:application/pdf;base64,JVBERi0=", "filename": "b.pdf"},
    }
    turn = chat(messages=[{"role": "user", "content": [{"type": "text", "text": "Read this"}, audio, file]}])
    assert turn.messages[0].content == (
        Text(text="Read this"),
        Opaque(wire="openai", value=audio),
        Opaque(wire="openai", value=file),
    )


def test_chat_legacy_function_calling_in_history_is_a_tool_round_trip() -> None:
    turn = chat(
        messages=[
            *USER,
            {
                "role": "assistant",
                "content": None,
                "function_call": {"name": "search", "arguments": '{"city":"Lisbon"}'},
            },
            {"role": "function", "name": "search", "content": "3 hotels"},
        ]
    )
    call = ToolCall(id="function_call_1", name="search", arguments='{"city":"Lisbon"}')
    assert turn.messages[1:] == (
        Message(role="assistant", content=(call,)),
        Message(role="tool", content=(ToolResult(call_id="function_call_1", content="3 hotels"),)),
    )
    assert turn.tool_results == (ToolOutcome(name="search", text="3 hotels"),)
    openai = provider_body(turn, "openai")["messages"]
    assert openai[-2]["tool_calls"] == [
        {
            "id": "function_call_1",
            "type": "function",
            "function": {"name": "search", "arguments": '{"city":"Lisbon"}'},
        }
    ]
    assert openai[-1] == {"role": "tool", "tool_call_id": "function_call_1", "content": "3 hotels"}


# -- messages ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("thinking", "expected"),
    [
        ({"type": "enabled", "budget_tokens": 2048}, Thinking(enabled=True, budget_tokens=2048)),
        (
            {"type": "enabled", "budget_tokens": 2048, "display": "omitted"},
            Thinking(enabled=True, budget_tokens=2048, display="omitted"),
        ),
        ({"type": "disabled"}, Thinking(enabled=False)),
        ({"type": "adaptive"}, Thinking(enabled=True, mode="adaptive")),
        ({"type": "between_tools"}, Thinking(enabled=True, mode="between_tools")),
    ],
)
def test_messages_thinking(thinking: dict[str, Any], expected: Thinking) -> None:
    assert messages(thinking=thinking, max_tokens=4096).thinking == expected


def test_messages_slots_and_hints() -> None:
    turn = messages(
        output_config={
            "format": {"type": "json_schema", "schema": SCHEMA},
            "effort": "high",
            "task_budget": {"type": "tokens", "total": 1000},
        },
        service_tier="standard_only",
        inference_geo="eu",
        speed="fast",
        cache_control={"type": "ephemeral"},
        context_management={"edits": [{"type": "clear_thinking_20251015"}]},
        fallbacks="default",
    )
    assert turn.response_format == ResponseFormat(kind="json_schema", schema=SCHEMA)
    assert (turn.reasoning_effort, turn.service_tier) == ("high", "standard_only")
    assert turn.hints == Opaque(
        wire="anthropic",
        value={
            "cache_control": {"type": "ephemeral"},
            "inference_geo": "eu",
            "speed": "fast",
            "context_management": {"edits": [{"type": "clear_thinking_20251015"}]},
            "fallbacks": "default",
            "output_config": {"task_budget": {"type": "tokens", "total": 1000}},
        },
    )
    bare = messages()
    assert (bare.response_format, bare.thinking, bare.service_tier, bare.hints) == (None, None, None, None)


def test_messages_system_turn_is_state_in_place() -> None:
    turn = messages(
        system="Page: search",
        messages=[{"role": "system", "content": "Filter: 4 stars"}, *USER],
    )
    assert turn.state == "Page: search\n\nFilter: 4 stars"
    assert turn.messages[:2] == (
        Message(role="system", content="Page: search"),
        Message(role="system", content="Filter: 4 stars"),
    )
    count = convert_request(
        CountTokensRequest,
        {
            "model": CLAUDE,
            "system": "Page: search",
            "messages": [{"role": "system", "content": "Filter: 4 stars"}, *USER],
        },
    )
    assert (
        prompt_tokens(count)
        == turn.prompt_tokens
        == count_tokens("Page: search\nsystem\nFilter: 4 stars\nuser\nFind hotels in Lisbon")
    )


def test_messages_client_tools_and_anthropic_only_blocks() -> None:
    document = {
        "type": "document",
        "source": {"type": "text", "media_type": "text/plain", "data": "Hotel list"},
    }
    thinking = {"type": "thinking", "thinking": "Lisbon first", "signature": "sig"}
    search = {
        "type": "search_result",
        "source": "s",
        "title": "t",
        "content": [{"type": "text", "text": "x"}],
    }
    turn = messages(
        messages=[
            {"role": "user", "content": [document, {"type": "text", "text": "Book one"}]},
            {
                "role": "assistant",
                "content": [thinking, {"type": "tool_use", "id": "toolu_1", "name": "lookup", "input": {}}],
            },
            {
                "role": "user",
                "content": [{"type": "tool_result", "tool_use_id": "toolu_1", "content": [search]}],
            },
        ],
        tools=[BASH, {"name": "lookup", "input_schema": SCHEMA}],
        tool_choice={"type": "tool", "name": "lookup"},
    )
    assert turn.wire_tools == (Opaque(wire="anthropic", value=BASH, at="tools.0"),)
    assert turn.tools == (Tool(name="lookup", parameters=SCHEMA, index=1),)
    assert turn.tool_choice == ForcedTool(name="lookup")
    assert turn.messages[0].content[0] == Opaque(wire="anthropic", value=document)
    assert turn.messages[1].content[0] == Opaque(wire="anthropic", value=thinking)
    assert turn.messages[2].content == (
        ToolResult(call_id="toolu_1", content=(Opaque(wire="anthropic", value=search),)),
    )
    # the client's own wire gets them back as sent
    sent = provider_body(turn, "anthropic")
    assert sent["tools"][-1] == BASH
    assert sent["messages"][0]["content"][0] == document
    assert sent["messages"][1]["content"][0] == thinking
    with pytest.raises(ApiError, match="not among the request's tools"):
        messages(
            tools=[BASH, {"name": "lookup", "input_schema": SCHEMA}],
            tool_choice={"type": "tool", "name": "bash"},
        )


def test_a_schema_error_names_the_tools_place_after_a_client_tool(http: httpx.Client) -> None:
    unsatisfiable = {
        "type": "object",
        "properties": {"n": {"type": "integer", "minimum": 5, "maximum": 2}},
        "required": ["n"],
    }
    body = {
        "model": CLAUDE,
        "max_tokens": 64,
        "messages": USER,
        "tools": [BASH, {"name": "book", "input_schema": unsatisfiable}],
        "tool_choice": {"type": "any"},
    }
    response = http.post("/v1/messages", json=body)
    assert response.status_code == 400, response.text
    assert response.json()["error"]["message"].startswith("tools.1.custom.input_schema: ")


# -- upstream: carried to the same wire, refused for the other --------------------------------


def test_openai_only_tools_reach_an_openai_provider_as_sent() -> None:
    allowed = {"mode": "auto", "tools": [{"type": "custom", "name": "patch"}]}
    turn = chat(
        messages=[
            *USER,
            {
                "role": "assistant",
                "tool_calls": [{"id": "c1", "type": "custom", "custom": {"name": "patch", "input": "x"}}],
            },
            {"role": "tool", "tool_call_id": "c1", "content": "ok"},
        ],
        tools=[{"type": "function", "function": {"name": "search"}}, CUSTOM],
        tool_choice={"type": "allowed_tools", "allowed_tools": allowed},
    )
    sent = provider_body(turn, "openai")
    assert sent["tools"] == [{"type": "function", "function": {"name": "search"}}, CUSTOM]
    assert sent["tool_choice"] == {"type": "allowed_tools", "allowed_tools": allowed}
    assert sent["messages"][-2]["tool_calls"] == [
        {"id": "c1", "type": "custom", "custom": {"name": "patch", "input": "x"}}
    ]
    forced = chat(tools=[CUSTOM], tool_choice={"type": "custom", "custom": {"name": "patch"}})
    assert provider_body(forced, "openai")["tool_choice"] == {"type": "custom", "custom": {"name": "patch"}}


@pytest.mark.parametrize(
    ("turn", "wire", "param", "start"),
    [
        (chat(tools=[CUSTOM]), "anthropic", "tools[0]", "Custom tools cannot be sent to an Anthropic model"),
        (
            chat(
                tools=[{"type": "function", "function": {"name": "f"}}],
                tool_choice={"type": "allowed_tools", "allowed_tools": {"mode": "auto", "tools": []}},
            ),
            "anthropic",
            "tool_choice",
            "This 'tool_choice' cannot be sent",
        ),
        (
            chat(
                messages=[
                    *USER,
                    {
                        "role": "assistant",
                        "tool_calls": [{"id": "c1", "type": "custom", "custom": {"name": "p", "input": ""}}],
                    },
                ]
            ),
            "anthropic",
            "messages[1].tool_calls[0]",
            "Custom tool calls cannot be sent",
        ),
        (
            messages(tools=[{"name": "f", "input_schema": SCHEMA}, BASH]),
            "openai",
            "tools.1",
            "tools.1: Input tag 'bash_20250124'",
        ),
    ],
)
def test_what_the_other_wire_cannot_carry_is_a_400(turn: Turn, wire: Any, param: str, start: str) -> None:
    with pytest.raises(ApiError) as info:
        check_carried(turn, wire)
    assert (info.value.status, info.value.param) == (400, param)
    assert info.value.message.startswith(start)
    with pytest.raises(ApiError):
        provider_body(turn, wire)
    check_carried(turn, "anthropic" if wire == "openai" else "openai")  # its own wire takes it


def test_upstream_refuses_before_anything_is_reserved_or_routed() -> None:
    """`prepare` raises before a key is looked up (none is configured here) or credits are held."""
    model = parse_chat_model(GPT.replace("gpt-4o", "claude-sonnet-4-5"))
    assert model is not None
    with pytest.raises(ApiError) as info:
        UpstreamExecutor(Settings(), {}).prepare(chat(tools=[CUSTOM]), model, ProviderKeys({}))
    assert (info.value.status, info.value.param) == (400, "tools[0]")


# -- the messages generation budget (D-MSG-5) -------------------------------------------------


def test_embedded_messages_reserve_and_generate_within_4096() -> None:
    model = parse_chat_model(CLAUDE)
    assert model is not None
    keys = ProviderKeys({})
    big = messages(max_tokens=64000)
    assert big.max_tokens == 64000  # carried as asked (upstream passes it on)
    assert EmbeddedExecutor().prepare(big, model, keys).budget_tokens == 4096
    assert conversation(big).max_tokens == 4096
    assert EmbeddedExecutor().prepare(messages(max_tokens=100), model, keys).budget_tokens == 100
    gpt = parse_chat_model(GPT)
    assert gpt is not None
    assert EmbeddedExecutor().prepare(chat(max_tokens=10000, n=2), gpt, keys).budget_tokens == 20000
    upstream = UpstreamExecutor(SETTINGS, {}).prepare(big, model, keys)
    assert upstream.budget_tokens == 64000


@pytest.mark.asyncio
async def test_messages_hold_is_for_what_can_be_generated() -> None:
    """2 credits hold 4096 output tokens (0.77 credits on the small pool price) but not 64000 (12):
    a 64000 max_tokens request is answered, and the 64001st token is still refused per family."""
    key = "stratus_sk_test_twoCredits01"
    store = open_store(Settings(), [KeyRecord(key=key, credits=2.0)])
    transport = httpx.ASGITransport(app=create_app(Settings(), store=store))
    async with httpx.AsyncClient(transport=transport, base_url="http://reference") as client:
        headers = {"x-api-key": key}
        body = {"model": CLAUDE, "max_tokens": 64000, "messages": USER}
        ok = await client.post("/v1/messages", json=body, headers=headers)
        assert ok.status_code == 200, ok.text
        assert ok.json()["usage"]["output_tokens"] <= 4096
        streamed = await client.post("/v1/messages", json={**body, "stream": True}, headers=headers)
        assert streamed.status_code == 200, streamed.text
        chat_body = {"model": GPT.replace("gpt-4o", "gpt-5"), "max_tokens": 64000, "messages": USER}
        refused = await client.post("/v1/chat/completions", json=chat_body, headers=headers)
        assert refused.status_code == 402, refused.text  # chat holds max_tokens, as before
