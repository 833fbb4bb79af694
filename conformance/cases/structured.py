"""Structured output and tool arguments against the requested schema, in both dialects (L1-L4).

Each case sends a schema with what real models' schemas carry (pydantic's `$defs`/`$ref` for a nested
model, an array that must not be empty, an enum, a nullable number) and validates what comes back
with `jsonschema` (draft 2020-12; `format` as an annotation, as the APIs treat it). An answer that is
prose, or JSON that breaks the schema, fails; so does a refusal, since the subject never arrived.
"""

from __future__ import annotations

import json
from typing import Any

import jsonschema

from conformance._case import CaseFailed, Level, case
from conformance._chat_stream import analyse_chat_stream
from conformance._context import Context
from conformance._expect import json_object
from conformance._messages_stream import analyse_messages_stream
from conformance.cases._common import chat_body, check, messages_body

__all__: list[str] = []

PROMPT = "Plan a trip to Paris for two travellers and list the flights to compare. Answer in JSON."
SCHEMA: dict[str, Any] = {
    "$defs": {
        "Flight": {
            "type": "object",
            "properties": {
                "airline": {"type": "string"},
                "departure": {"type": "string", "format": "date"},
                "cabin": {"enum": ["economy", "premium", "business"]},
            },
            "required": ["airline", "departure", "cabin"],
            "additionalProperties": False,
        }
    },
    "type": "object",
    "properties": {
        "city": {"type": "string"},
        "travellers": {"type": "integer", "minimum": 1, "maximum": 9},
        "budget": {"anyOf": [{"type": "number", "minimum": 0}, {"type": "null"}]},
        "flights": {"type": "array", "items": {"$ref": "#/$defs/Flight"}, "minItems": 1},
    },
    "required": ["city", "travellers", "budget", "flights"],
    "additionalProperties": False,
}
_JSON_SCHEMA_FORMAT = {
    "type": "json_schema",
    "json_schema": {"name": "trip", "schema": SCHEMA, "strict": True},
}
_OUTPUT_CONFIG = {"format": {"type": "json_schema", "schema": SCHEMA}}
_USER = [{"role": "user", "content": PROMPT}]
_TOOL_PROMPT = "Compare flights for a trip to Paris for two travellers."


def _valid(text: object, what: str, at: tuple[str | int, ...]) -> None:
    """`text` is one JSON document valid against SCHEMA."""
    if not isinstance(text, str) or not text.strip():
        raise CaseFailed(f"expected {what} as JSON text, got {text!r:.200}", at=at)
    try:
        value = json.loads(text)
    except ValueError as exc:
        raise CaseFailed(f"{what} is not JSON ({exc}): {text!r:.200}", at=at) from exc
    _valid_value(value, what, at)


def _valid_value(value: object, what: str, at: tuple[str | int, ...]) -> None:
    errors = sorted(jsonschema.Draft202012Validator(SCHEMA).iter_errors(value), key=lambda e: list(e.path))
    if errors:
        first = errors[0]
        where = "/".join(str(p) for p in first.absolute_path) or "(root)"
        raise CaseFailed(f"{what} breaks the requested schema at {where}: {first.message:.200}", at=at)


@case(
    "structured.openai.json-schema",
    level=Level.MUST,
    profile="openai-chat",
    title="response_format json_schema: content valid against the schema",
    sends="POST /v1/chat/completions with response_format json_schema (strict; $defs/$ref, minItems, enum, anyOf null)",
    needs="a 200 JSON chat completion with message content",
    requirement="The message content is one JSON document valid against the requested schema.",
    sources=("L1",),
)
def _openai_json_schema(ctx: Context) -> None:
    body = json_object(
        ctx.post("/v1/chat/completions", chat_body(ctx, messages=_USER, response_format=_JSON_SCHEMA_FORMAT)),
        "a chat completion",
    )
    message = ((body.get("choices") or [{}])[0] or {}).get("message") or {}
    _valid(message.get("content"), "message.content", ("choices", 0, "message", "content"))


@case(
    "structured.openai.json-schema-stream",
    level=Level.MUST,
    profile="openai-stream",
    title="response_format json_schema, streamed: the content deltas join to valid JSON",
    sends="POST /v1/chat/completions with stream:true and response_format json_schema (strict)",
    needs="an event stream of chunks with content deltas",
    requirement="The content deltas of choice 0, joined, are one JSON document valid against the schema.",
    sources=("L1",),
)
def _openai_json_schema_stream(ctx: Context) -> None:
    request = chat_body(ctx, messages=_USER, response_format=_JSON_SCHEMA_FORMAT, stream=True)
    st = analyse_chat_stream(ctx.post("/v1/chat/completions", request, stream=True), request)
    if st.missing is not None:
        raise st.missing
    text = "".join(
        (choice.get("delta") or {}).get("content") or ""
        for chunk in st.chunks
        for choice in chunk.get("choices") or []
        if choice.get("index", 0) == 0
    )
    _valid(text, "the streamed content", ())


@case(
    "structured.openai.json-object",
    level=Level.MUST,
    profile="openai-chat",
    title="response_format json_object: content is a JSON object",
    sends='POST /v1/chat/completions with response_format {"type": "json_object"} and a prompt that says JSON',
    needs="a 200 JSON chat completion with message content",
    requirement="The message content is one JSON object.",
    sources=("L2",),
)
def _openai_json_object(ctx: Context) -> None:
    body = json_object(
        ctx.post(
            "/v1/chat/completions", chat_body(ctx, messages=_USER, response_format={"type": "json_object"})
        ),
        "a chat completion",
    )
    content = (((body.get("choices") or [{}])[0] or {}).get("message") or {}).get("content")
    at = ("choices", 0, "message", "content")
    try:
        value = json.loads(content) if isinstance(content, str) else None
    except ValueError as exc:
        raise CaseFailed(f"message.content is not JSON ({exc}): {content!r:.200}", at=at) from exc
    check(isinstance(value, dict), f"expected a JSON object, got {content!r:.200}", at=at)


