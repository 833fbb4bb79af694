"""Anthropic extended thinking on the embedded executor (D-THINK-1 to D-THINK-4).

With `thinking` enabled (or adaptive) an answer starts with one `thinking` block: the world-model
plan written as reasoning (the goal, each planned step with its confidence label, the brain signal),
cut to `budget_tokens` tokens, and a signature. The signature is deterministic and opaque: `Ep` and
the URL-safe base64 of a keyed BLAKE2b digest of the whole reasoning, so the same request signs the
same way on every server. `display: omitted` sends the block with an empty `thinking` and the same
signature, as the API does; the omitted reasoning is still counted in `output_tokens`.

The request rules the API has (`check_request`): `budget_tokens` at least 1024 and below
`max_tokens` (with the interleaved-thinking beta: below the context window, D-THINK-4); no forced
tool choice (`any` / a named tool) while thinking; `temperature` only 1, `top_p` at least 0.95 and
no `top_k` (D-THINK-3). Thinking blocks the client sends back are accepted and their signatures not
checked (D-THINK-2).

After tool results the answer thinks again only when thinking is interleaved: `adaptive` (and
`between_tools`), or `enabled` with the `interleaved-thinking-2025-05-14` beta (D-THINK-4); the
reasoning then starts from the results.
"""

from __future__ import annotations

import base64
import hashlib

from reference_server import _wording
from reference_server._errors import ApiError
from reference_server._execution import ThinkingOut
from reference_server._tokens import count_tokens, split_tokens
from reference_server._turn import ForcedTool, Opaque, ToolOutcome, ToolResult, Turn
from reference_server.planner import Plan

__all__ = [
    "CONTEXT_WINDOW",
    "INTERLEAVED_BETA",
    "MIN_BUDGET",
    "check_request",
    "reasoning",
    "signature",
    "thinking_for",
]

MIN_BUDGET = 1024
INTERLEAVED_BETA = "interleaved-thinking-2025-05-14"
CONTEXT_WINDOW = 1_000_000
"""The largest context window of a Claude model: with interleaved thinking the budget may exceed
`max_tokens`, "as the token limit becomes your entire context window" (D-THINK-4)."""
_INTERLEAVED_MODES = ("adaptive", "between_tools")
_SAMPLING_DOCS = "https://platform.claude.com/docs/en/build-with-claude/extended-thinking"
_KEY = b"stratus-reference-thinking-v1"
_DOCS = (
    "https://docs.claude.com/en/docs/build-with-claude/extended-thinking#max-tokens-and-context-window-size"
)


def check_request(turn: Turn) -> None:
    """The API's rules for `thinking`, as 400s in its words."""
    given = turn.thinking
    if given is None or not given.enabled:
        return
    if given.budget_tokens is not None:
        if given.budget_tokens < MIN_BUDGET:
            raise ApiError(
                400, f"thinking.enabled.budget_tokens: Input should be greater than or equal to {MIN_BUDGET}"
            )
        if given.interleaved:
            if given.budget_tokens >= CONTEXT_WINDOW:
                raise ApiError(
                    400,
                    f"`thinking.budget_tokens` must be less than the context window ({CONTEXT_WINDOW} tokens) "
                    "with interleaved thinking.",
                )
        elif turn.max_tokens is not None and turn.max_tokens <= given.budget_tokens:
            raise ApiError(
                400,
                f"`max_tokens` must be greater than `thinking.budget_tokens`. Please consult our documentation at {_DOCS}",
            )
    _check_sampling(turn)
    if turn.tool_choice == "required" or isinstance(turn.tool_choice, ForcedTool):
        raise ApiError(400, "Thinking may not be enabled when tool_choice forces tool use.")


def _check_sampling(turn: Turn) -> None:
    """Thinking is not compatible with `temperature` or `top_k` modifications; `top_p` may be set
    between 0.95 and 1 (D-THINK-3, the API's words)."""
    if turn.temperature is not None and turn.temperature != 1:
        raise ApiError(
            400,
            "`temperature` may only be set to 1 when thinking is enabled or in adaptive mode. "
            f"Please consult our documentation at {_SAMPLING_DOCS}",
        )
    if turn.top_p is not None and turn.top_p < 0.95:
        raise ApiError(
            400,
            "`top_p` must be greater than or equal to 0.95 or unset when thinking is enabled or in adaptive mode",
        )
    if turn.top_k is not None:
        raise ApiError(400, "`top_k` must be unset when thinking is enabled or in adaptive mode")


