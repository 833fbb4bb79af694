"""Fields the surface round accepted, honoured: log-probabilities and `system_fingerprint` on chat
completions, extended thinking on messages: its block and events, the API's request rules (budget,
sampling) and the interleaved-thinking beta (D-LOGP-1, D-SEED-1, D-THINK-1, D-THINK-3, D-THINK-4).

These check what any deployment that honours the fields must send (the shapes the official SDKs read and
their invariants), not the reference server's deterministic numbers or reasoning text.
"""

from __future__ import annotations

from typing import Any

from conformance._case import CaseFailed, Level, case
from conformance._chat_stream import analyse_chat_stream
from conformance._context import Context
from conformance._expect import json_object, missing
from conformance._messages_stream import analyse_messages_stream
from conformance.cases._common import WEATHER_TOOL_ANTHROPIC, chat_body, check, messages_body
from conformance.cases.errors import ant_error, oai_error

__all__: list[str] = []

_TOP = 2
_THINKING: dict[str, Any] = {"type": "enabled", "budget_tokens": 1024}


def _logprob_entries(entries: Any, at: tuple[str | int, ...], top: int) -> str:
    """Check one `logprobs.content` list; returns its tokens joined."""
    check(isinstance(entries, list), f"logprobs.content={entries!r}, expected a list", at=at)
    out = ""
    for j, e in enumerate(entries):
        here = (*at, j)
        check(isinstance(e, dict) and isinstance(e.get("token"), str), f"entry {e!r} has no token", at=here)
        check(
            isinstance(e.get("logprob"), int | float) and e["logprob"] <= 0,
            f"logprob={e.get('logprob')!r}",
            at=here,
        )
        raw = e.get("bytes")
        if raw is not None:
            check(
                isinstance(raw, list) and all(isinstance(b, int) and 0 <= b <= 255 for b in raw),
                f"bytes={raw!r} is not a list of byte values",
                at=here,
            )
        tops = e.get("top_logprobs")
        check(
            isinstance(tops, list) and len(tops) == top,
            f"top_logprobs has {len(tops) if isinstance(tops, list) else tops!r} entries, expected {top}",
            at=(*here, "top_logprobs"),
        )
        values: list[float] = [
            t["logprob"] for t in tops if isinstance(t, dict) and isinstance(t.get("logprob"), int | float)
        ]
        check(
            len(values) == top and values == sorted(values, reverse=True),
            f"top_logprobs not in descending logprob order: {values!r}",
            at=(*here, "top_logprobs"),
        )
        out += e["token"]
    return out


@case(
    "openai.chat.logprobs",
    level=Level.MUST,
    profile="openai-chat",
    title="logprobs: true gives choices[].logprobs.content",
    sends=f"POST /v1/chat/completions with logprobs: true, top_logprobs: {_TOP}",
    needs="a 200 JSON chat completion with text content",
    requirement="Each choice has `logprobs.content`: one entry per content token (token, logprob <= 0, bytes, "
    f"exactly {_TOP} top_logprobs in descending order) whose tokens concatenate to the message content.",
    sources=("D-LOGP-1.1", "openapi.yaml#/components/schemas/ChatCompletionResponse"),
)
def _logprobs_shape(ctx: Context) -> None:
    body = json_object(
        ctx.post("/v1/chat/completions", chat_body(ctx, logprobs=True, top_logprobs=_TOP)),
        "a chat completion",
    )
    given = body.get("choices")
    choices: list[Any] = given if isinstance(given, list) else []
    content = (
        choices[0].get("message", {}).get("content") if choices and isinstance(choices[0], dict) else None
    )
    if not isinstance(content, str) or not content:
        raise CaseFailed(f"expected text content in choices[0].message, got {content!r}", at=("choices",))
    for i, choice in enumerate(choices):
        logprobs = choice.get("logprobs")
        check(
            isinstance(logprobs, dict),
            f"logprobs={logprobs!r}, expected an object",
            at=("choices", i, "logprobs"),
        )
        joined = _logprob_entries(logprobs.get("content"), ("choices", i, "logprobs", "content"), _TOP)
        text = choice.get("message", {}).get("content") or ""
        check(
            joined == text,
            f"the tokens give {joined[:60]!r}, the content is {text[:60]!r}",
            at=("choices", i),
        )


