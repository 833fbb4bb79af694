"""Anthropic Messages, non-streaming (wire-checklist section D, D-MSG-*)."""

from __future__ import annotations

import re
from typing import Any

from conformance._case import Level, case
from conformance._context import Context
from conformance._messages_stream import STOP_REASONS
from conformance._schema import assert_valid
from conformance.cases._common import PROMPT, check, messages_body, messages_once

__all__: list[str] = []

P = "anthropic-messages"
SPEC = "openapi.yaml#/components/schemas/MessagesResponse"


def _body(ctx: Context, variant: str = "basic") -> Any:
    return messages_once(ctx, variant).json()


@case(
    "anthropic.messages.schema",
    level=Level.MUST,
    profile=P,
    title="Response matches MessagesResponse",
    sends="POST /v1/messages with max_tokens and one user message",
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
    requirement='type "message", role "assistant", id msg_*, model echoed, content a list of blocks.',
    sources=("D1", "D-MOD-3"),
)
def _envelope(ctx: Context) -> None:
    b = _body(ctx)
    check(
        b.get("type") == "message" and b.get("role") == "assistant",
        f"type/role={b.get('type')!r}/{b.get('role')!r}",
    )
    check(isinstance(b.get("id"), str) and b["id"].startswith("msg_"), f"id={b.get('id')!r}")
    check(b.get("model") == ctx.target.model, f"model={b.get('model')!r}")
    check(isinstance(b.get("content"), list) and b["content"], f"content={b.get('content')!r}")


@case(
    "anthropic.messages.stop-reason",
    level=Level.MUST,
    profile=P,
    title="stop_reason non-null and in the enum",
    sends="POST /v1/messages",
    requirement="stop_reason is non-null and one of Anthropic's values (end_turn here).",
    sources=("D2",),
)
def _stop_reason(ctx: Context) -> None:
    v = _body(ctx).get("stop_reason")
    check(v in STOP_REASONS, f"stop_reason={v!r}")


@case(
    "anthropic.messages.stop-sequence-key",
    level=Level.SHOULD,
    profile=P,
    title="stop_sequence always present",
    sends="POST /v1/messages",
    requirement="stop_sequence is present (null when no stop sequence matched).",
    sources=("D3",),
)
def _stop_seq_key(ctx: Context) -> None:
    b = _body(ctx)
    check(
        "stop_sequence" in b and b["stop_sequence"] is None,
        f"stop_sequence={b.get('stop_sequence', '<absent>')!r}",
    )


