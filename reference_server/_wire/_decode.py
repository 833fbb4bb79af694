"""Strict request decoding, with the two leniencies the contract allows.

* JSON Schema counts `2.0` as an integer: integral floats are accepted where an integer is expected.
* A custom Anthropic tool may leave out its `type` or send it as null (the anthropic SDK's `ToolParam`
  has `type: Optional[Literal["custom"]]`); msgspec needs the tag, so it is filled in as `"custom"`.

Everything else is the strict msgspec decode: unknown fields, wrong types and `"5"` for 5 are errors.
The fast path decodes the raw bytes once; only a body that fails is decoded again in its lenient form.
"""

from __future__ import annotations

from typing import Any, TypeVar

import msgspec

from reference_server._wire._messages_request import CountTokensRequest, MessagesRequest

__all__ = ["convert_request", "decode_request", "lenient_form"]

T = TypeVar("T")

_DECODERS: dict[Any, msgspec.json.Decoder[Any]] = {}
_IMPLICIT_TOOL_TAG = (MessagesRequest, CountTokensRequest)


def _decoder(typ: type[T]) -> msgspec.json.Decoder[T]:
    dec = _DECODERS.get(typ)
    if dec is None:
        dec = _DECODERS[typ] = msgspec.json.Decoder(typ, strict=True)
    return dec


def decode_request(typ: type[T], raw: bytes) -> T:
    """Decode `raw` strictly into `typ`; on failure retry once with `lenient_form`, else raise the
    first error (`msgspec.ValidationError` / `msgspec.DecodeError`). The body nests at most
    `_limits.MAX_JSON_DEPTH` levels (checked before), so the lenient walk cannot recurse too deep."""
    try:
        return _decoder(typ).decode(raw)
    except msgspec.ValidationError as first:
        try:
            parsed = msgspec.json.decode(raw)
        except msgspec.DecodeError:
            # msgspec stops at the first error: the rest of the body may not be JSON at all
            raise first from None
        lenient = lenient_form(typ, parsed)
        if lenient is None:
            raise
        return msgspec.convert(lenient, typ, strict=True)


def convert_request(typ: type[T], body: Any) -> T:
    """`decode_request` for an already parsed body (tests, examples)."""
    try:
        return msgspec.convert(body, typ, strict=True)
    except msgspec.ValidationError:
        lenient = lenient_form(typ, body)
        if lenient is None:
            raise
        return msgspec.convert(lenient, typ, strict=True)


def lenient_form(typ: Any, body: Any) -> Any | None:
    """`body` with integral floats made ints and implicit tool tags filled in; None if nothing changed."""
    changed = [False]
    out = _integral(body, changed)
    if typ in _IMPLICIT_TOOL_TAG and isinstance(out, dict):
        out = _with_tool_tags(out, changed)
    return out if changed[0] else None


def _integral(value: Any, changed: list[bool]) -> Any:
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**63:
        changed[0] = True
        return int(value)
    if isinstance(value, list):
        return [_integral(v, changed) for v in value]
    if isinstance(value, dict):
        return {k: _integral(v, changed) for k, v in value.items()}
    return value


def _tag_tool(tool: Any, changed: list[bool]) -> None:
    if isinstance(tool, dict) and tool.get("type") is None:
        tool["type"] = "custom"
        changed[0] = True


def _with_tool_tags(body: dict[str, Any], changed: list[bool]) -> dict[str, Any]:
    """Fill `type: "custom"` into `tools[]` entries and into tool definitions carried by
    `tool_addition` blocks (`{"type": "tool_definition", "definition": {...}}`) anywhere in the body."""
    tools = body.get("tools")
    if isinstance(tools, list):
        for tool in tools:
            _tag_tool(tool, changed)

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("type") == "tool_definition":
                _tag_tool(node.get("definition"), changed)
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(body.get("messages"))
    return body