@case(
    "openai.chat.stream.logprobs",
    level=Level.MUST,
    profile="openai-stream",
    title="Streamed content deltas carry their tokens' logprobs",
    sends=f"POST /v1/chat/completions with stream: true, logprobs: true, top_logprobs: {_TOP}",
    needs="an event stream with content deltas",
    requirement="Every chunk with delta content has `logprobs.content` whose tokens concatenate to that delta's "
    "content (what openai-python's stream helper accumulates into the final choice).",
    sources=("D-LOGP-1.2", "openapi.yaml#/components/schemas/ChatCompletionChunk"),
)
def _logprobs_stream(ctx: Context) -> None:
    body = chat_body(ctx, stream=True, logprobs=True, top_logprobs=_TOP)
    st = analyse_chat_stream(ctx.post("/v1/chat/completions", body, stream=True), body)
    if st.missing is not None:
        raise st.missing
    pieces = 0
    for k, chunk in enumerate(st.chunks):
        for choice in chunk.get("choices") or []:
            delta = choice.get("delta") or {}
            text = delta.get("content")
            if not isinstance(text, str) or not text:
                continue
            pieces += 1
            logprobs = choice.get("logprobs")
            check(
                isinstance(logprobs, dict),
                f"chunk {k}: content delta with logprobs={logprobs!r}",
                at=("choices",),
            )
            joined = _logprob_entries(logprobs.get("content"), ("choices", 0, "logprobs", "content"), _TOP)
            check(
                joined == text,
                f"chunk {k}: the tokens give {joined!r}, the delta is {text!r}",
                at=("choices",),
            )
    if not pieces:
        raise missing("a chunk with delta content", st.exchange)


@case(
    "openai.chat.top-logprobs-needs-logprobs",
    level=Level.MUST,
    profile="openai-chat",
    title="top_logprobs without logprobs: 400 naming top_logprobs",
    sends="POST /v1/chat/completions with top_logprobs: 2 and no logprobs",
    needs="a 400 JSON error",
    requirement="400 invalid_request_error with `param: top_logprobs`, as OpenAI answers.",
    sources=("D-LOGP-1.3",),
)
def _top_needs_logprobs(ctx: Context) -> None:
    oai_error(ctx.post("/v1/chat/completions", chat_body(ctx, top_logprobs=2)), 400, param="top_logprobs")


@case(
    "openai.chat.seed-fingerprint",
    level=Level.SHOULD,
    profile="openai-chat",
    title="seed: a system_fingerprint to compare answers by",
    sends="POST /v1/chat/completions twice with seed: 7",
    needs="two 200 JSON chat completions",
    requirement="Both carry the same non-empty string `system_fingerprint` (same seed, same backend).",
    sources=("D-SEED-1.1",),
)
def _fingerprint(ctx: Context) -> None:
    prints = []
    for _ in range(2):
        body = json_object(ctx.post("/v1/chat/completions", chat_body(ctx, seed=7)), "a chat completion")
        fp = body.get("system_fingerprint")
        check(
            isinstance(fp, str) and fp,
            f"system_fingerprint={fp!r}, expected a string",
            at=("system_fingerprint",),
        )
        prints.append(fp)
    check(prints[0] == prints[1], f"system_fingerprint changed between identical requests: {prints!r}")


def _thinking_body(ctx: Context, **extra: Any) -> dict[str, Any]:
    return messages_body(ctx, max_tokens=2048, thinking=_THINKING, **extra)


@case(
    "anthropic.messages.thinking",
    level=Level.MUST,
    profile="anthropic-messages",
    title="thinking enabled: a signed thinking block first",
    sends="POST /v1/messages with thinking {type: enabled, budget_tokens: 1024}, max_tokens 2048",
    needs="a 200 JSON Message",
    requirement="`content[0]` is `{type: thinking, thinking: <string>, signature: <non-empty string>}`, "
    "followed by the text / tool_use blocks.",
    sources=("D-THINK-1.1", "openapi.yaml#/components/schemas/MessagesResponse"),
)
def _thinking_block(ctx: Context) -> None:
    body = json_object(ctx.post("/v1/messages", _thinking_body(ctx)), "a Message")
    content = body.get("content")
    if not isinstance(content, list) or len(content) < 2 or not all(isinstance(b, dict) for b in content):
        raise CaseFailed(f"content={content!r}: expected thinking then an answer", at=("content",))
    first = content[0]
    check(first.get("type") == "thinking", f"content[0].type={first.get('type')!r}", at=("content", 0))
    check(isinstance(first.get("thinking"), str), "thinking is not a string", at=("content", 0))
    signature = first.get("signature")
    check(isinstance(signature, str) and signature, f"signature={signature!r}", at=("content", 0))
    later = [b.get("type") for b in content[1:]]
    check(any(t in ("text", "tool_use") for t in later), f"no text or tool_use after thinking: {later!r}")


