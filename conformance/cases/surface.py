"""The request surface of both dialects: what the official SDKs send is accepted, what a deployment does
not offer is refused the way the real APIs refuse it (D-SURF-*, D-MSG-5, D-MSG-6).

These cases check acceptance and refusals only; structured output, logprobs and thinking blocks (what
the new fields *do*) are the next round's cases.
"""

from __future__ import annotations

import re
from typing import Any

from conformance._case import Level, case
from conformance._context import Context
from conformance._expect import json_object
from conformance._schema import assert_valid
from conformance.cases._common import PROMPT, chat_body, check, messages_body
from conformance.cases.errors import ant_error, oai_error

__all__: list[str] = []

_PARSE_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {"city": {"type": "string"}, "nights": {"type": "integer"}},
    "required": ["city", "nights"],
    "additionalProperties": False,
}


def _size(ctx: Context) -> str:
    m = re.match(r"^stratus-x1ac-([a-z]+)-", ctx.target.model)
    return m.group(1) if m else "base"


@case(
    "surface.openai.sdk-fields",
    level=Level.SHOULD,
    profile="openai-chat",
    title="Fields of the openai SDK's create params are accepted",
    sends="POST /v1/chat/completions as `chat.completions.parse()` sends it (response_format json_schema, strict) "
    "with seed, metadata, store, service_tier, user, prompt_cache_key, safety_identifier and a replayed "
    "assistant message (refusal, annotations, function_call and audio null)",
    needs="a 200 JSON chat completion",
    requirement="200 and a body valid against ChatCompletionResponse: no field the SDK defines is refused.",
    sources=("D-SURF-1.1", "openapi.yaml#/components/schemas/ChatCompletionRequest"),
)
def _openai_fields(ctx: Context) -> None:
    body = chat_body(
        ctx,
        messages=[
            {"role": "developer", "content": "Current page: a travel site's search form."},
            {"role": "user", "content": "Plan a trip."},
            {
                "role": "assistant",
                "content": "Where to?",
                "refusal": None,
                "annotations": [],
                "function_call": None,
                "audio": None,
            },
            {"role": "user", "content": PROMPT},
        ],
        response_format={
            "type": "json_schema",
            "json_schema": {"name": "Trip", "schema": _PARSE_SCHEMA, "strict": True},
        },
        seed=7,
        logprobs=False,
        metadata={"run": "conformance"},
        store=False,
        service_tier="auto",
        user="conformance",
        prompt_cache_key="conformance",
        safety_identifier="conformance",
        parallel_tool_calls=True,
    )
    answer = json_object(ctx.post("/v1/chat/completions", body), "a chat completion")
    assert_valid("ChatCompletionResponse", answer)


@case(
    "surface.anthropic.sdk-fields",
    level=Level.SHOULD,
    profile="anthropic-messages",
    title="Fields of the anthropic SDK's create params are accepted",
    sends="POST /v1/messages with a `type: custom` tool carrying strict, eager_input_streaming and cache_control, "
    "output_config with a JSON schema, thinking disabled, service_tier, metadata, a system turn in messages, and "
    "the anthropic-beta / anthropic-workspace-id headers",
    needs="a 200 JSON Message",
    requirement="200 and a body valid against MessagesResponse: no field the SDK defines is refused.",
    sources=("D-SURF-1.2", "D-MSG-6.1", "D-HDR-3.1", "openapi.yaml#/components/schemas/MessagesRequest"),
)
def _anthropic_fields(ctx: Context) -> None:
    body = messages_body(
        ctx,
        messages=[
            {"role": "system", "content": "Current page: a travel site's search form."},
            {
                "role": "user",
                "content": [{"type": "text", "text": PROMPT, "cache_control": {"type": "ephemeral"}}],
            },
        ],
        tools=[
            {
                "type": "custom",
                "name": "search_flights",
                "description": "Search flights to a city",
                "input_schema": {
                    "type": "object",
                    "properties": {"city": {"type": "string"}},
                    "required": ["city"],
                },
                "strict": True,
                "eager_input_streaming": True,
                "cache_control": {"type": "ephemeral", "ttl": "5m"},
            }
        ],
        output_config={"format": {"type": "json_schema", "schema": _PARSE_SCHEMA}},
        thinking={"type": "disabled"},
        service_tier="auto",
        metadata={"user_id": "conformance"},
    )
    ex = ctx.post(
        "/v1/messages",
        body,
        headers={
            "anthropic-beta": "structured-outputs-2025-11-13",
            "anthropic-workspace-id": "wrkspc_conformance",
        },
    )
    assert_valid("MessagesResponse", json_object(ex, "a Message"))


