"""OpenAI chunk streams (wire-checklist section B), judged by ``_chat_stream``'s state machine."""

from __future__ import annotations

import json

from conformance._case import CaseSkipped, Level, case
from conformance._context import Context
from conformance.cases._common import (
    PARALLEL_PROMPT,
    chat_once,
    chat_stream,
    check,
    no_findings,
    streamed_tool_calls,
)

__all__: list[str] = []

P = "openai-stream"
CHUNK = "openapi.yaml#/components/schemas/ChatCompletionChunk"

STREAM_NEEDS = "an event stream (HTTP 200, text/event-stream) of chat.completion.chunk events"
_VARIANT_NEEDS = {
    "tools": " with a streamed tool call",
    "n2": " for choices 0 and 1",
    "parallel": " with two or more streamed tool calls",
}

# (id suffix, rule, variant, level, title, requirement, sources)
_RULES: list[tuple[str, str, str, Level, str, str, tuple[str, ...]]] = [
    (
        "schema",
        "schema",
        "basic",
        Level.MUST,
        "Every chunk matches ChatCompletionChunk",
        "Each data: payload validates against the ChatCompletionChunk schema.",
        (CHUNK,),
    ),
    (
        "schema-usage",
        "schema",
        "usage",
        Level.MUST,
        "Chunks with include_usage match the schema",
        "Each chunk, the usage chunk included, validates against ChatCompletionChunk.",
        (CHUNK, "B8"),
    ),
    (
        "headers",
        "B1",
        "basic",
        Level.SHOULD,
        "SSE headers: event-stream, no-cache, no buffering",
        "text/event-stream, Cache-Control no-cache, X-Accel-Buffering no, no Content-Length, no gzip.",
        ("B1",),
    ),
    (
        "framing",
        "B2",
        "basic",
        Level.MUST,
        "data: <one-line JSON> framing, no empty events",
        "Every event has exactly one data line holding JSON; keepalives are comments; no event without data.",
        ("B2", "I-11"),
    ),
    (
        "identity",
        "B3",
        "basic",
        Level.MUST,
        "Same id, created, model and object on every chunk",
        'Every chunk has the same id/created/model and object "chat.completion.chunk".',
        ("B3",),
    ),
    (
        "created-seconds",
        "A3",
        "basic",
        Level.SHOULD,
        "created is integer Unix seconds",
        "`created` on chunks is an integer of Unix seconds.",
        ("A3", "B3"),
    ),
    (
        "role-first-only",
        "B4",
        "basic",
        Level.MUST,
        "role only in the first delta",
        'The first delta of each choice has role "assistant"; no later delta repeats role.',
        ("B4", "I-2"),
    ),
    (
        "choice-keys",
        "B5",
        "basic",
        Level.SHOULD,
        "Choices carry index, delta, finish_reason, logprobs",
        "Every streamed choice includes index, delta, finish_reason (null until the end) and logprobs.",
        ("B5",),
    ),
    (
        "tool-call-fragments",
        "B6",
        "tools",
        Level.MUST,
        "Tool call fragments follow OpenAI's shape",
        "First fragment has index, id, type function and name; later ones only index and argument pieces; "
        "indexes 0-based and contiguous; arguments concatenate to JSON.",
        ("B6", "I-1", "I-2"),
    ),
    (
        "finish-chunk",
        "B7",
        "basic",
        Level.MUST,
        "One finish chunk with an empty delta per choice",
        "Each choice ends with one chunk whose delta is {} and whose finish_reason is set; nothing after it.",
        ("B7", "I-4"),
    ),
    (
        "finish-reason-enum",
        "A5",
        "basic",
        Level.MUST,
        "Streamed finish_reason in the enum",
        "finish_reason is one of stop|length|tool_calls|content_filter|function_call.",
        ("A5", "I-12"),
    ),
    (
        "usage-chunk",
        "B8",
        "usage",
        Level.MUST,
        "include_usage: usage:null, then one final usage chunk",
        "With include_usage every chunk has usage:null and one last chunk before [DONE] has choices:[] and usage.",
        ("B8", "D-CHAT-3.1", "I-3"),
    ),
    (
        "usage-totals",
        "A7",
        "usage",
        Level.SHOULD,
        "Usage chunk totals add up",
        "total_tokens = prompt_tokens + completion_tokens on the usage chunk.",
        ("A7", "B8"),
    ),
    (
        "no-usage-without-opt-in",
        "B8",
        "basic",
        Level.MUST,
        "No usage chunk without include_usage",
        "Without stream_options no chunk carries usage and no chunk has choices:[].",
        ("B8", "D-CHAT-3.1", "I-3"),
    ),
    (
        "no-usage-empty-options",
        "B8",
        "empty-options",
        Level.MUST,
        "No usage chunk for stream_options:{}",
        "stream_options:{} (include_usage absent) sends no usage chunk.",
        ("B8", "D-CHAT-3.1"),
    ),
    (
        "done-terminator",
        "B9",
        "basic",
        Level.MUST,
        "Ends with data: [DONE] and nothing after",
        "The stream ends with data: [DONE] followed by nothing.",
        ("B9", "I-4"),
    ),
    (
        "no-error-key",
        "B10",
        "basic",
        Level.MUST,
        "Normal chunks never carry a truthy error key",
        'A successful stream has no data: {"error":...} event.',
        ("B10",),
    ),
    (
        "n-first-chunk-index0",
        "B11",
        "n2",
        Level.MUST,
        "n>1: the first chunk includes choice 0",
        "With n=2 the first chunk includes choice index 0; each choice gets its own role and finish.",
        ("B11",),
    ),
    (
        "n-finish-each",
        "B7",
        "n2",
        Level.MUST,
        "n>1: every choice finishes",
        "With n=2 both choices end with their own finish chunk.",
        ("B7", "B11"),
    ),
    (
        "n-role-each",
        "B4",
        "n2",
        Level.MUST,
        "n>1: every choice gets one role delta",
        "With n=2 each choice's first delta has role assistant, and only that one.",
        ("B4", "B11"),
    ),
]


