"""Anthropic extended thinking on the embedded executor (D-THINK-1, D-THINK-2).

With `thinking` enabled (or adaptive) an answer starts with one `thinking` block: the world-model
plan written as reasoning (the goal, each planned step with its confidence label, the brain signal),
cut to `budget_tokens` tokens, and a signature. The signature is deterministic and opaque: `Ep` and
the URL-safe base64 of a keyed BLAKE2b digest of the whole reasoning, so the same request signs the
same way on every server. `display: omitted` sends the block with an empty `thinking` and the same
signature, as the API does; the omitted reasoning is still counted in `output_tokens`.

The request rules the API has (`check_request`): `budget_tokens` at least 1024 and below
`max_tokens`; no forced tool choice (`any` / a named tool) while thinking. Thinking blocks the
client sends back are accepted and their signatures not checked (D-THINK-2).
"""

from __future__ import annotations

import base64
import hashlib

from reference_server import _wording
from reference_server._errors import ApiError
from reference_server._execution import ThinkingOut
from reference_server._tokens import split_tokens
from reference_server._turn import ForcedTool, Turn
from reference_server.planner import Plan

__all__ = ["MIN_BUDGET", "check_request", "reasoning", "signature", "thinking_for"]

MIN_BUDGET = 1024
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
        if turn.max_tokens is not None and turn.max_tokens <= given.budget_tokens:
            raise ApiError(
                400,
                f"`max_tokens` must be greater than `thinking.budget_tokens`. Please consult our documentation at {_DOCS}",
            )
    if turn.tool_choice == "required" or isinstance(turn.tool_choice, ForcedTool):
        raise ApiError(400, "Thinking may not be enabled when tool_choice forces tool use.")


def reasoning(goal: str, state: str, plan: Plan) -> str:
    """The plan as reasoning: what is asked, the steps with their confidence, the brain signal."""
    actions = list(plan.action_sequence)
    steps = _wording.describe_steps(goal, state, tuple(actions[:5]))
    lines = [f"The user wants me to {_wording.goal_clause(goal)}."]
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


def signature(text: str) -> str:
    digest = hashlib.blake2b(text.encode(), key=_KEY, digest_size=48).digest()
    return "Ep" + base64.urlsafe_b64encode(digest).decode().rstrip("=")


def thinking_for(turn: Turn, plan: Plan, limit: int | None) -> ThinkingOut | None:
    """The thinking block of an embedded answer, or None. After tool results only adaptive thinking
    (interleaved, as the API's adaptive mode) thinks again; `enabled` thinks at the start of the
    assistant turn only. `limit`: the answer's output limit (the reasoning leaves at least one
    token of it for the text)."""
    given = turn.thinking
    if given is None or not given.enabled or (turn.tool_results and given.mode != "adaptive"):
        return None
    tokens = split_tokens(reasoning(turn.goal, turn.state, plan))
    budget = given.budget_tokens or len(tokens)
    if limit is not None:
        budget = min(budget, max(limit - 1, 0))
    text = "".join(tokens[:budget]).strip()
    kept = len(split_tokens(text))
    shown = "" if given.display == "omitted" else text
    return ThinkingOut(text=shown, signature=signature(text), tokens=kept)
