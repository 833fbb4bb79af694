"""Helpers shared by the planner tests (NumPy planners per size, the hand-written cases)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import msgspec

from reference_server.planner import Plan, Planner

ROOT = Path(__file__).resolve().parents[2]
CASES_PATH = ROOT / "fixtures" / "planner" / "cases.json"

_planners: dict[str, Planner] = {}


def load_cases() -> list[dict[str, Any]]:
    cases: list[dict[str, Any]] = json.loads(CASES_PATH.read_text("utf-8"))["cases"]
    return cases


def numpy_planner(size: str = "base") -> Planner:
    p = _planners.get(size)
    if p is None:
        p = _planners[size] = Planner(size, backend="numpy")
    return p


def without_time(plan: Plan) -> dict[str, Any]:
    """The plan as JSON-able builtins, minus the one non-deterministic field."""
    d: dict[str, Any] = msgspec.to_builtins(plan)
    d.pop("planning_time_ms")
    return d
