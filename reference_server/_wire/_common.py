"""Shared building blocks of the wire Structs: strictness, ranges, the `stratus` metadata."""

from __future__ import annotations

from typing import Annotated, Any, Literal

import msgspec

__all__ = [
    "UNSET",
    "BrainSignalWire",
    "ExecutionTraceStep",
    "Request",
    "Response",
    "StratusMetadata",
    "UnsetType",
]

UNSET = msgspec.UNSET
UnsetType = msgspec.UnsetType

Probability = Annotated[float, msgspec.Meta(ge=0.0, le=1.0)]


class Request(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """Base of every request body: unknown fields are a 400 (D-ERR-5)."""


class Response(msgspec.Struct, kw_only=True):
    """Base of every response body. `UNSET` fields are omitted, `None` ones are sent as `null`."""


class BrainSignalWire(Response, kw_only=True):
    """`stratus.brain_signal`: the policy head's recommendation."""

    action_type: str
    confidence: float
    plan_ahead: list[str]
    simulation_confirmed: bool
    goal_proximity: float


class ExecutionTraceStep(Response, kw_only=True):
    """One step of `stratus.execution_trace`."""

    step: int
    action: str
    response_summary: str


class StratusMetadata(Response, kw_only=True):
    """The `stratus` object on chat completions and messages responses (D-STR-1..4)."""

    stratus_model: str
    execution_llm: str
    action_sequence: list[str]
    predicted_state_changes: list[float]
    confidence_labels: list[str] | None
    overall_confidence: float
    confidence: float
    steps_to_goal: int
    planning_time_ms: float
    execution_time_ms: float
    total_steps_executed: int
    execution_trace: list[ExecutionTraceStep]
    brain_signal: BrainSignalWire
    key_source: Literal["user", "formation"]
    formation_markup_applied: float | None


JSONObject = dict[str, Any]
