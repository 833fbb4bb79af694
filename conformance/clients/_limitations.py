"""Known client limitations: failures caused by the client, not by the deployment, each with its reason.

An entry excuses a failing check only when the failure looks as the entry says (the HTTP status and a
piece of text in the reason or an error body), so a check that starts failing for another reason is
still a failure. A listed check that passes is reported as `fixed` and fails the matrix until its entry
is removed (like pytest's strict xfail). README.md shows the same table (a test keeps them in step).
"""

from __future__ import annotations

from dataclasses import dataclass

from ._result import CheckResult

__all__ = ["LIMITATIONS", "Limitation", "limitation_for"]


@dataclass(frozen=True)
class Limitation:
    check: str
    """The full check id (`python.llama_index.complete_default`)."""
    reason: str
    status: int | None = None
    """The HTTP status the failure must show, if it comes with one."""
    contains: str = ""
    """Text the failure must show, in its reason or an HTTP error body."""

    def matches(self, result: CheckResult) -> bool:
        if result.id != self.check or result.status != "fail":
            return False
        if self.status is not None and self.status not in {e.status for e in result.http_errors}:
            return False
        texts = [result.reason, *(e.body for e in result.http_errors)]
        return not self.contains or any(self.contains in text for text in texts)


LIMITATIONS: tuple[Limitation, ...] = (
    Limitation(
        check="python.llama_index.complete_default",
        reason="llama-index's OpenAILike defaults to is_chat_model=False, so complete() posts to the legacy "
        "/v1/completions, which Stratus does not serve (404 naming chat completions). Construct it with "
        "is_chat_model=True (checked by llama_index.complete_chat_model).",
        status=404,
        contains="/v1/completions",
    ),
    Limitation(
        check="python.llama_index.structured.text",
        reason="structured_predict with is_function_calling_model=False sends tool_choice='required' without "
        "any tools; the OpenAI API refuses that request with the same 400 ('tool_choice' is only allowed "
        "when 'tools' are specified). Use is_function_calling_model=True "
        "(checked by llama_index.structured.function_calling).",
        status=400,
        contains="tool_choice",
    ),
    Limitation(
        check="python.pydantic_ai.anthropic.structured.native",
        reason="pydantic-ai picks model features from the model name; a stratus-x1ac-…-claude-… name matches "
        "no Claude profile, so NativeOutput is refused before any request is sent. Pass "
        "profile=anthropic_model_profile('<claude id>') (checked by "
        "pydantic_ai.anthropic.structured.native_profile).",
        contains="Native structured output is not supported",
    ),
    *(
        Limitation(
            check=f"python.litellm.anthropic.{name}",
            reason="litellm's anthropic/ route sends max_tokens=128000 (its DEFAULT_ANTHROPIC_CHAT_MAX_TOKENS) for a "
            "model id missing from its model table, and no stratus-x1ac-... id is in it; the Claude family's limit "
            "is 64000, and Anthropic's API refuses the same request for an id litellm does not know with the same "
            "400 (D-MSG-5). Pass max_tokens, set DEFAULT_ANTHROPIC_CHAT_MAX_TOKENS, or litellm.register_model().",
            status=400,
            contains="which is the maximum allowed number of output tokens",
        )
        for name in (
            "completion",
            "acompletion",
            "stream",
            "tools",
            "structured.model",
            "structured.json_object",
        )
    ),
    Limitation(
        check="node.ai_sdk.openai.responses_default",
        reason="The AI SDK's default openai(id) provider calls the Responses API (/v1/responses), which "
        "Stratus does not serve (404 naming chat completions). Use openai.chat(id) "
        "(every other ai_sdk.openai check does).",
        status=404,
        contains="/v1/responses",
    ),
)


def limitation_for(result: CheckResult) -> Limitation | None:
    """The entry listed for this check (whether or not the failure matches it)."""
    return next((entry for entry in LIMITATIONS if entry.check == result.id), None)
