"""The `stratus` response object (D-STR-1..4) and the cached planner call behind it."""

from __future__ import annotations

import time

from reference_server._catalog import ModelId
from reference_server._errors import ApiError
from reference_server._memo import memo
from reference_server._wire._common import BrainSignalWire, ExecutionTraceStep, StratusMetadata
from reference_server.planner import Plan, PlannerBackendError, get_planner
from reference_server.planner._cachekey import LONG_TEXT_UNCACHED as LONG_TEXT

__all__ = ["plan_for", "stratus_metadata"]


@memo(entries=4096, max_bytes=16 * 2**20, max_text=LONG_TEXT)
def _cached_plan(size: str, state: str, goal: str) -> Plan:
    return get_planner(size).plan(state, goal)


def plan_for(size: str, state: str, goal: str) -> tuple[Plan, float]:
    """Plan (cached: planning is deterministic) and the wall time this request spent on it, in ms."""
    t0 = time.perf_counter()
    try:
        plan = _cached_plan(size, state, goal)
    except PlannerBackendError as exc:
        raise ApiError(503, f"Model 'x1ac-{size}' is not available: {exc}") from None
    return plan, (time.perf_counter() - t0) * 1e3


def stratus_metadata(
    plan: Plan,
    model: ModelId,
    *,
    byok: bool,
    planning_ms: float,
    execution_ms: float,
    summary: str,
) -> StratusMetadata:
    """Fill the `stratus` object from a plan; `summary` describes what the executor produced."""
    sig = plan.brain_signal
    return StratusMetadata(
        stratus_model=f"x1ac-{model.size}",
        execution_llm=model.llm,
        action_sequence=list(plan.action_sequence),
        predicted_state_changes=list(plan.predicted_state_changes),
        confidence_labels=list(plan.confidence_labels),
        overall_confidence=plan.overall_confidence,
        confidence=plan.overall_confidence,
        steps_to_goal=plan.steps_to_goal,
        planning_time_ms=round(planning_ms, 3),
        execution_time_ms=round(execution_ms, 3),
        total_steps_executed=1,
        execution_trace=[
            ExecutionTraceStep(
                step=1,
                action=plan.action_sequence[0] if plan.action_sequence else "respond",
                response_summary=summary,
            )
        ],
        brain_signal=BrainSignalWire(
            action_type=sig.action_type,
            confidence=sig.confidence,
            plan_ahead=list(sig.plan_ahead),
            simulation_confirmed=sig.simulation_confirmed,
            goal_proximity=sig.goal_proximity,
        ),
        key_source="user" if byok else "formation",
        formation_markup_applied=None if byok else 0.25,
    )
