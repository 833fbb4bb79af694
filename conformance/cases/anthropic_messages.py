"""Anthropic Messages, non-streaming (wire-checklist section D, D-MSG-*)."""

from __future__ import annotations

import re
from typing import Any

from conformance._case import CaseFailed, Level, case
from conformance._context import Context
from conformance._expect import error_answer, json_object
from conformance._messages_stream import STOP_REASONS
from conformance._schema import assert_valid
from conformance.cases._common import (
    PARALLEL_PROMPT,
    PROMPT,
    WEATHER_TOOL_ANTHROPIC,
    check,
    messages_body,
    messages_once,
)

__all__: list[str] = []

P = "anthropic-messages"
SPEC = "openapi.yaml#/components/schemas/MessagesResponse"


NEEDS = "a 200 JSON Message"


def _body(ctx: Context, variant: str = "basic") -> Any:
    return messages_once(ctx, variant).json()


def content_of(body: dict[str, Any]) -> list[dict[str, Any]]:
    """The content blocks of a Message; no block list at all is a missing subject."""
    content = body.get("content")
    if not isinstance(content, list) or not all(isinstance(b, dict) for b in content):
        raise CaseFailed(f"expected a content list of blocks, got content={content!r}", at=("content",))
    return content


@case(
    "anthropic.messages.schema",
    level=Level.MUST,
    profile=P,
    title="Response matches MessagesResponse",
    sends="POST /v1/messages with max_tokens and one user message",
    needs=NEEDS,
    requirement="The 200 body validates against the spec's MessagesResponse schema.",
    sources=(SPEC, "D1-D5"),
)
def _schema(ctx: Context) -> None:
    assert_valid("MessagesResponse", _body(ctx))


@case(
    "anthropic.messages.envelope",
    level=Level.MUST,
    profile=P,
    title="type, role, id, model, content",
    sends="POST /v1/messages",
    needs=NEEDS,
    requirement='type "message", role "assistant", id msg_*, model echoed, content a list of blocks.',
    sources=("D1", "D-MOD-3.1", "D-HDR-3.1"),
)
def _envelope(ctx: Context) -> None:
    b = _body(ctx)
    check(b.get("type") == "message", f"type={b.get('type')!r}", at=("type",))
    check(b.get("role") == "assistant", f"role={b.get('role')!r}", at=("role",))
    check(isinstance(b.get("id"), str) and b["id"].startswith("msg_"), f"id={b.get('id')!r}", at=("id",))
    check(b.get("model") == ctx.target.model, f"model={b.get('model')!r}", at=("model",))
    check(content_of(b), "content is an empty list", at=("content",))


@case(
    "anthropic.messages.stop-reason",
    level=Level.MUST,
    profile=P,
    title="stop_reason non-null and in the enum",
    sends="POST /v1/messages",
    needs=NEEDS,
    requirement="stop_reason is non-null and one of Anthropic's values (end_turn here).",
    sources=("D2",),
)
def _stop_reason(ctx: Context) -> None:
    v = _body(ctx).get("stop_reason")
    check(v in STOP_REASONS, f"stop_reason={v!r}", at=("stop_reason",))


@case(
    "anthropic.messages.stop-sequence-key",
    level=Level.SHOULD,
    profile=P,
    title="stop_sequence always present",
    sends="POST /v1/messages",
    needs=NEEDS,
    requirement="stop_sequence is present (null when no stop sequence matched).",
    sources=("D3",),
)
def _stop_seq_key(ctx: Context) -> None:
    b = _body(ctx)
    check(
        "stop_sequence" in b and b["stop_sequence"] is None,
        f"stop_sequence={b.get('stop_sequence', '<absent>')!r}",
        at=("stop_sequence",) if "stop_sequence" in b else None,
    )


