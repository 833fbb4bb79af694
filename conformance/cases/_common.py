"""Request builders, shared exchanges and the subjects (preconditions) several case modules judge."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from conformance._case import CaseFailed, JsonPath
from conformance._chat_stream import ChatStream, analyse_chat_stream
from conformance._context import Context, Exchange
from conformance._expect import json_object
from conformance._messages_stream import MessagesStream, analyse_messages_stream

__all__ = [
    "PARALLEL_PROMPT",
    "PROMPT",
    "WEATHER_TOOL_ANTHROPIC",
    "WEATHER_TOOL_OPENAI",
    "chat_body",
    "chat_once",
    "chat_stream",
    "check",
    "messages_body",
    "messages_once",
    "messages_stream",
    "no_findings",
    "streamed_tool_calls",
]

PROMPT = "Open the browser, search for flights to Paris and book the cheapest one."
PARALLEL_PROMPT = "What is the weather in Paris and in Tokyo right now?"
"""Asks for one tool twice (two cities): the subject of the parallel tool-call cases."""

WEATHER_TOOL_OPENAI: dict[str, Any] = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "Current weather for a city",
        "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
    },
}
WEATHER_TOOL_ANTHROPIC: dict[str, Any] = {
    "name": "get_weather",
    "description": "Current weather for a city",
    "input_schema": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
}


def check(cond: object, message: str, *, at: JsonPath | None = None) -> None:
    """Fail with ``message`` unless ``cond``; ``at`` is the JSON path of the judged value."""
    if not cond:
        raise CaseFailed(message, at=at)


_WHERE = re.compile(r"^(chunk|event) (\d+)\b")
_SCHEMA_AT = re.compile(r" at ([^\s:]+): ")


def no_findings(analysis: ChatStream | MessagesStream, rule: str) -> None:
    """Fail with the analysis' findings for ``rule`` (the first one's event is highlighted)."""
    problems = analysis.problems(rule)
    if not problems:
        return
    event = at = None
    m = _WHERE.match(problems[0])
    if m:
        i = int(m.group(2))
        blocks = analysis.chunk_events if isinstance(analysis, ChatStream) else analysis.event_blocks
        event = blocks[i] if i < len(blocks) else None
        path = _SCHEMA_AT.search(problems[0])
        if path and path.group(1) != "(root)":
            at = tuple(int(p) if p.isdigit() else p for p in path.group(1).split("/"))
    raise CaseFailed(f"[{rule}] " + "; ".join(problems[:6]), event=event, at=at)


def chat_body(ctx: Context, **extra: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"model": ctx.target.model, "messages": [{"role": "user", "content": PROMPT}]}
    body.update(extra)
    return body


def messages_body(ctx: Context, **extra: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "model": ctx.target.model,
        "max_tokens": 256,
        "messages": [{"role": "user", "content": PROMPT}],
    }
    body.update(extra)
    return body


_PARALLEL_MESSAGES = [{"role": "user", "content": PARALLEL_PROMPT}]
_CHAT_VARIANTS: dict[str, dict[str, Any]] = {
    "basic": {},
    "tools": {"tools": [WEATHER_TOOL_OPENAI], "tool_choice": "required"},
    "length": {"max_tokens": 1},
    "parallel": {"messages": _PARALLEL_MESSAGES, "tools": [WEATHER_TOOL_OPENAI], "tool_choice": "required"},
}
_CHAT_STREAM_VARIANTS: dict[str, dict[str, Any]] = {
    "basic": {"stream": True},
    "usage": {"stream": True, "stream_options": {"include_usage": True}},
    "empty-options": {"stream": True, "stream_options": {}},
    "tools": {"stream": True, "tools": [WEATHER_TOOL_OPENAI], "tool_choice": "required"},
    "n2": {"stream": True, "n": 2},
    "parallel": {"stream": True, **_CHAT_VARIANTS["parallel"]},
}
_MSG_VARIANTS: dict[str, dict[str, Any]] = {
    "basic": {},
    "tools": {"tools": [WEATHER_TOOL_ANTHROPIC], "tool_choice": {"type": "any"}},
    "length": {"max_tokens": 1},
    "parallel": {
        "messages": _PARALLEL_MESSAGES,
        "tools": [WEATHER_TOOL_ANTHROPIC],
        "tool_choice": {"type": "any"},
    },
}
_MSG_STREAM_VARIANTS: dict[str, dict[str, Any]] = {
    "basic": {"stream": True},
    "tools": {"stream": True, "tools": [WEATHER_TOOL_ANTHROPIC], "tool_choice": {"type": "any"}},
    "parallel": {"stream": True, **_MSG_VARIANTS["parallel"]},
}


def _chat_tool_calls(body: dict[str, Any]) -> list[Any]:
    choices = body.get("choices")
    first = choices[0] if isinstance(choices, list) and choices and isinstance(choices[0], dict) else {}
    calls = (first.get("message") or {}).get("tool_calls") if isinstance(first.get("message"), dict) else None
    return calls if isinstance(calls, list) else []


def _need_chat_calls(least: int) -> Callable[[Exchange, dict[str, Any]], None]:
    def need(ex: Exchange, body: dict[str, Any]) -> None:
        calls = _chat_tool_calls(body)
        if len(calls) < least:
            what = "a tool call" if least == 1 else f"{least} or more tool calls in one answer"
            raise CaseFailed(
                f"expected {what} (choices[0].message.tool_calls), got {len(calls)}",
                at=("choices", 0, "message"),
            )

    return need


_CHAT_NEEDS: dict[str, Callable[[Exchange, dict[str, Any]], None]] = {
    "tools": _need_chat_calls(1),
    "parallel": _need_chat_calls(2),
}


def chat_once(ctx: Context, variant: str = "basic") -> Exchange:
    """POST /v1/chat/completions with a standard body; the subject is a 200 JSON chat completion."""

    def make() -> Exchange:
        ex = ctx.post("/v1/chat/completions", chat_body(ctx, **_CHAT_VARIANTS[variant]))
        body = json_object(ex, f"a chat completion ({variant} request)")
        if variant in _CHAT_NEEDS:
            _CHAT_NEEDS[variant](ex, body)
        return ex

    ex: Exchange = ctx.cached(f"chat:{variant}", make)
    return ex


def streamed_tool_calls(st: ChatStream, choice: int = 0) -> dict[int, dict[str, Any]]:
    """Tool calls of one choice accumulated from the fragments, by their ``index``."""
    calls: dict[int, dict[str, Any]] = {}
    for ch in st.chunks:
        for c in ch.get("choices") or []:
            if not isinstance(c, dict) or c.get("index") != choice:
                continue
            for tc in (c.get("delta") or {}).get("tool_calls") or []:
                if not isinstance(tc, dict):
                    continue
                fn = tc.get("function") or {}
                index = tc.get("index")
                if not isinstance(index, int):
                    continue  # B6 reports it
                call = calls.setdefault(index, {"id": None, "name": None, "arguments": ""})
                call["id"] = call["id"] or tc.get("id")
                call["name"] = call["name"] or fn.get("name")
                call["arguments"] += fn.get("arguments") or ""
    return calls


def _need_stream_calls(least: int) -> Callable[[ChatStream], None]:
    def need(st: ChatStream) -> None:
        fragments = sum(
            1
            for ch in st.chunks
            for c in ch.get("choices") or []
            if isinstance(c, dict) and (c.get("delta") or {}).get("tool_calls")
        )
        ids = {c["id"] for c in streamed_tool_calls(st).values() if c["id"]}
        if not fragments or (least > 1 and len(ids) < least):
            what = (
                "a streamed tool call"
                if least == 1
                else f"{least} or more streamed tool calls (distinct ids)"
            )
            raise CaseFailed(f"expected {what} in delta.tool_calls, got {len(ids)} tool call id(s)")

    return need


def _need_second_choice(st: ChatStream) -> None:
    seen = {c.get("index") for ch in st.chunks for c in ch.get("choices") or [] if isinstance(c, dict)}
    if 1 not in seen:
        raise CaseFailed(
            f"expected a second choice (index 1) for n=2, got choice indexes {sorted(seen, key=str)}"
        )


_CHAT_STREAM_NEEDS: dict[str, Callable[[ChatStream], None]] = {
    "tools": _need_stream_calls(1),
    "parallel": _need_stream_calls(2),
    "n2": _need_second_choice,
}


def chat_stream(ctx: Context, variant: str = "basic") -> ChatStream:
    """POST /v1/chat/completions with stream:true; the subject is an event stream of chunks."""

    def make() -> ChatStream:
        body = chat_body(ctx, **_CHAT_STREAM_VARIANTS[variant])
        st = analyse_chat_stream(ctx.post("/v1/chat/completions", body, stream=True), body)
        if st.missing is not None:
            raise st.missing
        if variant in _CHAT_STREAM_NEEDS:
            _CHAT_STREAM_NEEDS[variant](st)
        return st

    st: ChatStream = ctx.cached(f"chat-stream:{variant}", make)
    return st


def _tool_use_blocks(body: dict[str, Any]) -> list[Any]:
    content = body.get("content")
    return (
        [b for b in content if isinstance(b, dict) and b.get("type") == "tool_use"]
        if isinstance(content, list)
        else []
    )


def _need_tool_use(least: int) -> Callable[[dict[str, Any]], None]:
    def need(body: dict[str, Any]) -> None:
        n = len(_tool_use_blocks(body))
        if n < least:
            what = "a tool_use block" if least == 1 else f"{least} or more tool_use blocks in one answer"
            raise CaseFailed(f"expected {what} in content, got {n}", at=("content",))

    return need


_MSG_NEEDS = {"tools": _need_tool_use(1), "parallel": _need_tool_use(2)}


def messages_once(ctx: Context, variant: str = "basic") -> Exchange:
    """POST /v1/messages with a standard body; the subject is a 200 JSON Message."""

    def make() -> Exchange:
        ex = ctx.post("/v1/messages", messages_body(ctx, **_MSG_VARIANTS[variant]))
        body = json_object(ex, f"a Message ({variant} request)")
        if variant in _MSG_NEEDS:
            _MSG_NEEDS[variant](body)
        return ex

    ex: Exchange = ctx.cached(f"messages:{variant}", make)
    return ex


def _need_streamed_tool_use(least: int) -> Callable[[MessagesStream], None]:
    def need(st: MessagesStream) -> None:
        n = sum(
            1
            for ev in st.of_type("content_block_start")
            if (ev.get("content_block") or {}).get("type") == "tool_use"
        )
        if n < least:
            what = "a streamed tool_use block" if least == 1 else f"{least} or more streamed tool_use blocks"
            raise CaseFailed(f"expected {what} (content_block_start with type tool_use), got {n}")

    return need


_MSG_STREAM_NEEDS = {"tools": _need_streamed_tool_use(1), "parallel": _need_streamed_tool_use(2)}


def messages_stream(ctx: Context, variant: str = "basic") -> MessagesStream:
    """POST /v1/messages with stream:true; the subject is an event stream of Anthropic events."""

    def make() -> MessagesStream:
        ex = ctx.post("/v1/messages", messages_body(ctx, **_MSG_STREAM_VARIANTS[variant]), stream=True)
        st = analyse_messages_stream(ex)
        if st.missing is not None:
            raise st.missing
        if variant in _MSG_STREAM_NEEDS:
            _MSG_STREAM_NEEDS[variant](st)
        return st

    st: MessagesStream = ctx.cached(f"messages-stream:{variant}", make)
    return st
