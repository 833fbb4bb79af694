"""The Anthropic dialect at the edge: a `Result` as a message, events as Anthropic's event grammar
(wire-checklist D, E, G12).

`message_start` (usage as known at the start, `stratus`), then one content block open at a time:
a `thinking` block (empty `thinking` and `signature`, then `thinking_delta`s and one
`signature_delta` before its stop, D-THINK-1) or a `redacted_thinking` block, a text block, or a
`tool_use` block starting with `input: {}` and an empty `input_json_delta`; one
`ping` after the first `content_block_start` (or before `message_delta` when there is no block);
`message_delta` with the stop reason, the usage and the final `stratus` (D-STR-1), `message_stop`.
Only choice 0 is a message.
"""

from __future__ import annotations

import contextlib
import secrets
from collections.abc import AsyncGenerator, AsyncIterator, Callable
from typing import Any

from reference_server._errors import ApiError
from reference_server._execution import (
    Answer,
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
    ToolCallStarted,
    Usage,
    UsageReported,
)
from reference_server._sse import anthropic_frame
from reference_server._wire._common import StratusMetadata
from reference_server._wire._messages import (
    ContentBlockDeltaEvent,
    ContentBlockStartEvent,
    ContentBlockStopEvent,
    ErrorEvent,
    InputJSONDelta,
    MessageDelta,
    MessageDeltaEvent,
    MessageDeltaUsage,
    MessagesResponse,
    MessageStartEvent,
    MessageStartMessage,
    MessageStopEvent,
    MessagesUsage,
    OutBlock,
    OutRedactedThinkingBlock,
    OutTextBlock,
    OutThinkingBlock,
    OutToolUseBlock,
    PingEvent,
    SignatureDelta,
    StopReason,
    StreamErrorDetail,
)
from reference_server._wire._messages import (
    TextDelta as TextDeltaWire,
)
from reference_server._wire._messages import (
    ThinkingDelta as ThinkingDeltaWire,
)

__all__ = ["MOCK_STREAM_ERROR", "message_events", "message_id", "messages_response", "stop_reason"]

MOCK_STREAM_ERROR = anthropic_frame(
    "error",
    ErrorEvent(error=StreamErrorDetail(type="overloaded_error", message="Overloaded (mock stream error).")),
)
"""The in-stream error `X-Stratus-Mock-Stream-Error` asks for (D-MOCK-1)."""

_STOP_REASONS: dict[str, StopReason] = {
    "stop": "end_turn",
    "length": "max_tokens",
    "tool_calls": "tool_use",
    "content_filter": "end_turn",  # the spec's enum has no `refusal` (G9)
}


def message_id() -> str:
    return "msg_" + secrets.token_hex(12)


def stop_reason(finish: FinishReason | None, stop_sequence: str | None) -> StopReason:
    return "stop_sequence" if stop_sequence is not None else _STOP_REASONS.get(finish or "stop", "end_turn")


def messages_response(result: Result, stratus: StratusMetadata, model: str) -> MessagesResponse:
    """A `message` (`model` echoes the requested id, D-MOD-3); 502 for a provider answer that is not one."""
    if not result.choices:
        raise ApiError(502, f"LLM provider error: {result.executed_by} answered with an unexpected body.")
    answer = result.choices[0]
    if any(call.input is None for call in answer.tool_calls):  # the arguments were not a JSON object
        raise ApiError(502, f"LLM provider error: {result.executed_by} answered with an unexpected body.")
    content = _in_order(answer) if answer.order else _content(answer)
    reason = stop_reason(answer.finish, answer.stop_sequence)
    return MessagesResponse(
        id=message_id(),
        type="message",
        role="assistant",
        content=content,
        model=model,
        stop_reason=reason,
        stop_sequence=answer.stop_sequence if reason == "stop_sequence" else None,
        usage=MessagesUsage(
            input_tokens=result.usage.prompt_tokens, output_tokens=result.usage.output_tokens
        ),
        stratus=stratus,
    )


def _content(answer: Answer) -> list[OutBlock]:
    content: list[OutBlock] = [_thinking_block(t) for t in answer.thinking]
    if answer.text:
        content.append(OutTextBlock(text=answer.text))
    content += [OutToolUseBlock(id=c.id, name=c.name, input=c.input or {}) for c in answer.tool_calls]
    return content


def _in_order(answer: Answer) -> list[OutBlock]:
    """A provider's blocks in the order it sent them (D-THINK-5)."""
    thinking, texts, calls = iter(answer.thinking), iter(answer.text_blocks), iter(answer.tool_calls)
    content: list[OutBlock] = []
    for kind in answer.order:
        if kind == "thinking":
            content.append(_thinking_block(next(thinking)))
        elif kind == "text":
            content.append(OutTextBlock(text=next(texts)))
        else:
            call = next(calls)
            content.append(OutToolUseBlock(id=call.id, name=call.name, input=call.input or {}))
    return content


def _thinking_block(thinking: ThinkingOut) -> OutThinkingBlock | OutRedactedThinkingBlock:
    if thinking.redacted:
        return OutRedactedThinkingBlock(data=thinking.signature)
    return OutThinkingBlock(thinking=thinking.text, signature=thinking.signature)


def _error_frame(failure: Failed) -> bytes:
    kind = failure.provider_type or ("timeout_error" if failure.kind == "timeout_error" else "api_error")
    return anthropic_frame("error", ErrorEvent(error=StreamErrorDetail(type=kind, message=failure.message)))


