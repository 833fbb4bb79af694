"""Anthropic event streams (wire-checklist section E), judged by ``_messages_stream``."""

from __future__ import annotations

from conformance._case import Level, case
from conformance._context import Context
from conformance.cases._common import PARALLEL_PROMPT, check, messages_once, messages_stream, no_findings

__all__: list[str] = []

P = "anthropic-stream"
EV = "openapi.yaml#/components/schemas/MessagesStreamEvent"
STREAM_NEEDS = "an event stream (HTTP 200, text/event-stream) of Anthropic events"
_VARIANT_NEEDS = {"tools": " with a tool_use block", "parallel": " with two or more tool_use blocks"}

_RULES: list[tuple[str, str, str, Level, str, str, tuple[str, ...]]] = [
    (
        "schema",
        "schema",
        "basic",
        Level.MUST,
        "Every event matches MessagesStreamEvent",
        "Each event's data validates against the MessagesStreamEvent schema.",
        (EV,),
    ),
    (
        "schema-tools",
        "schema",
        "tools",
        Level.MUST,
        "Tool-use stream events match the schema",
        "Each event of a tool_use stream validates against MessagesStreamEvent.",
        (EV,),
    ),
    (
        "event-names",
        "E1",
        "basic",
        Level.MUST,
        "Every event has event: <name> equal to data.type",
        "Each SSE event carries an event: line whose name equals the JSON type.",
        ("E1", "I-5", "D-MSG-3.1"),
    ),
    (
        "order",
        "E2",
        "basic",
        Level.MUST,
        "message_start, blocks, message_delta, message_stop",
        "Events follow message_start (block_start delta* block_stop)* message_delta message_stop.",
        ("E2",),
    ),
    (
        "message-start",
        "E3",
        "basic",
        Level.MUST,
        "message_start carries a full empty Message with usage",
        "message_start.message has type, role, content [], stop_reason/stop_sequence null and usage with both counts.",
        ("E3", "I-6"),
    ),
    (
        "block-indexes",
        "E4",
        "basic",
        Level.MUST,
        "Block indexes 0,1,2... one open at a time",
        "content_block indexes count from 0 in start order, one block open at a time, deltas match the block type.",
        ("E4",),
    ),
    (
        "block-indexes-tools",
        "E4",
        "tools",
        Level.MUST,
        "Tool stream: indexes and delta types",
        "In a tool_use stream, indexes count from 0 and input_json_delta appears only in tool_use blocks.",
        ("E4",),
    ),
    (
        "tool-input-deltas",
        "E5",
        "tools",
        Level.MUST,
        "tool_use input streamed as JSON deltas",
        "tool_use starts with input {} and input_json_delta pieces concatenate to a JSON object.",
        ("E5", "I-10"),
    ),
    (
        "block-stops",
        "E6",
        "basic",
        Level.MUST,
        "Every started block is stopped before message_delta",
        "A content_block_stop is sent for each started block before message_delta.",
        ("E6",),
    ),
    (
        "message-delta",
        "E7",
        "basic",
        Level.MUST,
        "message_delta stop_reason and cumulative output_tokens",
        "message_delta has a non-null stop_reason, stop_sequence, and usage.output_tokens.",
        ("E7",),
    ),
    (
        "message-delta-tools",
        "E7",
        "tools",
        Level.MUST,
        "message_delta in a tool stream",
        "message_delta in a tool_use stream has stop_reason and usage.output_tokens.",
        ("E7",),
    ),
    (
        "message-stop-last",
        "E8",
        "basic",
        Level.MUST,
        "message_stop is last; no [DONE]",
        "message_stop ends the stream; no data: [DONE] and nothing after it.",
        ("E8", "D-MSG-3.1"),
    ),
    (
        "ping-data",
        "E9",
        "basic",
        Level.MUST,
        "ping events carry data",
        'Every event has data; ping is data {"type": "ping"}.',
        ("E9", "I-11"),
    ),
    (
        "no-error-event",
        "E10",
        "basic",
        Level.MUST,
        "No error event in a successful stream",
        "A successful stream carries no event: error.",
        ("E10",),
    ),
    (
        "has-content-block",
        "E11",
        "basic",
        Level.SHOULD,
        "At least one content block",
        "The stream has at least one content block when output tokens were billed.",
        ("E11",),
    ),
    (
        "headers",
        "E12",
        "basic",
        Level.SHOULD,
        "SSE headers and request-id",
        "text/event-stream, no-cache, X-Accel-Buffering no, no Content-Length, request-id req_*.",
        ("E12", "D8"),
    ),
    (
        "single-ping",
        "D-MSG-3",
        "basic",
        Level.SHOULD,
        "One ping after the first content_block_start",
        "Exactly one ping after the first content_block_start, like the real API.",
        ("D-MSG-3.2",),
    ),
]