@case(
    "anthropic.messages.stop-sequence-match",
    level=Level.SHOULD,
    profile=P,
    title="matched stop sequence reported",
    sends="the basic request twice, the second with stop_sequences set to a word of the first answer",
    requirement='stop_reason "stop_sequence", stop_sequence the matched string, text cut before it.',
    sources=("D3", "G7", "I-7"),
)
def _stop_seq(ctx: Context) -> None:
    text = "".join(b.get("text", "") for b in _body(ctx)["content"] if b.get("type") == "text")
    words = re.findall(r"[A-Za-z]{4,}", text)
    check(len(words) >= 2, f"answer too short to pick a stop word: {text!r}")
    stop = words[len(words) // 2]
    ex = ctx.post("/v1/messages", messages_body(ctx, stop_sequences=[stop]))
    check(ex.status == 200, f"status {ex.status}")
    b = ex.json()
    check(b.get("stop_reason") == "stop_sequence", f"stop_reason={b.get('stop_reason')!r}")
    check(b.get("stop_sequence") == stop, f"stop_sequence={b.get('stop_sequence')!r}, expected {stop!r}")
    out = "".join(x.get("text", "") for x in b["content"] if x.get("type") == "text")
    check(stop not in out, "stop text is in the output")


@case(
    "anthropic.messages.max-tokens-stop",
    level=Level.MUST,
    profile=P,
    title="max_tokens reached gives max_tokens",
    sends="POST /v1/messages with max_tokens 1",
    requirement='stop_reason "max_tokens" and output_tokens <= 1.',
    sources=("D2", "E7", "I-7"),
)
def _max_tokens(ctx: Context) -> None:
    b = _body(ctx, "length")
    check(b.get("stop_reason") == "max_tokens", f"stop_reason={b.get('stop_reason')!r}")
    check((b.get("usage") or {}).get("output_tokens", 99) <= 1, f"usage={b.get('usage')!r}")


@case(
    "anthropic.messages.usage",
    level=Level.MUST,
    profile=P,
    title="usage input/output tokens are integers",
    sends="POST /v1/messages",
    requirement="usage.input_tokens and usage.output_tokens are present integers.",
    sources=("D4",),
)
def _usage(ctx: Context) -> None:
    u = _body(ctx).get("usage") or {}
    check(isinstance(u.get("input_tokens"), int) and isinstance(u.get("output_tokens"), int), f"usage={u!r}")


@case(
    "anthropic.messages.tool-use",
    level=Level.MUST,
    profile=P,
    title="tool_use block shape and stop_reason",
    sends='POST /v1/messages with one tool and tool_choice {"type":"any"}',
    requirement='A tool_use block with id toolu_* (^[a-zA-Z0-9_-]+$), name, object input; stop_reason "tool_use".',
    sources=("D5", "I-7", "I-10"),
)
def _tool_use(ctx: Context) -> None:
    b = _body(ctx, "tools")
    blocks = [x for x in b.get("content") or [] if x.get("type") == "tool_use"]
    check(blocks, f"no tool_use block: {b.get('content')!r}")
    for blk in blocks:
        check(
            isinstance(blk.get("id"), str) and re.fullmatch(r"toolu_[a-zA-Z0-9_-]+", blk["id"]),
            f"id={blk.get('id')!r}",
        )
        check(blk.get("name") == "get_weather", f"name={blk.get('name')!r}")
        check(isinstance(blk.get("input"), dict), f"input={blk.get('input')!r}")
    check(b.get("stop_reason") == "tool_use", f"stop_reason={b.get('stop_reason')!r}")


@case(
    "anthropic.messages.text-nonempty",
    level=Level.SHOULD,
    profile=P,
    title="No empty text blocks",
    sends="POST /v1/messages (plain and with tools)",
    requirement="Every text block has non-empty text.",
    sources=("D6",),
)
def _nonempty(ctx: Context) -> None:
    for variant in ("basic", "tools"):
        for blk in _body(ctx, variant).get("content") or []:
            if blk.get("type") == "text":
                check(blk.get("text"), f"empty text block in the {variant} response")


@case(
    "anthropic.messages.system-blocks",
    level=Level.SHOULD,
    profile=P,
    title="system as string or text blocks",
    sends="system as a list of text blocks with cache_control, ?beta=true and an anthropic-beta header",
    requirement="The request is accepted (200).",
    sources=("D7", "D-HDR-3"),
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
    check(ex.status == 200, f"status {ex.status}: {ex.body[:200]!r}")


@case(
    "anthropic.messages.max-tokens-required",
    level=Level.SHOULD,
    profile=P,
    title="max_tokens is required",
    sends="POST /v1/messages without max_tokens",
    requirement="400 invalid_request_error in the Anthropic envelope.",
    sources=("D7", "G8", "D-MSG-1"),
)
def _required(ctx: Context) -> None:
    ex = ctx.post(
        "/v1/messages", {"model": ctx.target.model, "messages": [{"role": "user", "content": PROMPT}]}
    )
    check(ex.status == 400, f"status {ex.status}")
    b = ex.json()
    check(
        b.get("type") == "error" and (b.get("error") or {}).get("type") == "invalid_request_error",
        f"body={b!r}",
    )


@case(
    "anthropic.messages.request-id",
    level=Level.SHOULD,
    profile=P,
    title="request-id header req_*",
    sends="POST /v1/messages",
    requirement="A request-id header of the form req_<24 hex>.",
    sources=("D8", "D-HDR-1"),
)
def _rid(ctx: Context) -> None:
    rid = messages_once(ctx).headers.get("request-id")
    check(rid and re.fullmatch(r"req_[0-9a-f]{24}", rid), f"request-id={rid!r}")


@case(
    "anthropic.messages.count-tokens",
    level=Level.SHOULD,
    profile=P,
    title="count_tokens endpoint",
    sends="POST /v1/messages/count_tokens",
    requirement='200 {"input_tokens": N} matching CountTokensResponse.',
    sources=("D9", "D-MSG-4", "openapi.yaml#/components/schemas/CountTokensResponse"),
)
def _count(ctx: Context) -> None:
    body = {"model": ctx.target.model, "messages": [{"role": "user", "content": PROMPT}]}
    ex = ctx.post("/v1/messages/count_tokens", body)
    check(ex.status == 200, f"status {ex.status}: {ex.body[:200]!r}")
    assert_valid("CountTokensResponse", ex.json())
    check(
        isinstance(ex.json().get("input_tokens"), int) and ex.json()["input_tokens"] > 0,
        f"body={ex.json()!r}",
    )


@case(
    "anthropic.messages.tool-choice-none",
    level=Level.SHOULD,
    profile=P,
    title="tool_choice none accepted",
    sends='POST /v1/messages with tools and tool_choice {"type":"none"}',
    requirement="200 with no tool_use block.",
    sources=("D-MSG-2", "G5"),
)
def _none(ctx: Context) -> None:
    from conformance.cases._common import WEATHER_TOOL_ANTHROPIC

    ex = ctx.post(
        "/v1/messages", messages_body(ctx, tools=[WEATHER_TOOL_ANTHROPIC], tool_choice={"type": "none"})
    )
    check(ex.status == 200, f"status {ex.status}: {ex.body[:200]!r}")
    check(
        all(b.get("type") != "tool_use" for b in ex.json().get("content") or []),
        "tool_use despite tool_choice none",
    )
