"""Domain types of the planner: `Plan`, `BrainSignal` and the `Rollout` result.

These are what the planner returns, not wire shapes: the server turns them into its wire Structs
(`reference_server/_wire`) in one place, `reference_server/_stratus.py`, so a field here can be
renamed or added without changing what a client sees. Every field is deterministic for a given input
except `Plan.planning_time_ms`.
"""

from __future__ import annotations

import msgspec

__all__ = [
    "BrainSignal",
    "Plan",
    "Rollout",
    "RolloutAction",
    "RolloutPrediction",
    "RolloutState",
    "RolloutSummary",
]


class BrainSignal(msgspec.Struct, frozen=True, kw_only=True):
    """Policy-head recommendation (shown as `stratus.brain_signal`)."""

    action_type: str
    """Best first action; always `Plan.action_sequence[0]`."""
    confidence: float
    """Softmax probability of `action_type` within the available action set, in [0, 1]."""
    plan_ahead: list[str]
    """The next 1-2 actions after `action_type` (`action_sequence[1:3]`)."""
    simulation_confirmed: bool
    """The world model reached the goal threshold and value never decreased along the plan."""
    goal_proximity: float
    """Cosine similarity of the current-state embedding and the goal embedding, in [-1, 1]."""


class Plan(msgspec.Struct, frozen=True, kw_only=True):
    """One planning result (shown as the planning fields of the `stratus` object)."""

    action_sequence: list[str]
    """Planned action names, best first action first."""
    predicted_state_changes: list[float]
    """Per step: L2 norm of (predicted next state - current state)."""
    predicted_state_magnitudes: list[float]
    """Per step: L2 norm of the predicted state embedding (0..25 scale)."""
    confidence_labels: list[str]
    """Per step: "High" if magnitude > 15, "Medium" if > 10, else "Low"."""
    overall_confidence: float
    """Top-1 action softmax probability in [0, 1] (equals `brain_signal.confidence`)."""
    steps_to_goal: int
    """Always `len(action_sequence)`, >= 1."""
    planning_time_ms: float
    """Measured wall time of encode + search; the only non-deterministic field."""
    brain_signal: BrainSignal
    """Policy-head summary of the plan."""


class RolloutAction(msgspec.Struct, frozen=True, kw_only=True):
    """One step of a rollout action sequence."""

    step: int
    action_id: int
    action_name: str
    action_category: str
    """One of "retrieval", "navigation", "interaction", "system"."""


class RolloutState(msgspec.Struct, frozen=True, kw_only=True):
    """Summary of one latent state: its magnitude and the legacy magnitude label."""

    step: int
    magnitude: float
    confidence: str
    """"High" if magnitude > 15, "Medium" if > 10, else "Low"."""


class RolloutPrediction(msgspec.Struct, frozen=True, kw_only=True):
    """World-model prediction for one rollout step."""

    step: int
    action: RolloutAction
    current_state: RolloutState
    predicted_state: RolloutState
    state_change: float
    """L2 norm of (predicted state - current state)."""
    interpretation: str
    brain_confidence: float
    """Policy-head softmax probability of this action in the state it was taken from."""
    brain_goal_proximity: float
    """Cosine similarity of the predicted state and the goal embedding."""


class RolloutSummary(msgspec.Struct, frozen=True, kw_only=True):
    """Totals over a rollout."""

    total_steps: int
    initial_magnitude: float
    final_magnitude: float
    total_state_change: float
    outcome: str
    """"Goal likely achieved" (> 20), "Significant progress" (10-20) or "Minimal progress" (< 10)."""
    planner: str
    """Always "brain"."""
    action_path: list[str]


class Rollout(msgspec.Struct, frozen=True, kw_only=True):
    """Result of `Planner.rollout` (shown as the body of `POST /v1/rollout`)."""

    goal: str
    initial_state: str
    action_sequence: list[RolloutAction]
    predictions: list[RolloutPrediction]
    summary: RolloutSummary
