"""Structured output: the JSON an embedded answer is written as, when the client asks for JSON.

Three ways a client asks (D-GEN-5, D-GEN-6):

- a schema: OpenAI `response_format: {"type": "json_schema"}` (strict or not) and Anthropic
  `output_config.format` (what the anthropic SDK's `messages.parse` sends). The answer is the
  schema-instance generator's value (`_instances.generate_instance`, the one that writes tool
  arguments) for the goal and the plan, every optional property that can be built filled in; it
  validates against the schema by construction. A schema the generator cannot satisfy is a 400
  naming the parameter (`response_format.json_schema.schema`, `output_config.format.schema`), never
  a 500 and never an answer that breaks the schema.
- `response_format: {"type": "json_object"}`: the messages must say "JSON" (as OpenAI requires, a 400
  naming `messages` otherwise). When the prompt declares a JSON Schema (instructor's JSON mode,
  pydantic-ai's prompted output) the answer is an instance of it; otherwise the plan as an object:
  `{"goal", "steps": [{"action", "target"}], "confidence"}`.
- only the prompt (instructor's MD_JSON): a prompt that says "JSON" and declares a JSON Schema gets
  an instance of it as the whole answer, in a ```json fence when the prompt asks for a code block. A
  prompt that asks for JSON without a schema keeps the prose answer: a deterministic reference has no
  shape to guess.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from typing import Any, Literal

import jsonschema
import msgspec

from reference_server._errors import ApiError
from reference_server._instances import GoalContext, UnsatisfiableSchema, generate_instance
from reference_server._memo import memo
from reference_server._turn import Message, ResponseFormat, Text, Turn
from reference_server._wording import describe_steps
from reference_server.planner import Plan

__all__ = ["OutputFormat", "output_format", "structured_text"]

Source = Literal["json_schema", "json_object", "prompt"]

_JSON_WORD = re.compile(r"json", re.IGNORECASE)
_CODE_BLOCK = re.compile(r"code\s*block|```", re.IGNORECASE)
_SCAN_CHARS = 200_000
"""Prompt text looked through for a declared schema (a 1 MB prompt is not scanned whole)."""
_SHORT = 1024
"""Texts this short are searched for "JSON" each time rather than looked up in `_schema_in`'s cache."""
_SCAN_BRACES = 64
"""Opening braces tried as the start of a schema, per text."""
_SCHEMA_KEYS = frozenset(["properties", "$defs", "definitions", "anyOf", "oneOf", "allOf"])


class OutputFormat(msgspec.Struct, frozen=True, kw_only=True):
    """How the answer's text is written: an instance of `schema`, or the plan object (no schema)."""

    source: Source
    schema: dict[str, Any] | None
    fenced: bool = False
    """A ```json fence around the JSON (the prompt asked for a code block)."""
    param: str = ""
    """The request parameter the schema came from, in the dialect's spelling (errors name it)."""
    name: str = ""
    """OpenAI's `json_schema.name`."""


def _texts(message: Message) -> Iterable[str]:
    if isinstance(message.content, str):
        yield message.content
        return
    for part in message.content:
        if isinstance(part, Text):
            yield part.text


def _prompt_texts(turn: Turn) -> list[str]:
    return [
        text
        for message in turn.messages
        if message.role in ("system", "developer", "user")
        for text in _texts(message)
    ]


def _is_schema(value: Any) -> bool:
    if not isinstance(value, dict) or not (_SCHEMA_KEYS & value.keys() or value.get("type") == "object"):
        return False
    try:
        jsonschema.Draft202012Validator.check_schema(value)
    except jsonschema.SchemaError:
        return False
    return True


def _declared_schema(texts: list[str]) -> dict[str, Any] | None:
    """The first JSON Schema written out in a prompt text that also says "JSON"."""
    for text in texts:
        if len(text) <= _SHORT and not _JSON_WORD.search(text):
            continue  # searched faster than looked up: no "JSON", no schema
        found = _schema_in(text)
        if found is not None:
            return msgspec.json.decode(found)  # type: ignore[no-any-return]
    return None


