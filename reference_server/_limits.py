"""Output-token limits of the Messages dialect (D-MSG-5).

The Stratus messages page says `max_tokens` is 1-4096, but Stratus calls itself a drop-in for the
Anthropic API and popular clients send more by default (pydantic-ai 16384, `@ai-sdk/anthropic`
64000). So a request may ask for up to the model family's real output limit, as Anthropic publishes
it, and the embedded executor still generates within the documented 4096-token budget.
"""

from __future__ import annotations

import re

from reference_server._catalog import ModelId
from reference_server._errors import ApiError

__all__ = ["FAMILY_LIMITS", "MESSAGES_BUDGET", "MESSAGES_MAX_TOKENS", "check_max_tokens", "max_output_tokens"]

MESSAGES_BUDGET = 4096
"""Tokens the embedded executor generates at most on `/v1/messages` (the Stratus page's limit)."""

MESSAGES_MAX_TOKENS = 128_000
"""The largest `max_tokens` any model family accepts (Claude Opus 4.6+, Sonnet 4.6+, the 5 family);
also the limit for LLMs outside the Claude families."""

FAMILY_LIMITS: tuple[tuple[str, int], ...] = (
    (r"claude-3-(haiku|opus|sonnet)-", 4096),
    (r"claude-3-5-", 8192),
    (r"claude-3-7-", 64000),
    (r"(claude-opus-4(-[01])?(-[0-9]{8})?$|claude-4-opus)", 32000),
    (r"(claude-sonnet-4(-0)?(-[0-9]{8})?$|claude-4-sonnet)", 64000),
    (r"claude-(opus|sonnet|haiku)-4-5(-[0-9]{8})?$", 64000),
)
"""(pattern on the LLM part of the model id, max output tokens), first match wins. Anthropic's
published limits: Claude 3 Haiku/Opus/Sonnet 4K, 3.5 8K, Sonnet 3.7 64K, Opus 4 and 4.1 32K, Sonnet 4
64K, the 4.5 models 64K; newer families (Opus 4.6+, Sonnet 4.6+, 5.x) 128K. spec/schemas/
MessagesRequest.json states the same table as `allOf` if/then rules."""

_COMPILED = tuple((re.compile(pattern), limit) for pattern, limit in FAMILY_LIMITS)


def max_output_tokens(llm: str) -> int:
    """The output limit of the LLM part of a model id (`claude-sonnet-4-5-20250929`)."""
    for pattern, limit in _COMPILED:
        if pattern.match(llm):
            return limit
    return MESSAGES_MAX_TOKENS


def check_max_tokens(model: ModelId, max_tokens: int) -> None:
    """Anthropic's 400 when `max_tokens` is above the model family's limit."""
    limit = max_output_tokens(model.llm)
    if max_tokens > limit:
        raise ApiError(
            400,
            f"max_tokens: {max_tokens} > {limit}, which is the maximum allowed number of output tokens "
            f"for {model.id}",
            param="max_tokens",
        )