@case(
    "surface.anthropic.max-tokens-family",
    level=Level.SHOULD,
    profile="anthropic-messages",
    title="max_tokens up to the model family's limit, generation within 4096",
    sends="POST /v1/messages for a claude-sonnet-4-5 model id with max_tokens 64000, then 64001",
    needs="a 200 JSON Message for max_tokens 64000, then a 400 JSON error",
    requirement="64000 (the family's published limit) is accepted with output_tokens <= 4096; 64001 is 400 "
    "invalid_request_error naming max_tokens.",
    sources=("D-MSG-5.1", "D-MSG-1.1"),
)
def _max_tokens(ctx: Context) -> None:
    model = f"stratus-x1ac-{_size(ctx)}-claude-sonnet-4-5-20250929"
    ok = json_object(
        ctx.post("/v1/messages", messages_body(ctx, model=model, max_tokens=64000)),
        "a Message for max_tokens 64000",
    )
    used = (ok.get("usage") or {}).get("output_tokens")
    check(
        isinstance(used, int) and used <= 4096,
        f"usage.output_tokens={used!r}, expected an integer within the 4096-token budget",
        at=("usage", "output_tokens"),
    )
    err = ant_error(
        ctx.post("/v1/messages", messages_body(ctx, model=model, max_tokens=64001)),
        400,
        "invalid_request_error",
    )
    check(
        "max_tokens" in err["error"]["message"],
        f"the message does not name max_tokens: {err['error']['message']!r}",
    )


@case(
    "surface.openai.not-offered",
    level=Level.SHOULD,
    profile="errors",
    title="web_search_options is refused as OpenAI refuses it",
    sends="POST /v1/chat/completions with web_search_options {}",
    needs="a 400 JSON error",
    requirement="400 invalid_request_error with param web_search_options (a deployment without web search).",
    sources=("D-SURF-2.1",),
)
def _openai_not_offered(ctx: Context) -> None:
    oai_error(
        ctx.post("/v1/chat/completions", chat_body(ctx, web_search_options={})),
        400,
        param="web_search_options",
    )


@case(
    "surface.anthropic.not-offered",
    level=Level.SHOULD,
    profile="errors",
    title="Server tools and threads are refused as Anthropic refuses them",
    sends="POST /v1/messages with a web_search_20250305 tool; then with thread {type: create}",
    requirement="400 invalid_request_error naming the tool tag; the thread refusal carries "
    "error.details.error_code thread_unsupported_request (the SDK's thread helpers then continue unthreaded).",
    needs="a 400 JSON error for each request",
    sources=("D-SURF-4.1", "D-SURF-4.2"),
)
def _anthropic_not_offered(ctx: Context) -> None:
    tool = {"type": "web_search_20250305", "name": "web_search", "max_uses": 1}
    err = ant_error(ctx.post("/v1/messages", messages_body(ctx, tools=[tool])), 400, "invalid_request_error")
    check("web_search_20250305" in err["error"]["message"], f"message: {err['error']['message']!r}")
    err = ant_error(
        ctx.post("/v1/messages", messages_body(ctx, thread={"type": "create"})), 400, "invalid_request_error"
    )
    code = (err["error"].get("details") or {}).get("error_code")
    check(code == "thread_unsupported_request", f"error.details.error_code={code!r}")


