"""The OpenAI dialect at the edge: a `Result` as a chat completion, events as chunks (wire-checklist A, B).

Chunks follow `ChatCompletionChunk.json`'s order rules: a role delta first per choice, text deltas, a
tool call's header (`id`, `type`, `name`, `arguments: ""`) then its argument fragments, and the finish
on an empty delta; with `include_usage` every chunk has `usage: null` and a last `choices: []` chunk
carries the usage. `stratus` rides on the first and on the last chunk (D-STR-1): a finish or usage
chunk is held until the next one arrives, since it may be the last. With `logprobs` a text delta
carries its own tokens' entries (D-LOGP-1); `system_fingerprint` is on every chunk (D-SEED-1).
Thinking is not part of the OpenAI dialect and is left out.
"""

from __future__ import annotations

import contextlib
import secrets
import time
from collections.abc import AsyncGenerator, AsyncIterator, Callable

import msgspec

from reference_server._execution import (
    ChoiceStarted,
    Event,
    Failed,
    Finished,
    Opened,
    Result,
    TextDelta,
    ToolArgumentsDelta,
    ToolCallStarted,
    Usage,
    UsageReported,
)
from reference_server._logprobs import TokenLogprob as TokenLogprobOut
from reference_server._sse import openai_frame
from reference_server._wire._chat import (
    ChatCompletionChunk,
    ChatCompletionResponse,
    Choice,
    ChoiceLogprobs,
    ChunkChoice,
    ChunkDelta,
    ChunkFunctionDelta,
    ChunkToolCallDelta,
    CompletionUsage,
    ResponseFunctionCall,
    ResponseMessage,
    ResponseToolCall,
    TokenLogprob,
    TopLogprob,
)
from reference_server._wire._common import StratusMetadata
from reference_server._wire._other import OpenAIError

__all__ = ["MOCK_STREAM_ERROR", "chat_chunks", "chat_response", "completion_id"]

MOCK_STREAM_ERROR = openai_frame(
    {
        "error": OpenAIError(
            message="Mock stream error requested with X-Stratus-Mock-Stream-Error.",
            type="internal_error",
            param=None,
            code="internal_error",
        )
    }
)
"""The in-stream error `X-Stratus-Mock-Stream-Error` asks for (D-MOCK-1); `[DONE]` follows."""


def completion_id() -> str:
    return "stratus-chatcmpl-" + secrets.token_hex(12)


def _usage(usage: Usage) -> CompletionUsage:
    prompt = usage.prompt_tokens
    return CompletionUsage(
        prompt_tokens=prompt, completion_tokens=usage.output_tokens, total_tokens=prompt + usage.output_tokens
    )


def _bytes(value: tuple[int, ...] | None) -> list[int] | None:
    return list(value) if value is not None else None


def _logprobs(entries: tuple[TokenLogprobOut, ...] | None, text: str | None) -> ChoiceLogprobs | None:
    if entries is None:
        return None
    if not entries and not text:
        return ChoiceLogprobs(content=None if text is None else [])
    return ChoiceLogprobs(
        content=[
            TokenLogprob(
                token=e.token,
                logprob=e.logprob,
                bytes=_bytes(e.bytes),
                top_logprobs=[
                    TopLogprob(token=t.token, logprob=t.logprob, bytes=_bytes(t.bytes)) for t in e.top
                ],
            )
            for e in entries
        ]
    )


def chat_response(result: Result, stratus: StratusMetadata, model: str) -> ChatCompletionResponse:
    """A `chat.completion` (`model` echoes the requested id, D-MOD-3)."""
    choices = []
    for i, answer in enumerate(result.choices):
        calls = [
            ResponseToolCall(
                id=c.id, type="function", function=ResponseFunctionCall(name=c.name, arguments=c.arguments)
            )
            for c in answer.tool_calls
        ]
        message = ResponseMessage(role="assistant", content=answer.text if answer.text or not calls else None)
        if calls:
            message.tool_calls = calls
        choices.append(
            Choice(
                index=i,
                message=message,
                finish_reason=answer.finish,
                logprobs=_logprobs(answer.logprobs, message.content),
            )
        )
    return ChatCompletionResponse(
        id=completion_id(),
        object="chat.completion",
        created=int(time.time()),
        model=model,
        choices=choices,
        usage=_usage(result.usage),
        system_fingerprint=result.system_fingerprint,
        stratus=stratus,
    )


def _error_frame(failure: Failed) -> bytes:
    error = OpenAIError(message=failure.message, type=failure.kind, param=None, code=failure.kind)
    return openai_frame({"error": error})


async def chat_chunks(
    events: AsyncGenerator[Event, None],
    stratus: Callable[[], StratusMetadata],
    model: str,
    *,
    include_usage: bool,
) -> AsyncIterator[bytes]:
    """The chunks of a streamed chat completion (without the closing `[DONE]`)."""
    cid, created = completion_id(), int(time.time())
    null_usage: CompletionUsage | msgspec.UnsetType | None = None if include_usage else msgspec.UNSET
    first = True
    held: ChatCompletionChunk | None = None
    fingerprint: str | None = None

    def chunk(choices: list[ChunkChoice]) -> ChatCompletionChunk:
        nonlocal first
        out = ChatCompletionChunk(
            id=cid,
            object="chat.completion.chunk",
            created=created,
            model=model,
            choices=choices,
            usage=null_usage,
            system_fingerprint=fingerprint,
        )
        if first:
            out.stratus, first = stratus(), False
        return out

    def delta(index: int, value: ChunkDelta) -> ChatCompletionChunk:
        return chunk([ChunkChoice(index=index, delta=value, finish_reason=None)])

    async with contextlib.aclosing(events):
        async for event in events:
            out: ChatCompletionChunk | None = None
            last = False
            if isinstance(event, Opened):
                fingerprint = event.system_fingerprint
            elif isinstance(event, ChoiceStarted):
                out = delta(event.choice, ChunkDelta(role="assistant", content=""))
            elif isinstance(event, TextDelta):
                out = chunk(
                    [
                        ChunkChoice(
                            index=event.choice,
                            delta=ChunkDelta(content=event.text),
                            finish_reason=None,
                            logprobs=_logprobs(event.logprobs, event.text),
                        )
                    ]
                )
            elif isinstance(event, ToolCallStarted):
                header = ChunkToolCallDelta(
                    index=event.call, function=ChunkFunctionDelta(name=event.name, arguments="")
                )
                if event.id is not None:
                    header.id, header.type = event.id, "function"
                out = delta(event.choice, ChunkDelta(tool_calls=[header]))
            elif isinstance(event, ToolArgumentsDelta):
                piece = ChunkToolCallDelta(
                    index=event.call, function=ChunkFunctionDelta(arguments=event.fragment)
                )
                out = delta(event.choice, ChunkDelta(tool_calls=[piece]))
            elif isinstance(event, Finished):
                out = chunk([ChunkChoice(index=event.choice, delta=ChunkDelta(), finish_reason=event.reason)])
                last = True
            elif isinstance(event, UsageReported) and include_usage:
                out = chunk([])
                out.usage = _usage(event.usage)
                last = True
            elif isinstance(event, Failed):
                if held is not None:
                    yield openai_frame(held)
                yield _error_frame(event)
                return
            if out is None:
                continue
            if held is not None:
                yield openai_frame(held)
                held = None
            if last:
                held = out
            else:
                yield openai_frame(out)
    if held is not None:
        held.stratus = stratus()
        yield openai_frame(held)