class _Blocks:
    """Content blocks of the stream: one open at a time, indexes 0, 1, 2, ..."""

    def __init__(self, mid: str) -> None:
        self.mid = mid
        self.index = -1
        self.open: tuple[str, int] | None = None
        """("thinking", 0), ("text", 0) or ("tool_use", call number)."""
        self.pinged = False

    def _start(self, kind: tuple[str, int], block: OutBlock) -> list[tuple[str, Any]]:
        out = self.close()
        self.index += 1
        self.open = kind
        out.append(("content_block_start", ContentBlockStartEvent(index=self.index, content_block=block)))
        if not self.pinged:
            self.pinged = True
            out.append(("ping", PingEvent()))
        return out

    def close(self) -> list[tuple[str, Any]]:
        if self.open is None:
            return []
        self.open = None
        return [("content_block_stop", ContentBlockStopEvent(index=self.index))]

    def thinking(self, text: str) -> list[tuple[str, Any]]:
        out = (
            []
            if self.open == ("thinking", 0)
            else self._start(("thinking", 0), OutThinkingBlock(thinking="", signature=""))
        )
        delta = ContentBlockDeltaEvent(index=self.index, delta=ThinkingDeltaWire(thinking=text))
        return [*out, ("content_block_delta", delta)]

    def signed(self, signature: str) -> list[tuple[str, Any]]:
        """The signature ends the thinking block (one with no deltas, `display: omitted`, opens here)."""
        out = (
            []
            if self.open == ("thinking", 0)
            else self._start(("thinking", 0), OutThinkingBlock(thinking="", signature=""))
        )
        delta = ContentBlockDeltaEvent(index=self.index, delta=SignatureDelta(signature=signature))
        return [*out, ("content_block_delta", delta), *self.close()]

    def redacted(self, data: str) -> list[tuple[str, Any]]:
        return [*self._start(("redacted_thinking", 0), OutRedactedThinkingBlock(data=data)), *self.close()]

    def text(self, text: str) -> list[tuple[str, Any]]:
        out = [] if self.open == ("text", 0) else self._start(("text", 0), OutTextBlock(text=""))
        out.append(
            ("content_block_delta", ContentBlockDeltaEvent(index=self.index, delta=TextDeltaWire(text=text)))
        )
        return out

    def tool_call(self, call: int, call_id: str | None, name: str) -> list[tuple[str, Any]]:
        block = OutToolUseBlock(id=call_id or f"toolu_{self.mid[4:]}_{call}", name=name, input={})
        return [*self._start(("tool_use", call), block), self._arguments("")]

    def arguments(self, call: int, fragment: str) -> list[tuple[str, Any]]:
        out = [] if self.open == ("tool_use", call) else self.tool_call(call, None, "")
        return [*out, self._arguments(fragment)]

    def _arguments(self, fragment: str) -> tuple[str, Any]:
        return (
            "content_block_delta",
            ContentBlockDeltaEvent(index=self.index, delta=InputJSONDelta(partial_json=fragment)),
        )


async def message_events(
    events: AsyncGenerator[Event, None],
    stratus: Callable[[], StratusMetadata],
    model: str,
    *,
    prompt_tokens: int,
) -> AsyncIterator[bytes]:
    """The events of a streamed message. `prompt_tokens` stands in for the input usage when the
    executor reports none at the start."""
    mid = message_id()
    blocks = _Blocks(mid)
    finish: FinishReason | None = None
    sequence: str | None = None
    usage = Usage()
    async with contextlib.aclosing(events):
        async for event in events:
            out: list[tuple[str, Any]] = []
            if isinstance(event, Opened):
                start = event.usage or Usage(input_tokens=prompt_tokens)
                message = MessageStartMessage(
                    id=mid,
                    type="message",
                    role="assistant",
                    content=(),
                    model=model,
                    stop_reason=None,
                    stop_sequence=None,
                    usage=MessagesUsage(
                        input_tokens=start.input_tokens,
                        output_tokens=start.output_tokens,
                        cache_creation_input_tokens=start.cache_creation_tokens,
                        cache_read_input_tokens=start.cache_read_tokens,
                    ),
                    stratus=stratus(),
                )
                out.append(("message_start", MessageStartEvent(message=message)))
            elif isinstance(event, Failed):
                yield _error_frame(event)
                return
            elif isinstance(event, UsageReported):
                usage = event.usage
            elif getattr(event, "choice", 0) != 0:
                continue
            elif isinstance(event, ThinkingDelta):
                out = blocks.thinking(event.text)
            elif isinstance(event, ThinkingSigned):
                out = blocks.signed(event.signature)
            elif isinstance(event, RedactedThinking):
                out = blocks.redacted(event.data)
            elif isinstance(event, TextDelta):
                out = blocks.text(event.text)
            elif isinstance(event, ToolCallStarted):
                out = blocks.tool_call(event.call, event.id, event.name)
            elif isinstance(event, ToolArgumentsDelta):
                out = blocks.arguments(event.call, event.fragment)
            elif isinstance(event, Finished):
                out = blocks.close()
                finish, sequence = event.reason, event.stop_sequence
            for name, payload in out:
                yield anthropic_frame(name, payload)
    tail = blocks.close()
    if not blocks.pinged:
        tail.append(("ping", PingEvent()))
    delta = MessageDeltaEvent(
        delta=MessageDelta(stop_reason=stop_reason(finish, sequence), stop_sequence=sequence),
        usage=MessageDeltaUsage(output_tokens=usage.output_tokens, input_tokens=usage.prompt_tokens),
        stratus=stratus(),
    )
    tail += [("message_delta", delta), ("message_stop", MessageStopEvent())]
    for name, payload in tail:
        yield anthropic_frame(name, payload)
