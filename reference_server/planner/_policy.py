"""Policy head: masked softmax over look-ahead Q values, and assembly of the `Plan` Struct.

`p(a) = exp(beta * Q(a)) / sum_{a' available} exp(beta * Q(a'))`, computed on the host in float64 for
both backends (host-side final selection). `overall_confidence = brain_signal.confidence = p(plan[0])`.
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt

from reference_server.planner._types import BrainSignal, Plan

__all__ = ["BETA", "confidence_label", "conversation_plan", "make_plan", "masked_softmax", "softmax_at"]

BETA = 30.0
"""Inverse temperature of the policy head (fixed; the LLM temperature never reaches the planner)."""


def confidence_label(magnitude: float) -> str:
    """Contract bands: "High" if > 15, "Medium" if > 10, else "Low"."""
    return "High" if magnitude > 15.0 else "Medium" if magnitude > 10.0 else "Low"


def masked_softmax(
    q: npt.NDArray[np.float32], avail: npt.NDArray[np.bool_], beta: float = BETA
) -> npt.NDArray[np.float64]:
    """Softmax of `beta * q` over the available entries (0 elsewhere); float64, fixed order."""
    x = np.where(avail, q.astype(np.float64) * beta, -np.inf)
    m = x.max()
    if not np.isfinite(m):
        return np.zeros(q.shape, np.float64)
    e = np.where(avail, np.exp(x - m), 0.0)
    out: npt.NDArray[np.float64] = e / e.sum()
    return out


def softmax_at(q: npt.NDArray[np.float32], index: int, beta: float = BETA) -> float:
    """`masked_softmax(q, q > -inf)[index]`, bit for bit, without building the whole distribution.

    The search leaves `Q = -inf` exactly where an action is unavailable, so the mask is implied:
    `exp(-inf) = 0` puts the same zeros where `masked_softmax` writes them, and the sum runs over the
    same array in the same order.
    """
    e = np.multiply(q, beta, dtype=np.float64)  # = q.astype(np.float64) * beta
    m = float(np.maximum.reduce(e))  # `e.max()` without the method wrapper
    if not math.isfinite(m):
        return 0.0
    e -= m
    np.exp(e, out=e)
    return float(e[index] / np.add.reduce(e))  # `e.sum()`: the same pairwise sum


def make_plan(
    names: tuple[str, ...],
    actions: list[int],
    mags: list[float],
    deltas: list[float],
    values: list[float],
    conf: float,
    v0: float,
    tau_goal: float,
    elapsed_ms: float,
) -> Plan:
    """Build the wire `Plan` from one request's search trace; `conf` = policy probability of `actions[0]`."""
    seq = [names[a] for a in actions]
    conf = round(conf, 6)
    monotone = all(b >= a for a, b in zip([v0, *values], values, strict=False))
    mags_r = [round(m, 4) for m in mags]
    return Plan(
        action_sequence=seq,
        predicted_state_changes=[round(d, 4) for d in deltas],
        predicted_state_magnitudes=mags_r,
        confidence_labels=[confidence_label(m) for m in mags_r],
        overall_confidence=conf,
        steps_to_goal=len(seq),
        planning_time_ms=elapsed_ms,
        brain_signal=BrainSignal(
            action_type=seq[0],
            confidence=conf,
            plan_ahead=seq[1:3],
            simulation_confirmed=bool(values[-1] >= tau_goal and monotone),
            goal_proximity=round(min(1.0, max(-1.0, v0)), 6),
        ),
    )


def conversation_plan(
    names: tuple[str, ...], wait: int, mag0: float, v0: float, n_available: int, elapsed_ms: float
) -> Plan:
    """The honest plan for conversation (a greeting, thanks, small talk; spec/DECISIONS.md D-PLAN-1):
    one `wait` step (nothing on the page is to be done; the agent waits for a task) that changes
    nothing, labelled by the current state's magnitude, with the confidence of a policy that has no
    preference among the `n_available` available actions, 1/n, and `simulation_confirmed` false."""
    conf = round(1.0 / max(n_available, 1), 6)
    mag = round(mag0, 4)
    return Plan(
        action_sequence=[names[wait]],
        predicted_state_changes=[0.0],
        predicted_state_magnitudes=[mag],
        confidence_labels=[confidence_label(mag)],
        overall_confidence=conf,
        steps_to_goal=1,
        planning_time_ms=elapsed_ms,
        brain_signal=BrainSignal(
            action_type=names[wait],
            confidence=conf,
            plan_ahead=[],
            simulation_confirmed=False,
            goal_proximity=round(min(1.0, max(-1.0, v0)), 6),
        ),
    )