@memo(entries=1024, max_bytes=4 * 2**20)
def _schema_in(text: str) -> bytes | None:
    """The schema `text` writes out, as JSON, or None; cached (digest-keyed): a client resends its
    system prompt with every turn, and a failed decode can run to the end of the text."""
    text = text[:_SCAN_CHARS]
    if not _JSON_WORD.search(text):
        return None
    decoder = json.JSONDecoder()
    at = text.find("{")
    tried = 0
    while at >= 0 and tried < _SCAN_BRACES:
        tried += 1
        try:
            value, end = decoder.raw_decode(text, at)
        except (ValueError, RecursionError):  # not JSON, or nested deeper than the decoder goes
            at = text.find("{", at + 1)
            continue
        if _is_schema(value):
            return msgspec.json.encode(value)
        at = text.find("{", end)
    return None


def _json_required_error() -> ApiError:
    return ApiError(
        400,
        "'messages' must contain the word 'json' in some form, to use 'response_format' of type 'json_object'.",
        param="messages",
    )


def output_format(turn: Turn) -> OutputFormat | None:
    """What JSON the turn asks for (None: a prose answer). Raises the 400 of a `json_object` request
    whose messages never say "JSON"."""
    fmt: ResponseFormat | None = turn.response_format
    if fmt is not None and fmt.kind == "json_schema":
        param = (
            "output_config.format.schema"
            if turn.conventions == "anthropic"
            else "response_format.json_schema.schema"
        )
        return OutputFormat(source="json_schema", schema=fmt.schema or {}, param=param, name=fmt.name or "")
    texts = _prompt_texts(turn)
    if fmt is not None and fmt.kind == "json_object":
        if not any(_JSON_WORD.search(text[:_SCAN_CHARS]) for text in texts):
            raise _json_required_error()
        return OutputFormat(source="json_object", schema=_declared_schema(texts), param="messages")
    declared = _declared_schema(texts)
    if declared is None:
        return None
    fenced = any(_CODE_BLOCK.search(text[:_SCAN_CHARS]) for text in texts)
    return OutputFormat(source="prompt", schema=declared, fenced=fenced, param="messages")


def _unsatisfiable(fmt: OutputFormat, exc: UnsatisfiableSchema, dialect: str) -> ApiError:
    where = f" (at {exc.schema_path})" if exc.schema_path else ""
    if dialect == "anthropic":
        return ApiError(400, f"{fmt.param}: {exc.reason}{where}.", param=fmt.param)
    if fmt.source == "json_schema":
        return ApiError(
            400,
            f"Invalid schema for response_format '{fmt.name}': In context={exc.context!r}, {exc.reason}.",
            param=fmt.param,
            code="invalid_value",
        )
    return ApiError(
        400, f"The JSON Schema in the messages cannot be satisfied: {exc.reason}{where}.", param=fmt.param
    )


def _plan_object(goal: str, state: str, plan: Plan) -> dict[str, Any]:
    actions = list(plan.action_sequence)
    targets = describe_steps(goal, state, tuple(actions))
    return {
        "goal": goal,
        "steps": [{"action": a, "target": t} for a, t in zip(actions, targets, strict=False)],
        "confidence": round(plan.overall_confidence, 4),
    }


@memo(entries=1024, max_bytes=8 * 2**20)
def _instance_text(
    schema: bytes, goal: str, actions: tuple[str, ...], confidence: float, fenced: bool
) -> str:
    """The instance's text, cached by (the digest of) the schema and what the value depends on: a
    client resends the same schema, and a generated value is 1 ms of Python."""
    context = GoalContext(goal=goal, plan_actions=actions, confidence=confidence, include_optional=True)
    return _render(generate_instance(msgspec.json.decode(schema), context), fenced)


def _render(value: Any, fenced: bool) -> str:
    if fenced:
        return "```json\n" + json.dumps(value, indent=2, ensure_ascii=False) + "\n```"
    return msgspec.json.encode(value).decode()


def structured_text(
    fmt: OutputFormat, *, goal: str, state: str, plan: Plan, dialect: Literal["openai", "anthropic"]
) -> str:
    """The answer's text: compact JSON (pretty in a fence), the same for the same request."""
    if fmt.schema is None:
        return _render(_plan_object(goal, state, plan), fmt.fenced)
    schema = msgspec.json.encode(fmt.schema)
    try:
        return _instance_text(schema, goal, tuple(plan.action_sequence), plan.overall_confidence, fmt.fenced)
    except UnsatisfiableSchema as exc:
        raise _unsatisfiable(fmt, exc, dialect) from exc
