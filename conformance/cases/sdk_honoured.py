"""The official SDKs read the honoured fields: openai-python's stream helper accumulates streamed
logprobs into the final completion; anthropic-python's stream helper accumulates thinking and its
signature into the final message (D-LOGP-1, D-THINK-1)."""

from __future__ import annotations

from typing import Any

from conformance._case import CaseFailed, Level, case
from conformance._context import Context
from conformance.cases._common import PROMPT, check
from conformance.cases._sdk import anthropic_client, openai_client

__all__: list[str] = []

P = "sdk"
MSGS: list[dict[str, Any]] = [{"role": "user", "content": PROMPT}]


@case(
    "sdk.openai.logprobs-stream-helper",
    level=Level.MUST,
    profile=P,
    title="chat.completions.stream() accumulates logprobs",
    sends="client.chat.completions.stream(logprobs=True, top_logprobs=2), then get_final_completion()",
    needs="openai-python installed ([sdk] extra) and an event stream with text",
    requirement="The helper emits logprobs.content.delta events and the final choice's logprobs.content "
    "tokens concatenate to its content, each with 2 top_logprobs.",
    sources=("D-LOGP-1.2", "0.1"),
)
def _logprobs_helper(ctx: Context) -> None:
    with openai_client(ctx).chat.completions.stream(
        model=ctx.target.model, messages=MSGS, logprobs=True, top_logprobs=2
    ) as stream:
        deltas = sum(1 for e in stream if e.type == "logprobs.content.delta")
        final = stream.get_final_completion()
    choice = final.choices[0]
    text = choice.message.content
    if not text:
        raise CaseFailed(f"expected streamed text, got {text!r}")
    check(deltas > 0, "the helper saw no logprobs.content.delta event")
    content = choice.logprobs.content if choice.logprobs is not None else None
    check(content, f"final choice logprobs={choice.logprobs!r}")
    assert content is not None
    joined = "".join(t.token for t in content)
    check(joined == text, f"the tokens give {joined[:60]!r}, the content is {text[:60]!r}")
    check(all(len(t.top_logprobs) == 2 for t in content), "an entry without exactly 2 top_logprobs")


@case(
    "sdk.anthropic.thinking-stream-helper",
    level=Level.MUST,
    profile=P,
    title="messages.stream() accumulates thinking and its signature",
    sends="client.messages.stream(thinking={'type':'enabled','budget_tokens':1024}, max_tokens=2048), "
    "then get_final_message()",
    needs="anthropic-sdk-python installed ([sdk] extra) and an event stream with a thinking block",
    requirement="The helper emits thinking and signature events; the final message's first block is a "
    "thinking block with a non-empty signature, followed by a text or tool_use block.",
    sources=("D-THINK-1.1", "0.2"),
)
def _thinking_helper(ctx: Context) -> None:
    with anthropic_client(ctx).messages.stream(
        model=ctx.target.model,
        max_tokens=2048,
        messages=MSGS,
        thinking={"type": "enabled", "budget_tokens": 1024},
    ) as stream:
        kinds = {e.type for e in stream}
        final = stream.get_final_message()
    if not final.content or final.content[0].type != "thinking":
        raise CaseFailed(f"expected a thinking block first, got {[b.type for b in final.content]!r}")
    block = final.content[0]
    check("signature" in kinds, f"the helper saw no signature event (events: {sorted(kinds)!r})")
    check(isinstance(block.signature, str) and block.signature, f"final signature={block.signature!r}")
    check(
        any(b.type in ("text", "tool_use") for b in final.content[1:]),
        f"no answer after thinking: {[b.type for b in final.content]!r}",
    )
