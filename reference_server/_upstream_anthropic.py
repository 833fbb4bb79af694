"""Anthropic Messages answers as a `Result` or as stream events (D-EXEC-1, wire-checklist G9, G10, G12).

A message keeps its block order (`Answer.order`, D-THINK-5: interleaved thinking can follow a
tool_use). The stream opens (`Opened`, with the provider's input usage) on the provider's `message_start`;
thinking blocks become thinking deltas and their signature (`redacted_thinking` its data), text
and `tool_use` blocks text deltas and tool calls, `message_delta` the finish, `message_stop` the
final usage. Blocks the event model has no words for (server tools) are skipped. An `error` event, a transport failure or a stream without `message_stop` is
`Failed`.
"""

from __future__ import annotations

import json
from collections.abc import AsyncGenerator, AsyncIterator, Mapping
from typing import Any

import httpx

from reference_server._execution import (
    Answer,
    BlockKind,
    ChoiceStarted,
    Event,
    Failed,
    Finished,
    FinishReason,
    Opened,
    RedactedThinking,
    Result,
    TextDelta,
    ThinkingDelta,
    ThinkingOut,
    ThinkingSigned,
    ToolArgumentsDelta,
    ToolCallOut,
    ToolCallStarted,
    Usage,
    UsageReported,
)
from reference_server._upstream_openai import ended_early, in_stream_failure
from reference_server._upstream_route import Route, scrub

__all__ = ["anthropic_events", "anthropic_finish", "result_from_anthropic"]


def anthropic_finish(stop_reason: str | None) -> FinishReason:
    """Anthropic stop_reason -> finish reason (wire-checklist G9; `refusal` is `content_filter`)."""
    finish: FinishReason = {  # type: ignore[assignment]
        "max_tokens": "length",
        "tool_use": "tool_calls",
        "refusal": "content_filter",
        "model_context_window_exceeded": "length",
    }.get(stop_reason or "", "stop")
    return finish


def _usage(usage: Mapping[str, Any], output: int | None = None) -> Usage:
    return Usage(
        input_tokens=int(usage.get("input_tokens") or 0),
        output_tokens=int(usage.get("output_tokens") or 0) if output is None else output,
        cache_read_tokens=int(usage.get("cache_read_input_tokens") or 0),
        cache_creation_tokens=int(usage.get("cache_creation_input_tokens") or 0),
    )


def result_from_anthropic(data: Any, route: Route) -> Result:
    """A Messages API `message` body; raises ValueError/TypeError/AttributeError when it is not one."""
    if not isinstance(data, dict) or not isinstance(data.get("content"), list):
        raise ValueError("the answer is not a message")
    texts, calls, thinking = [], [], []
    order: list[BlockKind] = []
    for block in data["content"]:
        kind = block.get("type")
        if kind in ("thinking", "redacted_thinking"):
            order.append("thinking")
        elif kind in ("text", "tool_use"):
            order.append(kind)
        if block.get("type") == "thinking":
            thinking.append(
                ThinkingOut(text=str(block.get("thinking", "")), signature=str(block.get("signature", "")))
            )
        elif block.get("type") == "redacted_thinking":
            thinking.append(ThinkingOut(text="", signature=str(block.get("data", "")), redacted=True))
        elif block.get("type") == "text":
            texts.append(str(block.get("text", "")))
        elif block.get("type") == "tool_use":
            given = block.get("input") or {}
            calls.append(
                ToolCallOut(
                    id=str(block.get("id", "")),
                    name=str(block.get("name", "")),
                    arguments=json.dumps(given, separators=(",", ":"), ensure_ascii=False),
                    input=given if isinstance(given, dict) else None,
                )
            )
    stop = data.get("stop_reason")
    answer = Answer(
        text="".join(texts) if texts else None,
        tool_calls=tuple(calls),
        finish=anthropic_finish(stop),
        stop_sequence=data.get("stop_sequence") if stop == "stop_sequence" else None,
        thinking=tuple(thinking),
        order=tuple(order),
        text_blocks=tuple(texts),
    )
    return Result(choices=(answer,), usage=_usage(data.get("usage") or {}), executed_by=route.name)


async def anthropic_events(
    source: AsyncGenerator[tuple[str, str], None], route: Route
) -> AsyncIterator[Event]:
    """Anthropic's events as events. `source` gives (event name, data) per server-sent event."""
    usage: dict[str, Any] = {}
    output = 0
    call = -1
    try:
        yield ChoiceStarted(choice=0)  # B12: a chat client gets its role delta before the first token
        async for name, data in source:
            event = json.loads(data)
            kind = str(event.get("type") or name)
            if kind == "message_start":
                usage = dict((event.get("message") or {}).get("usage") or {})
                yield Opened(usage=_usage(usage))
            elif kind == "content_block_start":
                block = event.get("content_block") or {}
                if block.get("type") == "tool_use":
                    call += 1
                    yield ToolCallStarted(
                        choice=0,
                        call=call,
                        id=str(block.get("id") or "") or None,
                        name=str(block.get("name") or ""),
                    )
                elif block.get("type") == "text" and block.get("text"):
                    yield TextDelta(choice=0, text=str(block["text"]))
                elif block.get("type") == "redacted_thinking":
                    yield RedactedThinking(choice=0, data=str(block.get("data") or ""))
            elif kind == "content_block_delta":
                delta = event.get("delta") or {}
                if delta.get("type") == "text_delta" and delta.get("text"):
                    yield TextDelta(choice=0, text=str(delta["text"]))
                elif delta.get("type") == "input_json_delta" and delta.get("partial_json"):
                    yield ToolArgumentsDelta(choice=0, call=call, fragment=str(delta["partial_json"]))
                elif delta.get("type") == "thinking_delta" and delta.get("thinking"):
                    yield ThinkingDelta(choice=0, text=str(delta["thinking"]))
                elif delta.get("type") == "signature_delta":
                    yield ThinkingSigned(choice=0, signature=str(delta.get("signature") or ""))
            elif kind == "message_delta":
                reported = event.get("usage") or {}
                output = int(reported.get("output_tokens") or output)
                usage.update({k: v for k, v in reported.items() if k != "output_tokens"})
                stop = (event.get("delta") or {}).get("stop_reason")
                sequence = (
                    (event.get("delta") or {}).get("stop_sequence") if stop == "stop_sequence" else None
                )
                yield Finished(choice=0, reason=anthropic_finish(stop), stop_sequence=sequence)
            elif kind == "message_stop":
                yield UsageReported(usage=_usage(usage, output))
                return
            elif kind == "error":
                err = event.get("error") or {}
                kind_name = str(err.get("type", "error"))
                message = scrub(str(err.get("message", "")), route.key)
                yield Failed(
                    kind="llm_provider_error",
                    message=f"LLM provider error: {route.name}: {kind_name}: {message}",
                    provider_type=kind_name,
                )
                return
    except (httpx.HTTPError, ValueError) as exc:
        yield in_stream_failure(route, exc)
        return
    finally:
        await source.aclose()
    yield ended_early(route)