def _register(
    suffix: str, rule: str, variant: str, level: Level, title: str, req: str, sources: tuple[str, ...]
) -> None:
    def run(ctx: Context) -> None:
        st = chat_stream(ctx, variant)
        if rule == "B10":
            check(not st.errors, f"error events in a successful stream: {st.errors[:2]!r}")
            return
        no_findings(st, rule)

    body = {
        "basic": "stream:true",
        "usage": "stream:true, stream_options.include_usage:true",
        "empty-options": "stream:true, stream_options:{}",
        "tools": "stream:true with a tool, tool_choice required",
        "n2": "stream:true, n:2",
    }[variant]
    case(
        f"openai.chat.stream.{suffix}",
        level=level,
        profile=P,
        title=title,
        sends=f"POST /v1/chat/completions ({body})",
        needs=STREAM_NEEDS + _VARIANT_NEEDS.get(variant, ""),
        requirement=req,
        sources=sources,
    )(run)


for _row in _RULES:
    _register(*_row)


@case(
    "openai.chat.stream.content-matches-non-streaming",
    level=Level.SHOULD,
    profile=P,
    title="Streamed text equals the non-streaming text",
    sends="the same request with and without stream:true",
    needs=STREAM_NEEDS + " and a 200 JSON chat completion",
    requirement="The concatenated content deltas equal the non-streaming message content (deterministic target).",
    sources=("B4", "D-STR-4.3"),
)
def _same_text(ctx: Context) -> None:
    text = "".join(
        (c.get("delta") or {}).get("content") or ""
        for ch in chat_stream(ctx).chunks
        for c in ch.get("choices") or []
    )
    choices = chat_once(ctx).json().get("choices") or [{}]
    full = str((choices[0].get("message") or {}).get("content"))
    check(text == full, f"streamed {text[:80]!r}... != non-streamed {full[:80]!r}...")


@case(
    "openai.chat.stream.incremental",
    level=Level.SHOULD,
    profile=P,
    live_only=True,
    title="Events are flushed as they are produced",
    sends="POST /v1/chat/completions (stream:true), reading raw socket chunks with timestamps",
    needs=STREAM_NEEDS + " that takes longer than 50 ms",
    requirement="The stream arrives in more than one network read (no whole-body buffering).",
    sources=("B1", "B12"),
)
def _incremental(ctx: Context) -> None:
    if ctx.target.replaying or ctx.target.recording:
        raise CaseSkipped("timing is not observable under --record/--replay (vcrpy buffers streams)")
    ex = chat_stream(ctx).exchange
    if len(ex.chunks) <= 1 and ex.elapsed < 0.05:
        raise CaseSkipped("the whole stream arrived within 50 ms; too fast to observe flushing")
    check(len(ex.chunks) > 1, f"the stream arrived in one read after {ex.elapsed:.2f}s")


@case(
    "openai.chat.stream.parallel-tool-calls",
    level=Level.SHOULD,
    profile=P,
    title="Parallel tool calls streamed: one index and one id per call",
    sends=f"POST /v1/chat/completions (stream:true) asking {PARALLEL_PROMPT!r} with get_weather, tool_choice "
    "required; and the same request without stream",
    needs=STREAM_NEEDS + _VARIANT_NEEDS["parallel"] + ", and a 200 JSON chat completion",
    requirement="The fragments follow B6 for each call; the calls differ in index (0, 1, ... contiguous) and in "
    "id (distinct call_*); each call's name and JSON arguments match the non-streaming answer's calls, in order.",
    sources=("B6", "T1", "T3"),
)
def _parallel(ctx: Context) -> None:
    st = chat_stream(ctx, "parallel")
    no_findings(st, "B6")
    calls = streamed_tool_calls(st)
    check(
        sorted(calls, key=str) == list(range(len(calls))),
        f"tool call indexes {sorted(calls, key=str)}, expected 0..{len(calls) - 1}",
    )
    ids = [c["id"] for c in calls.values()]
    check(
        len(set(ids)) == len(ids) and all(isinstance(i, str) and i.startswith("call_") for i in ids),
        f"streamed tool call ids {ids} (each a distinct call_* string)",
    )
    streamed = [(c["name"], _json(c["arguments"])) for _, c in sorted(calls.items())]
    choices = chat_once(ctx, "parallel").json().get("choices") or [{}]
    plain = [
        ((tc.get("function") or {}).get("name"), _json((tc.get("function") or {}).get("arguments")))
        for tc in (choices[0].get("message") or {}).get("tool_calls") or []
    ]
    check(streamed == plain, f"streamed calls {streamed} differ from the non-streaming calls {plain}")


def _json(text: object) -> object:
    try:
        return json.loads(text) if isinstance(text, str) else text
    except ValueError:
        return text