@case(
    "anthropic.messages.stream.thinking",
    level=Level.MUST,
    profile="anthropic-stream",
    title="Streamed thinking: thinking_delta, then signature_delta before the block stops",
    sends="POST /v1/messages with stream: true and thinking {type: enabled, budget_tokens: 1024}",
    needs="an event stream whose first block is a thinking block",
    requirement="Block 0 starts as `{type: thinking, thinking: '', signature: ''}`, carries only `thinking_delta` "
    "and then exactly one `signature_delta` (non-empty) immediately before its `content_block_stop`; "
    "the event grammar is otherwise intact (E1-E8).",
    sources=("D-THINK-1.2", "openapi.yaml#/components/schemas/MessagesStreamEvent"),
)
def _thinking_stream(ctx: Context) -> None:
    st = analyse_messages_stream(ctx.post("/v1/messages", _thinking_body(ctx, stream=True), stream=True))
    if st.missing is not None:
        raise st.missing
    block: list[dict[str, Any]] = [ev for _, ev in st.events if ev.get("index") == 0]
    start = block[0] if block else {}
    cb = start.get("content_block") or {}
    if start.get("type") != "content_block_start" or cb.get("type") != "thinking":
        raise missing("a content_block_start of type thinking at index 0", st.exchange)
    check(cb.get("thinking") == "" and cb.get("signature") == "", f"thinking block starts as {cb!r}")
    kinds = [
        ev.get("delta", {}).get("type") if ev.get("type") == "content_block_delta" else ev.get("type")
        for ev in block
    ]
    check(kinds[-1] == "content_block_stop", f"block 0 ends with {kinds[-1]!r}")
    check(
        kinds[-2:-1] == ["signature_delta"],
        f"block 0 events {kinds!r}: expected signature_delta just before the stop",
    )
    check(
        set(kinds[1:-2]) <= {"thinking_delta"},
        f"block 0 events {kinds!r}: only thinking_delta expected before the signature",
    )
    check(block[-2]["delta"].get("signature"), "signature_delta with an empty signature")
    for rule in ("E1", "E2", "E3", "E4", "E5", "E6", "E7", "E8"):
        problems = st.problems(rule)
        check(not problems, f"[{rule}] " + "; ".join(problems[:4]))


@case(
    "anthropic.messages.thinking-budget",
    level=Level.SHOULD,
    profile="anthropic-messages",
    title="thinking with a budget below 1024: 400",
    sends="POST /v1/messages with thinking {type: enabled, budget_tokens: 1000}",
    needs="a 400 JSON error",
    requirement="400 invalid_request_error in the Anthropic envelope, as the API answers a budget below 1024.",
    sources=("D-THINK-1.3",),
)
def _thinking_rules(ctx: Context) -> None:
    body = messages_body(ctx, max_tokens=2048, thinking={"type": "enabled", "budget_tokens": 1000})
    ant_error(ctx.post("/v1/messages", body), 400, "invalid_request_error")


def _thinking_refuses(ctx: Context, allowed: dict[str, Any], refused: list[dict[str, Any]]) -> None:
    """`allowed` sampling with thinking is answered with a thinking block (so the refusals below are
    about the sampling, not about thinking); each of `refused` is the API's 400."""
    body = json_object(ctx.post("/v1/messages", _thinking_body(ctx, **allowed)), "a Message")
    content = body.get("content")
    first = content[0] if isinstance(content, list) and content and isinstance(content[0], dict) else {}
    check(first.get("type") == "thinking", f"with {allowed!r}: content[0]={first!r}, expected thinking")
    for extra in refused:
        ant_error(ctx.post("/v1/messages", _thinking_body(ctx, **extra)), 400, "invalid_request_error")