@case(
    "surface.schema-params",
    level=Level.SHOULD,
    profile="errors",
    title="Malformed schema-valued parameters are 400 naming the parameter",
    sends="a function tool whose parameters are not a JSON Schema; a json_schema response_format without name; "
    "an Anthropic tool whose input_schema is not a JSON Schema",
    requirement="OpenAI: 400 param tools[0].function.parameters and response_format.json_schema.name; Anthropic: "
    "400 invalid_request_error whose message names tools.0.custom.input_schema.",
    needs="a 400 JSON error for each request",
    sources=("D-SURF-3.1",),
)
def _schema_params(ctx: Context) -> None:
    bad = {"type": "object", "properties": {"city": {"type": "strin"}}}
    tool = {"type": "function", "function": {"name": "get_weather", "parameters": bad}}
    oai_error(
        ctx.post("/v1/chat/completions", chat_body(ctx, tools=[tool])),
        400,
        param="tools[0].function.parameters",
    )
    fmt = {"type": "json_schema", "json_schema": {"schema": _PARSE_SCHEMA}}
    oai_error(
        ctx.post("/v1/chat/completions", chat_body(ctx, response_format=fmt)),
        400,
        param="response_format.json_schema.name",
    )
    ant_tool = {"name": "get_weather", "input_schema": bad}
    err = ant_error(
        ctx.post("/v1/messages", messages_body(ctx, tools=[ant_tool])), 400, "invalid_request_error"
    )
    check("tools.0.custom.input_schema" in err["error"]["message"], f"message: {err['error']['message']!r}")


@case(
    "surface.openai.unknown-routes",
    level=Level.SHOULD,
    profile="errors",
    title="/v1/responses and /v1/completions point to chat completions",
    sends="POST /v1/responses and POST /v1/completions",
    needs="a 404 JSON error for each route",
    requirement="404 in OpenAI's envelope whose message tells the client to use /v1/chat/completions.",
    sources=("D-SURF-5.1", "D-ERR-1.2"),
)
def _unknown_routes(ctx: Context) -> None:
    for path in ("/v1/responses", "/v1/completions"):
        err = oai_error(ctx.post(path, {"model": ctx.target.model, "input": PROMPT}), 404)
        check("/v1/chat/completions" in err.get("message", ""), f"{path}: message {err.get('message')!r}")


@case(
    "surface.anthropic.tool-result-in-assistant",
    level=Level.SHOULD,
    profile="errors",
    title="A tool_result block in an assistant turn is refused",
    sends="POST /v1/messages whose assistant turn carries a tool_result block",
    needs="a 400 JSON error",
    requirement="400 invalid_request_error: a tool_result answers a tool_use and belongs in a user turn.",
    sources=("D-MSG-6.2",),
)
def _tool_result_in_assistant(ctx: Context) -> None:
    misplaced = {"type": "tool_result", "tool_use_id": "toolu_01", "content": "18 C"}
    body = messages_body(
        ctx,
        messages=[
            {"role": "user", "content": PROMPT},
            {"role": "assistant", "content": [{"type": "text", "text": "Checking."}, misplaced]},
            {"role": "user", "content": "And tomorrow?"},
        ],
    )
    ant_error(ctx.post("/v1/messages", body), 400, "invalid_request_error")


@case(
    "surface.openai.tool-message-name",
    level=Level.SHOULD,
    profile="openai-chat",
    title="`name` on a tool message is accepted",
    sends="POST /v1/chat/completions replaying a tool round trip whose tool message carries `name` (LangChain.js)",
    needs="a 200 JSON chat completion",
    requirement="200: the tool message's `name` is accepted as the OpenAI API accepts it.",
    sources=("D-SURF-6.1",),
)
def _tool_message_name(ctx: Context) -> None:
    call = {
        "id": "call_1",
        "type": "function",
        "function": {"name": "get_weather", "arguments": '{"city":"Paris"}'},
    }
    body = chat_body(
        ctx,
        messages=[
            {"role": "user", "content": "What is the weather in Paris?"},
            {"role": "assistant", "content": None, "tool_calls": [call]},
            {"role": "tool", "tool_call_id": "call_1", "name": "get_weather", "content": "18 C and sunny"},
        ],
    )
    json_object(ctx.post("/v1/chat/completions", body), "a chat completion")
