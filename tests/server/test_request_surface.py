"""The request surface of both dialects on the reference server (D-SURF-1..5, D-MSG-5, D-MSG-6).

* What the official SDKs and LangChain send for ordinary structured-output and tool calls (captured in
  `_captured`) is valid against the spec and answered 200 (the fields are accepted; honouring them is
  the next round's work).
* Features a deployment does not offer are refused as the real APIs refuse them, naming the parameter.
* Schema-valued parameters are validated; `max_tokens` on messages goes up to the family limit.
* The anthropic SDK's beta tool runner, which asks for a server-held thread, recovers from the refusal.
* `/v1/responses` and `/v1/completions` are 404s that point to chat completions.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import httpx
import jsonschema
import pytest
import yaml

from conformance import _spec
from reference_server._errors import ApiError
from reference_server._limits import CLAUDE_LIMITS, MAX_OUTPUT_TOKENS, MESSAGES_BUDGET, output_token_limit
from reference_server._schemas import check_schema_param
from tests.server import _captured
from tests.server.conftest import KEY

CHAT = "/v1/chat/completions"
MESSAGES = "/v1/messages"
MODEL = "stratus-x1ac-small-gpt-4o"
CLAUDE = "stratus-x1ac-small-claude-sonnet-4-5-20250929"
USER = [{"role": "user", "content": "Find hotels in Lisbon"}]


@pytest.fixture
def client(http: httpx.Client) -> httpx.Client:
    """The running reference server (tests/server/conftest.py), authenticated."""
    return http


def _envelope(route: str) -> str:
    return "AnthropicErrorResponse" if route.startswith(MESSAGES) else "OpenAIErrorResponse"


def _refused(client: httpx.Client, route: str, body: Any, status: int = 400) -> dict[str, Any]:
    r = client.post(route, json=body)
    assert r.status_code == status, r.text
    assert list(_spec.validator_for(_envelope(route)).iter_errors(r.json())) == []
    error: dict[str, Any] = r.json()["error"]
    return error


# -- what the SDKs send is accepted ------------------------------------------------------------

CAPTURED: dict[str, tuple[str, Callable[[], dict[str, Any]]]] = {
    "openai-parse": (CHAT, _captured.openai_parse),
    "openai-pydantic-function-tool": (CHAT, _captured.openai_pydantic_function_tool),
    "langchain-structured-output": (CHAT, _captured.langchain_structured_output),
    "langchain-function-calling": (CHAT, _captured.langchain_function_calling),
    "anthropic-strict-custom-tool": (MESSAGES, _captured.anthropic_strict_custom_tool),
    "anthropic-messages-parse": (MESSAGES, _captured.anthropic_messages_parse),
}


@pytest.mark.filterwarnings(
    "ignore::DeprecationWarning"
)  # the SDKs warn about the model ids they do not know
@pytest.mark.parametrize("name", sorted(CAPTURED))
def test_sdk_request_body_is_spec_valid_and_answered(client: httpx.Client, name: str) -> None:
    route, capture = CAPTURED[name]
    body = capture()
    component = "ChatCompletionRequest" if route == CHAT else "MessagesRequest"
    assert [e.message for e in _spec.validator_for(component).iter_errors(body)] == []
    r = client.post(route, json=body)
    assert r.status_code == 200, r.text
    answer = "ChatCompletionResponse" if route == CHAT else "MessagesResponse"
    assert list(_spec.validator_for(answer).iter_errors(r.json())) == []


def _surface_examples() -> list[tuple[str, str, Any]]:
    with (_spec.spec_dir() / "examples" / "upstream.yaml").open(encoding="utf-8") as fh:
        entries = yaml.safe_load(fh)["examples"]
    routes = {"ChatCompletionRequest": CHAT, "MessagesRequest": MESSAGES}
    return [
        (e["id"], routes[e["component"]], e["instance"])
        for e in entries
        if e["id"].startswith(("clients.", "sdk.")) and e["component"] in routes
    ]


SURFACE_EXAMPLES = _surface_examples()


@pytest.mark.parametrize(
    ("example_id", "route", "body"), SURFACE_EXAMPLES, ids=[e[0] for e in SURFACE_EXAMPLES]
)
def test_client_shaped_example_is_answered(
    client: httpx.Client, example_id: str, route: str, body: Any
) -> None:
    r = client.post(route, json=body)
    assert r.status_code == 200, r.text


def test_there_are_client_shaped_examples() -> None:
    assert len(SURFACE_EXAMPLES) >= 12


def test_replayed_openai_answer_is_accepted_as_history(client: httpx.Client) -> None:
    first = client.post(CHAT, json={"model": MODEL, "messages": USER})
    assert first.status_code == 200, first.text
    replay = {
        **first.json()["choices"][0]["message"],
        "annotations": [],
        "audio": None,
        "function_call": None,
    }
    r = client.post(
        CHAT, json={"model": MODEL, "messages": [*USER, replay, {"role": "user", "content": "Thanks"}]}
    )
    assert r.status_code == 200, r.text


def test_messages_system_turn_is_state(client: httpx.Client) -> None:
    body = {
        "model": CLAUDE,
        "max_tokens": 64,
        "messages": [{"role": "system", "content": "Current page: hotel search results."}, *USER],
    }
    counted = client.post(
        "/v1/messages/count_tokens", json={k: v for k, v in body.items() if k != "max_tokens"}
    )
    created = client.post(MESSAGES, json=body)
    assert created.status_code == 200, created.text
    assert counted.json()["input_tokens"] == created.json()["usage"]["input_tokens"]


# -- what a deployment does not offer (D-SURF-2, D-SURF-4) -------------------------------------

OPENAI_NOT_OFFERED = [
    ({"web_search_options": {}}, "web_search_options", "unsupported_parameter"),
    (
        {"audio": {"format": "wav", "voice": "alloy"}, "modalities": ["text", "audio"]},
        "audio",
        "unsupported_parameter",
    ),
    ({"modalities": ["text", "audio"]}, "modalities", "unsupported_value"),
    ({"moderation": {"model": "omni-moderation-latest"}}, "moderation", "unsupported_parameter"),
    (
        {"messages": [*USER, {"role": "assistant", "audio": {"id": "audio_1"}}, *USER]},
        "messages[1].audio.id",
        "invalid_value",
    ),
    (
        {"messages": [{"role": "user", "content": [{"type": "file", "file": {"file_id": "file-1"}}]}]},
        "messages[0].content[0].file.file_id",
        "invalid_value",
    ),
]


@pytest.mark.parametrize(
    ("extra", "param", "code"), OPENAI_NOT_OFFERED, ids=[p for _, p, _ in OPENAI_NOT_OFFERED]
)
def test_openai_feature_not_offered(client: httpx.Client, extra: Any, param: str, code: str) -> None:
    error = _refused(client, CHAT, {"model": MODEL, "messages": USER, **extra})
    assert (error["type"], error["param"], error["code"]) == ("invalid_request_error", param, code)


def test_openai_inline_file_and_audio_input_are_accepted(client: httpx.Client) -> None:
    content = [
        {"type": "text", "text": "Summarise the attached booking."},
        {"type": "file", "file": {"file_data": "data:application/pdf;base64,JVBERi0=", "filename": "b.pdf"}},
        {"type": "input_audio", "input_audio": {"data": "UklGRg==", "format": "wav"}},
    ]
    r = client.post(CHAT, json={"model": MODEL, "messages": [{"role": "user", "content": content}]})
    assert r.status_code == 200, r.text


WEB_SEARCH = {"type": "web_search_20250305", "name": "web_search", "max_uses": 2}
ANTHROPIC_NOT_OFFERED = [
    ({"tools": [WEB_SEARCH]}, "tools.0: Input tag 'web_search_20250305'"),
    (
        {"tools": [{"type": "code_execution_20250825", "name": "code_execution"}]},
        "tools.0: Input tag 'code_execution",
    ),
    ({"tools": [{"type": "mcp_toolset", "mcp_server_name": "docs"}]}, "tools.0: Input tag 'mcp_toolset'"),
    (
        {
            "messages": [
                *USER,
                {
                    "role": "assistant",
                    "content": [
                        {"type": "server_tool_use", "id": "srvtoolu_1", "name": "web_search", "input": {}}
                    ],
                },
                *USER,
            ]
        },
        "messages.1.content.0: Input tag 'server_tool_use'",
    ),
    (
        {
            "messages": [
                {
                    "role": "user",
                    "content": [
                        {"type": "image", "source": {"type": "file", "file_id": "file_1"}},
                        {"type": "text", "text": "Hi"},
                    ],
                }
            ]
        },
        "messages.0.content.0.source: Input tag 'file'",
    ),
    ({"container": "container_1"}, "container:"),
    ({"mcp_servers": [{"type": "url", "url": "https://mcp.example", "name": "docs"}]}, "mcp_servers:"),
    ({"compaction": {"type": "summarize"}}, "compaction:"),
    (
        {"context_management": {"edits": [{"type": "compact_20260112"}]}},
        "context_management.edits.0: Input tag 'compact_20260112'",
    ),
]


@pytest.mark.parametrize(
    ("extra", "start"), ANTHROPIC_NOT_OFFERED, ids=[s.split(":")[0] for _, s in ANTHROPIC_NOT_OFFERED]
)
def test_anthropic_feature_not_offered(client: httpx.Client, extra: Any, start: str) -> None:
    error = _refused(client, MESSAGES, {"model": CLAUDE, "max_tokens": 64, "messages": USER, **extra})
    assert error["type"] == "invalid_request_error"
    assert error["message"].startswith(start), error["message"]


def test_server_tool_refusal_lists_the_tags_on_offer(client: httpx.Client) -> None:
    error = _refused(
        client, MESSAGES, {"model": CLAUDE, "max_tokens": 64, "messages": USER, "tools": [WEB_SEARCH]}
    )
    offered = set(re.findall(r"'([a-z0-9_]+)'", error["message"].split("expected tags:")[1]))
    assert {"custom", "bash_20250124", "text_editor_20250728", "memory_20250818"} <= offered
    assert not {t for t in offered if t.startswith(("web_", "code_execution", "tool_search", "mcp"))}


def test_client_tools_are_accepted(client: httpx.Client) -> None:
    tools = [
        {"type": "bash_20250124", "name": "bash"},
        {"type": "text_editor_20250728", "name": "str_replace_based_edit_tool", "max_characters": 1000},
        {"type": "computer_20251124", "name": "computer", "display_width_px": 1024, "display_height_px": 768},
        {
            "name": "get_weather",
            "input_schema": {"type": "object", "properties": {"city": {"type": "string"}}},
        },
        {"type": None, "name": "lookup", "input_schema": {"type": "object"}},
    ]
    r = client.post(MESSAGES, json={"model": CLAUDE, "max_tokens": 64, "messages": USER, "tools": tools})
    assert r.status_code == 200, r.text


def test_thread_refusal_carries_the_sdk_error_code(client: httpx.Client) -> None:
    body = {"model": CLAUDE, "max_tokens": 64, "messages": USER, "thread": {"type": "create"}}
    error = _refused(client, MESSAGES, body)
    assert error["details"] == {"error_code": "thread_unsupported_request"}


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_beta_tool_runner_continues_without_a_thread(base_url: str) -> None:
    """The runner asks for a server-held thread; the refusal's error code makes it send the whole
    conversation unthreaded, so the tool round trip completes."""
    anthropic = pytest.importorskip("anthropic")

    @anthropic.beta_tool
    def get_weather(city: str) -> str:
        """Get the current weather for a city."""
        return f"Sunny in {city}"

    with anthropic.Anthropic(base_url=base_url, api_key=KEY, max_retries=0) as c:
        runner = c.beta.messages.tool_runner(
            model=CLAUDE,
            max_tokens=1024,
            messages=[{"role": "user", "content": "What is the weather in Paris?"}],
            tools=[get_weather],
        )
        stops = [m.stop_reason for m in runner]
    assert stops == ["tool_use", "end_turn"]


# -- schema-valued parameters (D-SURF-3) -------------------------------------------------------

BAD_SCHEMA = {"type": "object", "properties": {"city": {"type": "strin"}}}
SCHEMA_CASES = [
    (
        CHAT,
        {"tools": [{"type": "function", "function": {"name": "f", "parameters": BAD_SCHEMA}}]},
        "tools[0].function.parameters",
        "Invalid schema for function 'f':",
    ),
    (
        CHAT,
        {"functions": [{"name": "f", "parameters": {"type": "string"}}]},
        "functions[0].parameters",
        "Invalid schema for function 'f': schema must be a JSON Schema of 'type: \"object\"'",
    ),
    (
        CHAT,
        {
            "response_format": {
                "type": "json_schema",
                "json_schema": {"name": "Trip", "schema": {"required": "city"}},
            }
        },
        "response_format.json_schema.schema",
        "Invalid schema for response_format 'Trip':",
    ),
    (
        CHAT,
        {"response_format": {"type": "json_schema", "json_schema": {"schema": {"type": "object"}}}},
        "response_format.json_schema.name",
        "Missing required parameter",
    ),
    (
        MESSAGES,
        {"tools": [{"name": "f", "input_schema": {"type": "object", "properties": []}}]},
        "tools.0.custom.input_schema",
        "tools.0.custom.input_schema: JSON schema is invalid",
    ),
    (
        MESSAGES,
        {
            "output_config": {
                "format": {"type": "json_schema", "schema": {"type": "object", "minProperties": -1}}
            }
        },
        "output_config.format.schema",
        "output_config.format.schema: JSON schema is invalid",
    ),
]


@pytest.mark.parametrize(("route", "extra", "param", "start"), SCHEMA_CASES, ids=[c[2] for c in SCHEMA_CASES])
def test_malformed_schema_param_is_named(
    client: httpx.Client, route: str, extra: Any, param: str, start: str
) -> None:
    base: dict[str, Any] = {"model": MODEL, "messages": USER}
    if route == MESSAGES:
        base = {"model": CLAUDE, "max_tokens": 64, "messages": USER}
    error = _refused(client, route, {**base, **extra})
    assert error["message"].startswith(start), error["message"]
    if route == CHAT:
        assert error["param"] == param


def test_schema_hook_raises_the_dialects_error() -> None:
    check_schema_param(
        {"type": "object", "properties": {"a": {"type": "string"}}}, param="p", dialect="anthropic"
    )
    with pytest.raises(ApiError) as exc:
        check_schema_param(
            {"type": 3}, param="tools[1].function.parameters", dialect="openai-function", name="g"
        )
    assert (exc.value.status, exc.value.param, exc.value.code) == (
        400,
        "tools[1].function.parameters",
        "invalid_function_parameters",
    )
    assert exc.value.message.startswith(
        "Invalid schema for function 'g': 3 is not valid under any of the given schemas"
    )
    with pytest.raises(ApiError) as exc:
        check_schema_param([], param="output_config.format.schema", dialect="anthropic")
    assert exc.value.message.startswith("output_config.format.schema: JSON schema is invalid")


# -- max_tokens on messages (D-MSG-5) ----------------------------------------------------------


FAMILY_EXAMPLES = (
    "claude-3-haiku-20240307",
    "claude-3-5-sonnet-20241022",
    "claude-3-7-sonnet-20250219",
    "claude-opus-4-20250514",
    "claude-opus-4-1-20250805",
    "claude-4-opus-20250514",
    "claude-sonnet-4-20250514",
    "claude-sonnet-4-0",
    "claude-sonnet-4-5-20250929",
    "claude-opus-4-5",
    "claude-haiku-4-5-20251001",
    "claude-opus-4-6",
    "claude-sonnet-4-6",
    "claude-sonnet-5",
    "gpt-4o",
)


@pytest.mark.parametrize(
    ("llm", "limit"),
    [
        ("claude-3-haiku-20240307", 4096),
        ("claude-3-5-sonnet-20241022", 8192),
        ("claude-3-7-sonnet-20250219", 64000),
        ("claude-opus-4-20250514", 32000),
        ("claude-opus-4-1-20250805", 32000),
        ("claude-sonnet-4-20250514", 64000),
        ("claude-sonnet-4-5-20250929", 64000),
        ("claude-opus-4-5", 64000),
        ("claude-haiku-4-5-20251001", 64000),
        ("claude-opus-4-6", 128000),
        ("claude-sonnet-4-6", 128000),
        ("claude-sonnet-5", 128000),
        ("gpt-4o", 16384),
        ("o3", 100000),
        ("deepseek/deepseek-r1", 128000),
    ],
)
def test_max_tokens_up_to_the_family_limit(client: httpx.Client, llm: str, limit: int) -> None:
    """One family table for both dialects (D-MSG-5, D-LIM-2), in Anthropic's words on messages."""
    assert output_token_limit(llm) == limit
    model = f"stratus-x1ac-small-{llm}"
    ok = client.post(MESSAGES, json={"model": model, "max_tokens": limit, "messages": USER})
    assert ok.status_code == 200, ok.text
    assert ok.json()["usage"]["output_tokens"] <= MESSAGES_BUDGET
    error = _refused(client, MESSAGES, {"model": model, "max_tokens": limit + 1, "messages": USER})
    if limit < MAX_OUTPUT_TOKENS:
        assert error["message"] == (
            f"max_tokens: {limit + 1} > {limit}, which is the maximum allowed number of output tokens for {model}"
        )