def reasoning(goal: str, state: str, plan: Plan, results: tuple[ToolOutcome, ...] = ()) -> str:
    """The plan as reasoning: what is asked, the steps with their confidence, the brain signal; after
    tool results (interleaved thinking) it starts from what the tools returned."""
    actions = list(plan.action_sequence)
    steps = _wording.describe_steps(goal, state, tuple(actions[:5]))
    lines = [_results_line(results)] if results else []
    lines.append(f"The user wants me to {_wording.goal_clause(goal)}.")
    lines.append(
        f"The world model plans {plan.steps_to_goal} step{'s' if plan.steps_to_goal != 1 else ''} "
        f"from the current state (overall confidence {plan.overall_confidence:.2f})."
    )
    for i, step in enumerate(steps):
        label = plan.confidence_labels[i] if i < len(plan.confidence_labels) else "Low"
        lines.append(f"{i + 1}. {step} ({label} confidence)")
    signal = plan.brain_signal
    verdict = "confirms" if signal.simulation_confirmed else "does not confirm"
    lines.append(
        f"The first action is {signal.action_type} ({signal.confidence:.2f}); the simulation {verdict} "
        f"that the plan reaches the goal (proximity {signal.goal_proximity:.2f})."
    )
    return "\n".join(lines)


def _results_line(results: tuple[ToolOutcome, ...]) -> str:
    said = "; ".join(f"{r.name or 'a tool'} returned {_gist(r.text)}" for r in results[:4])
    more = f" (and {len(results) - 4} more)" if len(results) > 4 else ""
    return f"The tool results are in: {said}{more}. I check them against the plan before I go on."


def _gist(text: str) -> str:
    line = " ".join(text.split())
    return '"' + (line if len(line) <= 60 else line[:57] + "...") + '"' if line else "nothing"


def signature(text: str) -> str:
    digest = hashlib.blake2b(text.encode(), key=_KEY, digest_size=48).digest()
    return "Ep" + base64.urlsafe_b64encode(digest).decode().rstrip("=")


def thinking_for(turn: Turn, plan: Plan, limit: int | None) -> ThinkingOut | None:
    """The thinking block of an embedded answer, or None. After tool results only interleaved
    thinking thinks again: `adaptive` / `between_tools`, or `enabled` with the interleaved-thinking
    beta, whose budget is the whole assistant turn's (the thinking blocks sent back since the turn
    began count against it, D-THINK-4); plain `enabled` thinks at the start of the assistant turn
    only. `limit`: the answer's output limit (the reasoning leaves at least one token of it for the
    text)."""
    given = turn.thinking
    if given is None or not given.enabled:
        return None
    interleaved = given.interleaved or given.mode in _INTERLEAVED_MODES
    if turn.tool_results and not interleaved:
        return None
    tokens = split_tokens(reasoning(turn.goal, turn.state, plan, turn.tool_results))
    budget = given.budget_tokens or len(tokens)
    if given.budget_tokens is not None and given.interleaved:
        budget -= _thought_this_turn(turn)
    if limit is not None:
        budget = min(budget, max(limit - 1, 0))
    if budget <= 0:
        return None
    text = "".join(tokens[:budget]).strip()
    kept = len(split_tokens(text))
    shown = "" if given.display == "omitted" else text
    return ThinkingOut(text=shown, signature=signature(text), tokens=kept)


def _thought_this_turn(turn: Turn) -> int:
    """Tokens of the thinking blocks the client sent back from the current assistant turn: the
    assistant messages after the last user message that is not only tool results."""
    spent = 0
    for message in reversed(turn.messages):
        parts = () if isinstance(message.content, str) else message.content
        if message.role == "user" and (
            isinstance(message.content, str) or not all(isinstance(p, ToolResult) for p in parts)
        ):
            break
        if message.role == "assistant":
            spent += sum(
                count_tokens(str(p.value.get("thinking") or ""))
                for p in parts
                if isinstance(p, Opaque) and p.value.get("type") == "thinking"
            )
    return spent