def _text_blocks(body: dict[str, Any]) -> list[tuple[int, Any]]:
    content = body.get("content")
    if not isinstance(content, list):
        raise CaseFailed(f"expected a content list, got {content!r:.200}", at=("content",))
    return [
        (i, b.get("text")) for i, b in enumerate(content) if isinstance(b, dict) and b.get("type") == "text"
    ]


@case(
    "structured.anthropic.output-config",
    level=Level.MUST,
    profile="anthropic-messages",
    title="output_config.format json_schema: a text block valid against the schema",
    sends="POST /v1/messages with output_config.format json_schema ($defs/$ref, minItems, enum, anyOf null)",
    needs="a 200 JSON Message with a text block",
    requirement="The answer is one text block whose text is one JSON document valid against the schema.",
    sources=("L3",),
)
def _anthropic_output_config(ctx: Context) -> None:
    body = json_object(
        ctx.post(
            "/v1/messages", messages_body(ctx, max_tokens=1024, messages=_USER, output_config=_OUTPUT_CONFIG)
        ),
        "a Message",
    )
    blocks = _text_blocks(body)
    check(len(blocks) == 1, f"expected one text block, got {len(blocks)}", at=("content",))
    index, text = blocks[0]
    _valid(text, "the text block", ("content", index, "text"))


@case(
    "structured.anthropic.output-config-stream",
    level=Level.MUST,
    profile="anthropic-stream",
    title="output_config.format json_schema, streamed: the text deltas join to valid JSON",
    sends="POST /v1/messages with stream:true and output_config.format json_schema",
    needs="an event stream with text deltas",
    requirement="The text_delta events, joined, are one JSON document valid against the schema.",
    sources=("L3",),
)
def _anthropic_output_config_stream(ctx: Context) -> None:
    request = messages_body(ctx, max_tokens=1024, messages=_USER, output_config=_OUTPUT_CONFIG, stream=True)
    st = analyse_messages_stream(ctx.post("/v1/messages", request, stream=True))
    if st.missing is not None:
        raise st.missing
    text = "".join(
        (ev.get("delta") or {}).get("text") or ""
        for ev in st.of_type("content_block_delta")
        if (ev.get("delta") or {}).get("type") == "text_delta"
    )
    _valid(text, "the streamed text", ())


_OPENAI_TOOL = {
    "type": "function",
    "function": {"name": "plan_trip", "description": "Record the planned trip", "parameters": SCHEMA},
}
_ANTHROPIC_TOOL = {"name": "plan_trip", "description": "Record the planned trip", "input_schema": SCHEMA}


@case(
    "structured.openai.tool-ref-arguments",
    level=Level.MUST,
    profile="openai-chat",
    title="A forced tool's arguments validate against a $ref schema",
    sends="POST /v1/chat/completions with one function tool whose parameters use $defs/$ref, named in tool_choice",
    needs="a 200 chat completion with a tool call",
    requirement="The call's arguments are a JSON string valid against the tool's parameters, nested model included.",
    sources=("L4",),
)
def _openai_tool_ref(ctx: Context) -> None:
    request = chat_body(
        ctx,
        messages=[{"role": "user", "content": _TOOL_PROMPT}],
        tools=[_OPENAI_TOOL],
        tool_choice={"type": "function", "function": {"name": "plan_trip"}},
    )
    body = json_object(ctx.post("/v1/chat/completions", request), "a chat completion")
    calls = (((body.get("choices") or [{}])[0] or {}).get("message") or {}).get("tool_calls")
    at: tuple[str | int, ...] = ("choices", 0, "message", "tool_calls")
    if not isinstance(calls, list) or not calls or not isinstance(calls[0], dict):
        raise CaseFailed(f"expected a tool call, got tool_calls={calls!r:.200}", at=at)
    _valid(
        (calls[0].get("function") or {}).get("arguments"), "the arguments", (*at, 0, "function", "arguments")
    )


@case(
    "structured.anthropic.tool-ref-input",
    level=Level.MUST,
    profile="anthropic-messages",
    title="A forced tool's input validates against a $ref schema",
    sends="POST /v1/messages with one tool whose input_schema uses $defs/$ref, tool_choice {type: tool}",
    needs="a 200 Message with a tool_use block",
    requirement="The tool_use input is an object valid against the tool's input_schema, nested model included.",
    sources=("L4",),
)
def _anthropic_tool_ref(ctx: Context) -> None:
    request = messages_body(
        ctx,
        max_tokens=1024,
        messages=[{"role": "user", "content": _TOOL_PROMPT}],
        tools=[_ANTHROPIC_TOOL],
        tool_choice={"type": "tool", "name": "plan_trip"},
    )
    body = json_object(ctx.post("/v1/messages", request), "a Message")
    content = body.get("content")
    content = content if isinstance(content, list) else []
    uses = [(i, b) for i, b in enumerate(content) if isinstance(b, dict) and b.get("type") == "tool_use"]
    if not uses:
        raise CaseFailed("expected a tool_use block in content, got none", at=("content",))
    index, block = uses[0]
    _valid_value(block.get("input"), "the tool_use input", ("content", index, "input"))