def test_spec_states_the_same_claude_family_limits() -> None:
    """MessagesRequest.json's `allOf` if/then rules and `_limits.CLAUDE_LIMITS` agree, both ways; the
    other families' limits are the server's (as on chat, D-LIM-2), under the schema's 128000."""
    schema = _spec.load_schema("MessagesRequest")
    rules = [
        (r["if"]["properties"]["model"]["pattern"], r["then"]["properties"]["max_tokens"]["maximum"])
        for r in schema["allOf"]
    ]
    assert rules == [(f"^stratus-x1ac-[a-z]+-{p}", limit) for p, limit in CLAUDE_LIMITS]
    assert schema["properties"]["max_tokens"]["maximum"] == MAX_OUTPUT_TOKENS
    chat = _spec.load_schema("ChatCompletionRequest")["properties"]
    assert chat["max_tokens"]["maximum"] == chat["max_completion_tokens"]["maximum"] == MAX_OUTPUT_TOKENS
    validator = _spec.validator_for("MessagesRequest")
    claude = [llm for llm in FAMILY_EXAMPLES if llm.startswith("claude-")]
    for llm in claude:
        limit = output_token_limit(llm)
        body = {"model": f"stratus-x1ac-base-{llm}", "max_tokens": limit, "messages": USER}
        assert not list(validator.iter_errors(body)), llm
        assert list(validator.iter_errors({**body, "max_tokens": limit + 1})), llm
    assert {output_token_limit(llm) for llm in claude} == {limit for _, limit in CLAUDE_LIMITS} | {
        MAX_OUTPUT_TOKENS
    }
    gpt = {"model": "stratus-x1ac-base-gpt-4o", "max_tokens": 16385, "messages": USER}
    assert not list(validator.iter_errors(gpt))  # the server's limit, not the schema's


