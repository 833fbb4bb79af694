"""Real-client cases the reference server fails today because it does not honour yet what they send
(issue 12: the request surface and its honouring are another round's work).

Each entry names what the server lacks. An official-SDK case listed here runs as SHOULD (a warning:
the reference run stays green, the gap stays visible against every deployment) until its entry is
removed; ``tests/conformance/test_reference_passes.py`` fails once a listed case passes against the
reference server, so the entry goes, and the case's own level (MUST for the official SDKs' core
paths) comes back with it (spec/DECISIONS.md D-CONF-8).
"""

from __future__ import annotations

__all__ = ["AWAITING_SERVER"]

_LITELLM_MAX_TOKENS = (
    "litellm's Anthropic `max_tokens` for a model id it does not know (DEFAULT_ANTHROPIC_CHAT_MAX_TOKENS, "
    "128000) is above the Claude family's limit, which D-MSG-5 answers with Anthropic's 400 (a client "
    "limitation in the matrix: conformance/clients/_limitations.py)"
)

AWAITING_SERVER: dict[str, str] = {
    # Anthropic clients whose default max_tokens is above the model family's limit
    "sdk.litellm.anthropic.completion": _LITELLM_MAX_TOKENS,
    "sdk.litellm.anthropic.acompletion": _LITELLM_MAX_TOKENS,
    "sdk.litellm.anthropic.stream": _LITELLM_MAX_TOKENS,
    "sdk.litellm.anthropic.structured-model": _LITELLM_MAX_TOKENS,
    "sdk.litellm.anthropic.structured-json-object": _LITELLM_MAX_TOKENS,
    "sdk.litellm.anthropic.tools": _LITELLM_MAX_TOKENS,
}