@case(
    "anthropic.messages.stop-sequence-match",
    level=Level.SHOULD,
    profile=P,
    title="matched stop sequence reported",
    sends="the basic request twice, the second with stop_sequences set to a word of the first answer",
    needs="two 200 JSON Messages, the first with at least two words of text",
    requirement='stop_reason "stop_sequence", stop_sequence the matched string, text cut before it.',
    sources=("D3", "G7", "I-7"),
)
def _stop_seq(ctx: Context) -> None:
    text = "".join(str(b.get("text", "")) for b in content_of(_body(ctx)) if b.get("type") == "text")
    words = re.findall(r"[A-Za-z]{4,}", text)
    check(len(words) >= 2, f"expected an answer of at least two words to pick a stop word from, got {text!r}")
    stop = words[len(words) // 2]
    b = json_object(ctx.post("/v1/messages", messages_body(ctx, stop_sequences=[stop])), "a Message")
    check(
        b.get("stop_reason") == "stop_sequence", f"stop_reason={b.get('stop_reason')!r}", at=("stop_reason",)
    )
    check(
        b.get("stop_sequence") == stop,
        f"stop_sequence={b.get('stop_sequence')!r}, expected {stop!r}",
        at=("stop_sequence",),
    )
    out = "".join(str(x.get("text", "")) for x in content_of(b) if x.get("type") == "text")
    check(stop not in out, "stop text is in the output", at=("content",))


@case(
    "anthropic.messages.max-tokens-stop",
    level=Level.MUST,
    profile=P,
    title="max_tokens reached gives max_tokens",
    sends="POST /v1/messages with max_tokens 1",
    needs=NEEDS,
    requirement='stop_reason "max_tokens" and output_tokens <= 1.',
    sources=("D2", "E7", "I-7"),
)
def _max_tokens(ctx: Context) -> None:
    b = _body(ctx, "length")
    check(b.get("stop_reason") == "max_tokens", f"stop_reason={b.get('stop_reason')!r}", at=("stop_reason",))
    used = (b.get("usage") or {}).get("output_tokens")
    check(isinstance(used, int) and used <= 1, f"usage={b.get('usage')!r}", at=("usage",))


@case(
    "anthropic.messages.usage",
    level=Level.MUST,
    profile=P,
    title="usage input/output tokens are integers",
    sends="POST /v1/messages",
    needs=NEEDS,
    requirement="usage.input_tokens and usage.output_tokens are present integers.",
    sources=("D4",),
)
def _usage(ctx: Context) -> None:
    u = _body(ctx).get("usage")
    check(
        isinstance(u, dict)
        and isinstance(u.get("input_tokens"), int)
        and isinstance(u.get("output_tokens"), int),
        f"usage={u!r}",
        at=("usage",),
    )


@case(
    "anthropic.messages.tool-use",
    level=Level.MUST,
    profile=P,
    title="tool_use block shape and stop_reason",
    sends='POST /v1/messages with one tool and tool_choice {"type":"any"}',
    needs=NEEDS + " with a tool_use block",
    requirement='A tool_use block with id toolu_* (^[a-zA-Z0-9_-]+$), name, object input; stop_reason "tool_use".',
    sources=("D5", "I-7", "I-10"),
)
def _tool_use(ctx: Context) -> None:
    check_tool_use(_body(ctx, "tools"))


def check_tool_use(b: dict[str, Any]) -> list[dict[str, Any]]:
    """D5 on every tool_use block: distinct toolu_* ids, name get_weather, object input; stop_reason."""
    content = content_of(b)
    blocks = [(i, x) for i, x in enumerate(content) if x.get("type") == "tool_use"]
    check(blocks, "no tool_use block", at=("content",))
    ids = [blk.get("id") for _, blk in blocks]
    check(len(set(ids)) == len(ids), f"tool_use ids {ids} repeat", at=("content",))
    for i, blk in blocks:
        check(
            isinstance(blk.get("id"), str) and re.fullmatch(r"toolu_[a-zA-Z0-9_-]+", blk["id"]),
            f"id={blk.get('id')!r}",
            at=("content", i, "id"),
        )
        check(blk.get("name") == "get_weather", f"name={blk.get('name')!r}", at=("content", i, "name"))
        check(isinstance(blk.get("input"), dict), f"input={blk.get('input')!r}", at=("content", i, "input"))
    check(b.get("stop_reason") == "tool_use", f"stop_reason={b.get('stop_reason')!r}", at=("stop_reason",))
    return [blk for _, blk in blocks]


@case(
    "anthropic.messages.text-nonempty",
    level=Level.SHOULD,
    profile=P,
    title="No empty text blocks",
    sends="POST /v1/messages (plain and with tools)",
    needs=NEEDS + " (plain and with tools)",
    requirement="Every text block has non-empty text.",
    sources=("D6",),
)
def _nonempty(ctx: Context) -> None:
    for variant in ("basic", "tools"):
        for i, blk in enumerate(content_of(_body(ctx, variant))):
            if blk.get("type") == "text":
                check(blk.get("text"), f"empty text block in the {variant} response", at=("content", i))


@case(
    "anthropic.messages.system-blocks",
    level=Level.SHOULD,
    profile=P,
    title="system as string or text blocks",
    sends="system as a list of text blocks with cache_control, ?beta=true and an anthropic-beta header",
    needs=NEEDS,
    requirement="The request is accepted (200).",
    sources=("D7", "D-HDR-3.1"),
)
def _system(ctx: Context) -> None:
    body = messages_body(
        ctx, system=[{"type": "text", "text": "Be brief.", "cache_control": {"type": "ephemeral"}}]
    )
    ex = ctx.request(
        "POST",
        "/v1/messages?beta=true",
        json_body=body,
        headers={"anthropic-beta": "prompt-caching-2024-07-31", "anthropic-version": "2023-06-01"},
    )
    content_of(json_object(ex, "a Message"))


@case(
    "anthropic.messages.max-tokens-required",
    level=Level.SHOULD,
    profile=P,
    title="max_tokens is required",
    sends="POST /v1/messages without max_tokens",
    needs="a 400 JSON error",
    requirement="400 invalid_request_error in the Anthropic envelope.",
    sources=("D7", "G8", "D-MSG-1.2"),
)
def _required(ctx: Context) -> None:
    ex = ctx.post(
        "/v1/messages", {"model": ctx.target.model, "messages": [{"role": "user", "content": PROMPT}]}
    )
    b = error_answer(ex, 400, "an invalid_request_error")
    check(
        b.get("type") == "error" and (b.get("error") or {}).get("type") == "invalid_request_error",
        f"body={b!r}",
        at=("error",),
    )


@case(
    "anthropic.messages.request-id",
    level=Level.SHOULD,
    profile=P,
    title="request-id header req_*",
    sends="POST /v1/messages",
    needs=NEEDS,
    requirement="A request-id header of the form req_<24 hex>.",
    sources=("D8", "D-HDR-1.1"),
)
def _rid(ctx: Context) -> None:
    rid = messages_once(ctx).headers.get("request-id")  # the subject: a 200 JSON Message
    check(rid and re.fullmatch(r"req_[0-9a-f]{24}", rid), f"request-id={rid!r}")


@case(
    "anthropic.messages.count-tokens",
    level=Level.SHOULD,
    profile=P,
    title="count_tokens endpoint",
    sends="POST /v1/messages/count_tokens",
    needs="a 200 JSON count_tokens answer",
    requirement='200 {"input_tokens": N} matching CountTokensResponse.',
    sources=("D9", "D-MSG-4.1", "openapi.yaml#/components/schemas/CountTokensResponse"),
)
def _count(ctx: Context) -> None:
    body = {"model": ctx.target.model, "messages": [{"role": "user", "content": PROMPT}]}
    b = json_object(ctx.post("/v1/messages/count_tokens", body), "a count_tokens answer")
    assert_valid("CountTokensResponse", b)
    n = b.get("input_tokens")
    check(isinstance(n, int) and n > 0, f"input_tokens={n!r}", at=("input_tokens",))


@case(
    "anthropic.messages.tool-choice-none",
    level=Level.SHOULD,
    profile=P,
    title="tool_choice none accepted",
    sends='POST /v1/messages with tools and tool_choice {"type":"none"}',
    needs=NEEDS,
    requirement="200 with no tool_use block.",
    sources=("D-MSG-2.1", "G5"),
)
def _none(ctx: Context) -> None:
    ex = ctx.post(
        "/v1/messages", messages_body(ctx, tools=[WEATHER_TOOL_ANTHROPIC], tool_choice={"type": "none"})
    )
    content = content_of(json_object(ex, "a Message"))
    check(content, "content is an empty list", at=("content",))
    check(
        all(b.get("type") != "tool_use" for b in content),
        "tool_use despite tool_choice none",
        at=("content",),
    )


@case(
    "anthropic.messages.parallel-tool-use",
    level=Level.SHOULD,
    profile=P,
    title="Parallel tool use: one answer, several tool_use blocks",
    sends=f'POST /v1/messages asking {PARALLEL_PROMPT!r} with get_weather and tool_choice {{"type":"any"}}',
    needs=NEEDS + " with two or more tool_use blocks",
    requirement="Every tool_use block has the D5 shape (toolu_* id, name get_weather, object input) and "
    'stop_reason is "tool_use"; the blocks differ in id and in input (one city each).',
    sources=("D5", "T1"),
)
def _parallel(ctx: Context) -> None:
    blocks = check_tool_use(_body(ctx, "parallel"))
    inputs = [blk.get("input") for blk in blocks]
    check(
        all(inputs.index(x) == i for i, x in enumerate(inputs)),
        f"the parallel tool_use blocks repeat the same input {inputs}",
        at=("content",),
    )


@case(
    "anthropic.messages.parallel-tool-use-off",
    level=Level.MUST,
    profile=P,
    title="disable_parallel_tool_use: one tool_use block",
    sends='the parallel request with tool_choice {"type":"any","disable_parallel_tool_use":true}',
    needs=NEEDS + " with a tool_use block",
    requirement="With disable_parallel_tool_use true the answer has exactly one tool_use block.",
    sources=("T2", "G5"),
)
def _parallel_off(ctx: Context) -> None:
    body = messages_body(
        ctx,
        messages=[{"role": "user", "content": PARALLEL_PROMPT}],
        tools=[WEATHER_TOOL_ANTHROPIC],
        tool_choice={"type": "any", "disable_parallel_tool_use": True},
    )
    blocks = check_tool_use(json_object(ctx.post("/v1/messages", body), "a Message"))
    check(
        len(blocks) == 1, f"{len(blocks)} tool_use blocks despite disable_parallel_tool_use", at=("content",)
    )