def test_tool_result_in_an_assistant_turn_is_refused_by_the_schema() -> None:
    body = {
        "model": CLAUDE,
        "max_tokens": 10,
        "messages": [{"role": "assistant", "content": [{"type": "tool_result", "tool_use_id": "toolu_1"}]}],
    }
    with pytest.raises(jsonschema.ValidationError):
        _spec.validator_for("MessagesRequest").validate(body)


# -- routes Stratus does not serve (D-SURF-5) ---------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("POST", "/v1/responses"),
        ("GET", "/v1/responses/resp_1"),
        ("DELETE", "/v1/responses/resp_1"),
        ("POST", "/v1/completions"),
    ],
)
def test_openai_routes_stratus_does_not_serve(client: httpx.Client, method: str, path: str) -> None:
    r = client.request(method, path, json={"model": MODEL, "input": "hi"} if method == "POST" else None)
    assert r.status_code == 404
    assert list(_spec.validator_for("OpenAIErrorResponse").iter_errors(r.json())) == []
    error = r.json()["error"]
    assert (error["type"], error["code"]) == ("invalid_request_error", "unknown_url")
    assert "use POST /v1/chat/completions" in error["message"]


# -- upstream execution across dialects: what the translation cannot carry is a 400, not a 500 --

UNTRANSLATABLE = [
    (
        "/v1/chat/completions",
        "anthropic",
        {"tools": [{"type": "custom", "custom": {"name": "patch"}}]},
        "tools[0]",
    ),
    (
        "/v1/chat/completions",
        "anthropic",
        {
            "tools": [{"type": "function", "function": {"name": "f"}}],
            "tool_choice": {"type": "custom", "custom": {"name": "f"}},
        },
        "tool_choice",
    ),
    ("/v1/messages", "openai", {"tools": [{"type": "bash_20250124", "name": "bash"}]}, "tools.0"),
    ("/v1/messages", "openai", {"tools": [{"type": "browser_toolset_20260801"}]}, "tools.0"),
]


@pytest.mark.parametrize(
    ("route", "provider", "extra", "param"), UNTRANSLATABLE, ids=[f"{r}-{p}" for r, _, _, p in UNTRANSLATABLE]
)
def test_upstream_translation_refuses_what_it_cannot_carry(
    route: str, provider: str, extra: Any, param: str
) -> None:
    from litestar.testing import TestClient

    from reference_server import Settings, create_app

    settings = Settings(executor="upstream", openai_api_key="sk-op-unused", anthropic_api_key="sk-ant-unused")
    llm = {"openai": "gpt-4o", "anthropic": "claude-sonnet-4-5"}[provider]
    body: dict[str, Any] = {"model": f"stratus-x1ac-small-{llm}", "messages": USER, **extra}
    if route == MESSAGES:
        body["max_tokens"] = 64
    with TestClient(create_app(settings), base_url="http://stratus.test") as c:
        r = c.post(route, json=body, headers={"Authorization": f"Bearer {KEY}"})
    assert r.status_code == 400, r.text
    error = r.json()["error"]
    assert error.get("param") == param if route == CHAT else error["message"].startswith(param)