@case(
    "anthropic.messages.thinking-temperature",
    level=Level.MUST,
    profile="anthropic-messages",
    title="thinking with a temperature other than 1: 400",
    sends="POST /v1/messages with thinking {type: enabled, budget_tokens: 1024} and temperature 1 "
    "(control), then the same with temperature 0.5",
    needs="a 200 Message with a thinking block for temperature 1, then a 400 JSON error",
    requirement="temperature 1 is accepted with thinking; temperature 0.5 is 400 invalid_request_error in the "
    "Anthropic envelope (thinking is not compatible with temperature modifications).",
    sources=("D-THINK-3.1", "openapi.yaml#/components/schemas/MessagesRequest"),
)
def _thinking_temperature(ctx: Context) -> None:
    _thinking_refuses(ctx, {"temperature": 1}, [{"temperature": 0.5}])


@case(
    "anthropic.messages.thinking-top-k-top-p",
    level=Level.MUST,
    profile="anthropic-messages",
    title="thinking with top_k, or top_p below 0.95: 400",
    sends="POST /v1/messages with thinking {type: enabled, budget_tokens: 1024} and top_p 0.95 (control), "
    "then with top_k 5, then with top_p 0.5",
    needs="a 200 Message with a thinking block for top_p 0.95, then two 400 JSON errors",
    requirement="top_p from 0.95 to 1 is accepted with thinking; any top_k and a top_p below 0.95 are 400 "
    "invalid_request_error in the Anthropic envelope.",
    sources=("D-THINK-3.2", "openapi.yaml#/components/schemas/MessagesRequest"),
)
def _thinking_top_k_top_p(ctx: Context) -> None:
    _thinking_refuses(ctx, {"top_p": 0.95}, [{"top_k": 5}, {"top_p": 0.5}])


_INTERLEAVED = {"anthropic-beta": "interleaved-thinking-2025-05-14"}
_WEATHER_PROMPT = "What is the weather in Paris right now?"


@case(
    "anthropic.messages.thinking-interleaved",
    level=Level.SHOULD,
    profile="anthropic-messages",
    title="Interleaved thinking (beta): a budget above max_tokens, and thinking again after a tool result",
    sends="POST /v1/messages with anthropic-beta: interleaved-thinking-2025-05-14, thinking {type: enabled, "
    "budget_tokens: 4096}, max_tokens 2048 and a get_weather tool; then the answer and a tool_result sent back",
    needs="a 200 Message with a tool_use block, then a 200 Message",
    requirement="With the beta the budget may exceed max_tokens (200, not 400); the answer after the tool "
    "result starts with a signed thinking block again, followed by text or tool_use.",
    sources=("D-THINK-4.1", "openapi.yaml#/components/parameters/AnthropicBeta"),
)
def _thinking_interleaved(ctx: Context) -> None:
    ask = [{"role": "user", "content": _WEATHER_PROMPT}]
    extra: dict[str, Any] = {
        "thinking": {"type": "enabled", "budget_tokens": 4096},
        "tools": [WEATHER_TOOL_ANTHROPIC],
    }
    ex = ctx.post(
        "/v1/messages", messages_body(ctx, max_tokens=2048, messages=ask, **extra), headers=_INTERLEAVED
    )
    first = json_object(ex, "a Message")
    content = [b for b in first.get("content") or [] if isinstance(b, dict)]
    uses = [b for b in content if b.get("type") == "tool_use"]
    if not uses:
        raise missing("a tool_use block in the first answer", ex)
    results = [{"type": "tool_result", "tool_use_id": u.get("id"), "content": "18C, sunny"} for u in uses]
    history = [*ask, {"role": "assistant", "content": content}, {"role": "user", "content": results}]
    after = ctx.post(
        "/v1/messages", messages_body(ctx, max_tokens=2048, messages=history, **extra), headers=_INTERLEAVED
    )
    body = json_object(after, "a Message")
    blocks = [b for b in body.get("content") or [] if isinstance(b, dict)]
    kinds = [b.get("type") for b in blocks]
    check(kinds[:1] == ["thinking"], f"after the tool result content is {kinds!r}: expected thinking first")
    check(isinstance(blocks[0].get("signature"), str) and blocks[0]["signature"], "thinking block unsigned")
    check(any(k in ("text", "tool_use") for k in kinds[1:]), f"no text or tool_use after thinking: {kinds!r}")
