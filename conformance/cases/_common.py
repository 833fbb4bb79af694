"""Request builders and shared exchanges used by several case modules."""

from __future__ import annotations

from typing import Any

from conformance._case import CaseFailed
from conformance._chat_stream import ChatStream, analyse_chat_stream
from conformance._context import Context, Exchange
from conformance._messages_stream import MessagesStream, analyse_messages_stream

__all__ = [
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
]

PROMPT = "Open the browser, search for flights to Paris and book the cheapest one."

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


def check(cond: object, message: str) -> None:
    if not cond:
        raise CaseFailed(message)


def no_findings(analysis: ChatStream | MessagesStream, rule: str) -> None:
    problems = analysis.problems(rule)
    if problems:
        raise CaseFailed(f"[{rule}] " + "; ".join(problems[:6]))


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


_CHAT_VARIANTS: dict[str, dict[str, Any]] = {
    "basic": {},
    "tools": {"tools": [WEATHER_TOOL_OPENAI], "tool_choice": "required"},
    "length": {"max_tokens": 1},
}
_CHAT_STREAM_VARIANTS: dict[str, dict[str, Any]] = {
    "basic": {"stream": True},
    "usage": {"stream": True, "stream_options": {"include_usage": True}},
    "empty-options": {"stream": True, "stream_options": {}},
    "tools": {"stream": True, "tools": [WEATHER_TOOL_OPENAI], "tool_choice": "required"},
    "n2": {"stream": True, "n": 2},
}
_MSG_VARIANTS: dict[str, dict[str, Any]] = {
    "basic": {},
    "tools": {"tools": [WEATHER_TOOL_ANTHROPIC], "tool_choice": {"type": "any"}},
    "length": {"max_tokens": 1},
}
_MSG_STREAM_VARIANTS: dict[str, dict[str, Any]] = {
    "basic": {"stream": True},
    "tools": {"stream": True, "tools": [WEATHER_TOOL_ANTHROPIC], "tool_choice": {"type": "any"}},
}


def chat_once(ctx: Context, variant: str = "basic") -> Exchange:
    """POST /v1/chat/completions with a standard body; 2xx required."""

    def make() -> Exchange:
        ex = ctx.post("/v1/chat/completions", chat_body(ctx, **_CHAT_VARIANTS[variant]))
        check(ex.status == 200, f"chat completion ({variant}) answered {ex.status}: {ex.body[:300]!r}")
        return ex

    ex: Exchange = ctx.cached(f"chat:{variant}", make)
    return ex


def chat_stream(ctx: Context, variant: str = "basic") -> ChatStream:
    def make() -> ChatStream:
        body = chat_body(ctx, **_CHAT_STREAM_VARIANTS[variant])
        ex = ctx.post("/v1/chat/completions", body, stream=True)
        check(
            ex.status == 200, f"streaming chat completion ({variant}) answered {ex.status}: {ex.body[:300]!r}"
        )
        return analyse_chat_stream(ex, body)

    st: ChatStream = ctx.cached(f"chat-stream:{variant}", make)
    return st


def messages_once(ctx: Context, variant: str = "basic") -> Exchange:
    def make() -> Exchange:
        ex = ctx.post("/v1/messages", messages_body(ctx, **_MSG_VARIANTS[variant]))
        check(ex.status == 200, f"messages ({variant}) answered {ex.status}: {ex.body[:300]!r}")
        return ex

    ex: Exchange = ctx.cached(f"messages:{variant}", make)
    return ex


def messages_stream(ctx: Context, variant: str = "basic") -> MessagesStream:
    def make() -> MessagesStream:
        ex = ctx.post("/v1/messages", messages_body(ctx, **_MSG_STREAM_VARIANTS[variant]), stream=True)
        check(ex.status == 200, f"streaming messages ({variant}) answered {ex.status}: {ex.body[:300]!r}")
        return analyse_messages_stream(ex)

    st: MessagesStream = ctx.cached(f"messages-stream:{variant}", make)
    return st