def _register(
    suffix: str, rule: str, variant: str, level: Level, title: str, req: str, sources: tuple[str, ...]
) -> None:
    def run(ctx: Context) -> None:
        no_findings(messages_stream(ctx, variant), rule)

    sends = {"basic": "stream:true", "tools": 'stream:true with a tool and tool_choice {"type":"any"}'}[
        variant
    ]
    case(
        f"anthropic.messages.stream.{suffix}",
        level=level,
        profile=P,
        title=title,
        sends=f"POST /v1/messages ({sends})",
        needs=STREAM_NEEDS + _VARIANT_NEEDS.get(variant, ""),
        requirement=req,
        sources=sources,
    )(run)


for _row in _RULES:
    _register(*_row)


@case(
    "anthropic.messages.stream.tool-stop-reason",
    level=Level.MUST,
    profile=P,
    title="tool_use stream ends with stop_reason tool_use",
    sends='POST /v1/messages (stream:true, tool_choice {"type":"any"})',
    needs=STREAM_NEEDS + _VARIANT_NEEDS["tools"],
    requirement='A stream with a tool_use block has message_delta stop_reason "tool_use".',
    sources=("E7", "I-7"),
)
def _tool_stop(ctx: Context) -> None:
    st = messages_stream(ctx, "tools")
    deltas = st.of_type("message_delta")
    check(deltas, "no message_delta")
    check((deltas[-1].get("delta") or {}).get("stop_reason") == "tool_use", f"message_delta={deltas[-1]!r}")
    check(st.of_type("content_block_start"), "no content blocks")


@case(
    "anthropic.messages.stream.text-matches-non-streaming",
    level=Level.SHOULD,
    profile=P,
    title="Streamed text equals the non-streaming text",
    sends="the same request with and without stream:true",
    needs=STREAM_NEEDS + " and a 200 JSON Message",
    requirement="Concatenated text_delta pieces equal the non-streaming text (deterministic target).",
    sources=("E4", "D-STR-4.3"),
)
def _same(ctx: Context) -> None:
    content = messages_once(ctx).json().get("content")
    blocks = content if isinstance(content, list) else []
    full = "".join(str(b.get("text", "")) for b in blocks if isinstance(b, dict) and b.get("type") == "text")
    got = messages_stream(ctx).text
    check(got == full, f"streamed {got[:80]!r}... != {full[:80]!r}...")


@case(
    "anthropic.messages.stream.parallel-tool-use",
    level=Level.SHOULD,
    profile=P,
    title="Parallel tool use streamed: one block per call",
    sends=f"POST /v1/messages (stream:true) asking {PARALLEL_PROMPT!r} with get_weather, tool_choice "
    '{"type":"any"}; and the same request without stream',
    needs=STREAM_NEEDS + _VARIANT_NEEDS["parallel"] + ", and a 200 JSON Message",
    requirement="Each tool_use block follows E4/E5 on its own: its own index (0, 1, ... in start order), "
    "input {} at the start, its own input_json_delta pieces that concatenate to its own object; the blocks "
    "differ in id; their names and inputs match the non-streaming answer's tool_use blocks, in order.",
    sources=("E4", "E5", "T1", "T3"),
)
def _parallel(ctx: Context) -> None:
    st = messages_stream(ctx, "parallel")
    for rule in ("E4", "E5"):
        no_findings(st, rule)
    starts = [
        ev
        for ev in st.of_type("content_block_start")
        if (ev.get("content_block") or {}).get("type") == "tool_use"
    ]
    ids = [(ev.get("content_block") or {}).get("id") for ev in starts]
    check(len(set(ids)) == len(ids), f"streamed tool_use ids {ids} repeat")
    streamed = [
        ((ev.get("content_block") or {}).get("name"), st.tool_inputs[i]) for i, ev in enumerate(starts)
    ]
    content = messages_once(ctx, "parallel").json().get("content") or []
    plain = [
        (b.get("name"), b.get("input"))
        for b in content
        if isinstance(b, dict) and b.get("type") == "tool_use"
    ]
    check(streamed == plain, f"streamed tool_use {streamed} differs from the non-streaming blocks {plain}")
