"""Deterministic world-model planner behind the `stratus` metadata of every response.

Public surface: `get_planner(size, backend).plan(state, goal) -> Plan`, `plan_batch`, `embed`,
`rollout`, plus `backend_info(backend)` for `/health`; `backend` is `auto|numpy|numba|cupy` (the server
passes `Settings.planner_backend`). The results are domain types (`Plan`, `Rollout`, ...), never wire
shapes. See `ARCHITECTURE.md` in this folder for the data flow.
"""

from reference_server.planner._planner import SIZES, Planner, PlannerBackendError, backend_info, get_planner
from reference_server.planner._types import (
    BrainSignal,
    Plan,
    Rollout,
    RolloutAction,
    RolloutPrediction,
    RolloutState,
    RolloutSummary,
)

__all__ = [
    "SIZES",
    "BrainSignal",
    "Plan",
    "Planner",
    "PlannerBackendError",
    "Rollout",
    "RolloutAction",
    "RolloutPrediction",
    "RolloutState",
    "RolloutSummary",
    "backend_info",
    "get_planner",
]
