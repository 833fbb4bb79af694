"""The planner's results on the wire, and the cached planner call behind the `stratus` object.

The planner returns domain types (`Plan`, `Rollout`); this module is the one place that turns them
into wire Structs: the `stratus` object (D-STR-1..4) and the body parts of `POST /v1/rollout`.
"""

from __future__ import annotations

import time

from reference_server._catalog import ModelId
from reference_server._errors import ApiError
from reference_server._memo import memo
from reference_server._wire._common import BrainSignalWire, ExecutionTraceStep, StratusMetadata
from reference_server._wire._other import RolloutAction, RolloutPrediction, RolloutState, RolloutSummary
from reference_server.planner import Plan, PlannerBackendError, Rollout, get_planner
from reference_server.planner import RolloutAction as PlannedAction
from reference_server.planner import RolloutState as PlannedState
from reference_server.planner._cachekey import LONG_TEXT_UNCACHED as LONG_TEXT

__all__ = ["plan_for", "rollout_wire", "stratus_metadata", "unavailable"]


def unavailable(size: str, exc: PlannerBackendError) -> ApiError:
    """503 for a planner backend that cannot run here."""
    return ApiError(503, f"Model 'x1ac-{size}' is not available: {exc}")


@memo(entries=4096, max_bytes=16 * 2**20, max_text=LONG_TEXT)
def _cached_plan(size: str, state: str, goal: str, backend: str) -> Plan:
    return get_planner(size, backend).plan(state, goal)


def plan_for(size: str, state: str, goal: str, backend: str) -> tuple[Plan, float]:
    """Plan (cached: planning is deterministic) and the wall time this request spent on it, in ms."""
    t0 = time.perf_counter()
    try:
        plan = _cached_plan(size, state, goal, backend)
    except PlannerBackendError as exc:
        raise unavailable(size, exc) from None
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


def _action(a: PlannedAction) -> RolloutAction:
    return RolloutAction(
        step=a.step, action_id=a.action_id, action_name=a.action_name, action_category=a.action_category
    )


def _state(s: PlannedState) -> RolloutState:
    return RolloutState(step=s.step, magnitude=s.magnitude, confidence=s.confidence)


def rollout_wire(
    rollout: Rollout, *, final_only: bool
) -> tuple[list[RolloutAction], list[RolloutPrediction], RolloutSummary]:
    """`action_sequence`, `predictions` (only the last with `final_only`) and `summary` of a rollout."""
    predictions = rollout.predictions[-1:] if final_only else rollout.predictions
    summary = rollout.summary
    return (
        [_action(a) for a in rollout.action_sequence],
        [
            RolloutPrediction(
                step=p.step,
                action=_action(p.action),
                current_state=_state(p.current_state),
                predicted_state=_state(p.predicted_state),
                state_change=p.state_change,
                interpretation=p.interpretation,
                brain_confidence=p.brain_confidence,
                brain_goal_proximity=p.brain_goal_proximity,
            )
            for p in predictions
        ],
        RolloutSummary(
            total_steps=summary.total_steps,
            initial_magnitude=summary.initial_magnitude,
            final_magnitude=summary.final_magnitude,
            total_state_change=summary.total_state_change,
            outcome=summary.outcome,
            planner=summary.planner,
            action_path=list(summary.action_path),
        ),
    )
