"""Chat Completions answers (OpenAI, Google's and OpenRouter's compatible endpoints) as a `Result`
or as stream events (D-EXEC-1, wire-checklist G9, G10, G12).

The role deltas of all `n` choices are announced at once, before the provider's first token (B12);
a tool call starts the first time its index shows up; `{"error": ...}` chunks, transport failures and
a stream that ends without a finish become `Failed`.
"""

from __future__ import annotations

import json
from collections.abc import AsyncGenerator, AsyncIterator
from typing import Any

import httpx

from reference_server._execution import (
    Answer,
    ChoiceStarted,
    Event,
    Failed,
    Finished,
    FinishReason,
    Opened,
    Result,
    TextDelta,
    ToolArgumentsDelta,
    ToolCallOut,
    ToolCallStarted,
    Usage,
    UsageReported,
)
from reference_server._logprobs import from_provider
from reference_server._upstream_http import provider_message
from reference_server._upstream_route import Route, scrub

__all__ = [
    "ended_early",
    "in_stream_failure",
    "openai_events",
    "openai_finish",
    "parse_arguments",
    "result_from_openai",
]


def openai_finish(finish: Any) -> FinishReason:
    """A finish_reason the chat schema allows (`function_call` is the legacy name of tool_calls)."""
    if finish in ("stop", "length", "tool_calls", "content_filter"):
        return finish  # type: ignore[no-any-return]
    return "tool_calls" if finish == "function_call" else "stop"


def parse_arguments(arguments: str) -> dict[str, Any] | None:
    """Tool-call arguments as an object (`{}` for none); `None` when they are not a JSON object."""
    if not arguments.strip():
        return {}
    try:
        value = json.loads(arguments)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


def _text_of(content: Any) -> str:
    if isinstance(content, str):
        return content
    return "".join(p.get("text", "") for p in content if isinstance(p, dict) and p.get("type") == "text")


def result_from_openai(data: Any, route: Route) -> Result:
    """A chat.completion body; raises ValueError/TypeError/AttributeError when it is not one."""
    if not isinstance(data, dict) or not isinstance(data.get("choices"), list):
        raise ValueError("the answer is not a chat completion")
    choices = []
    for choice in sorted(data["choices"], key=lambda c: int(c.get("index", 0))):
        msg = choice.get("message") or {}
        calls = []
        for call in msg.get("tool_calls") or []:
            arguments = str((call.get("function") or {}).get("arguments") or "")
            calls.append(
                ToolCallOut(
                    id=str(call.get("id") or ""),
                    name=str((call.get("function") or {}).get("name", "")),
                    arguments=arguments,
                    input=parse_arguments(arguments),
                )
            )
        text = msg.get("content")
        choices.append(
            Answer(
                text=_text_of(text) if text is not None else None,
                tool_calls=tuple(calls),
                finish=openai_finish(choice.get("finish_reason")),
                logprobs=from_provider(choice.get("logprobs")),
            )
        )
    usage = data.get("usage") or {}
    fingerprint = data.get("system_fingerprint")
    return Result(
        choices=tuple(choices),
        usage=Usage(
            input_tokens=int(usage.get("prompt_tokens") or 0),
            output_tokens=int(usage.get("completion_tokens") or 0),
        ),
        executed_by=route.name,
        system_fingerprint=fingerprint if isinstance(fingerprint, str) else None,
    )


def in_stream_failure(route: Route, exc: Exception) -> Failed:
    """A transport failure or an unreadable event after the answer started."""
    if isinstance(exc, httpx.TimeoutException):
        return Failed(
            kind="timeout_error", message=f"LLM provider timeout: {route.name} stopped sending events."
        )
    return Failed(
        kind="llm_provider_error",
        message=f"LLM provider error: the {route.name} stream failed ({type(exc).__name__}).",
    )


def ended_early(route: Route) -> Failed:
    return Failed(
        kind="llm_provider_error", message=f"LLM provider error: the {route.name} stream ended early."
    )


async def openai_events(
    source: AsyncGenerator[tuple[str, str], None], route: Route, choices: int
) -> AsyncIterator[Event]:
    """Chunks as events. `source` gives (event name, data) per server-sent event."""
    started = set(range(choices))
    calls: set[tuple[int, int]] = set()
    finished = False
    try:
        yield Opened()
        for index in range(choices):  # B12: the role deltas go out before the provider's first token
            yield ChoiceStarted(choice=index)
        async for _, data in source:
            if data.strip() == "[DONE]":
                break
            chunk = json.loads(data)
            if not isinstance(chunk, dict):
                continue
            if chunk.get("error"):
                message = scrub(provider_message(data.encode()), route.key)
                yield Failed(
                    kind="llm_provider_error", message=f"LLM provider error: {route.name}: {message}"
                )
                return
            for choice in chunk.get("choices") or []:
                index = int(choice.get("index") or 0)
                if index not in started:
                    started.add(index)
                    yield ChoiceStarted(choice=index)
                delta = choice.get("delta") or {}
                content = delta.get("content")
                if isinstance(content, str) and content:
                    yield TextDelta(
                        choice=index, text=content, logprobs=from_provider(choice.get("logprobs"))
                    )
                for call in delta.get("tool_calls") or []:
                    number = int(call.get("index") or 0)
                    function = call.get("function") or {}
                    if (index, number) not in calls:
                        calls.add((index, number))
                        yield ToolCallStarted(
                            choice=index,
                            call=number,
                            id=str(call["id"]) if call.get("id") else None,
                            name=str(function.get("name") or ""),
                        )
                    arguments = function.get("arguments")
                    if isinstance(arguments, str) and arguments:
                        yield ToolArgumentsDelta(choice=index, call=number, fragment=arguments)
                if choice.get("finish_reason"):
                    finished = True
                    yield Finished(choice=index, reason=openai_finish(choice["finish_reason"]))
            usage = chunk.get("usage")
            if usage:
                yield UsageReported(
                    usage=Usage(
                        input_tokens=int(usage.get("prompt_tokens") or 0),
                        output_tokens=int(usage.get("completion_tokens") or 0),
                    )
                )
    except (httpx.HTTPError, ValueError) as exc:
        yield in_stream_failure(route, exc)
        return
    finally:
        await source.aclose()
    if not finished:
        yield ended_early(route)
