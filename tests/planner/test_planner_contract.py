"""The `Plan` contract: every field with its documented meaning, for every size."""

from __future__ import annotations

import math

import msgspec
import numpy as np
import pytest

import reference_server.planner as planner_pkg
from reference_server.planner import SIZES, BrainSignal, Plan, Planner, get_planner
from tests.planner._helpers import load_cases, numpy_planner

DIMS = {"small": 512, "base": 768, "large": 1024, "xl": 1280, "huge": 1536}


def test_public_surface() -> None:
    assert sorted(planner_pkg.__all__) == sorted(
        [
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
    )
    assert SIZES == ("small", "base", "large", "xl", "huge")


def _label(m: float) -> str:
    return "High" if m > 15 else "Medium" if m > 10 else "Low"


@pytest.mark.parametrize("size", SIZES)
def test_plan_fields(size: str) -> None:
    p = numpy_planner(size)
    for case in load_cases():
        plan = p.plan(case["state"], case["goal"])
        n = len(plan.action_sequence)
        assert n >= 1
        assert plan.steps_to_goal == n
        assert len(plan.predicted_state_changes) == n
        assert len(plan.predicted_state_magnitudes) == n
        assert plan.confidence_labels == [_label(m) for m in plan.predicted_state_magnitudes]
        assert all(0.0 <= m <= 25.0 for m in plan.predicted_state_magnitudes)
        assert all(d >= 0.0 for d in plan.predicted_state_changes)
        assert 0.0 <= plan.overall_confidence <= 1.0
        bs = plan.brain_signal
        assert bs.action_type == plan.action_sequence[0]
        assert bs.plan_ahead == plan.action_sequence[1:3]
        assert bs.confidence == plan.overall_confidence
        assert -1.0 <= bs.goal_proximity <= 1.0
        assert isinstance(bs.simulation_confirmed, bool)
        assert plan.planning_time_ms >= 0.0
        assert set(plan.action_sequence) <= set(p.catalog.names)


def test_confidence_is_top1_softmax(planner: Planner) -> None:
    from reference_server.planner._policy import masked_softmax

    state, goal = "Google homepage with a search box", "Search for laptops"
    res = planner._search([(state, goal)], planner.params, gpu=False)
    probs = masked_softmax(res.q[0], res.root_avail[0])
    plan = planner.plan(state, goal)
    top = int(np.argmax(probs))
    assert planner.catalog.names[top] == plan.action_sequence[0]
    assert math.isclose(plan.overall_confidence, probs[top], abs_tol=1e-6)
    assert math.isclose(float(probs.sum()), 1.0, abs_tol=1e-9)


def test_goal_proximity_is_cosine(planner: Planner) -> None:
    state, goal = "Search results for laptops with prices", "find laptops"
    plan = planner.plan(state, goal)
    s = planner.encoder.encode_state(state)
    g = planner.encoder.encode_goal(goal)
    from reference_server.planner._encoder import S_C, S_G, S_H

    zs = np.concatenate([S_C * s.c, S_H * s.h]).astype(np.float64)
    zg = np.concatenate([S_C * g.c, S_G * g.h]).astype(np.float64)
    cos = float(zs @ zg / np.linalg.norm(zs) / np.linalg.norm(zg))
    assert math.isclose(plan.brain_signal.goal_proximity, cos, abs_tol=1e-5)


def test_plan_serialises_with_msgspec(planner: Planner) -> None:
    plan = planner.plan("Login form with username and password", "Log in")
    data = msgspec.json.decode(msgspec.json.encode(plan))
    assert set(data) == {
        "action_sequence",
        "predicted_state_changes",
        "predicted_state_magnitudes",
        "confidence_labels",
        "overall_confidence",
        "steps_to_goal",
        "planning_time_ms",
        "brain_signal",
    }
    assert set(data["brain_signal"]) == {
        "action_type",
        "confidence",
        "plan_ahead",
        "simulation_confirmed",
        "goal_proximity",
    }
    assert msgspec.json.decode(msgspec.json.encode(plan), type=Plan) == plan
    with pytest.raises(AttributeError):
        plan.steps_to_goal = 3  # type: ignore[misc]
    assert isinstance(plan.brain_signal, BrainSignal)


@pytest.mark.parametrize("size", SIZES)
def test_embed_width_and_scale(size: str) -> None:
    p = numpy_planner(size)
    e = p.embed(["Google homepage with a search box", "", "Page is still loading"])
    assert e.dtype == np.float32
    assert e.shape == (3, DIMS[size])
    norms = np.linalg.norm(e, axis=1)
    assert np.all((norms > 0) & (norms <= 25.0))
    assert np.array_equal(e, p.embed(["Google homepage with a search box", "", "Page is still loading"]))


def test_sizes_differ() -> None:
    configs = {s: numpy_planner(s).config for s in SIZES}
    assert len({c.dim for c in configs.values()}) == 5
    assert [c.beam for c in configs.values()] == sorted(c.beam for c in configs.values())
    assert configs["small"].depth < configs["huge"].depth


def test_empty_state_plans_navigation(planner: Planner) -> None:
    plan = planner.plan("", "Go to example.com")
    assert plan.action_sequence[0] == "navigate"


def test_unknown_size() -> None:
    with pytest.raises(ValueError, match="unknown planner size"):
        Planner("mega")


def test_get_planner_is_cached() -> None:
    assert get_planner("small", "numpy") is get_planner("small", "numpy")
    assert get_planner("small", "numpy") is not get_planner("base", "numpy")
    assert get_planner("base", "numpy").backend == "numpy"


def test_long_and_odd_text(planner: Planner) -> None:
    state = (
        " ".join(["word"] * 5000) + " search box \u00e9\u00e8 \U0001f600 \uff33\uff25\uff21\uff32\uff23\uff28"
    )
    plan = planner.plan(state, "search " * 1000)
    assert plan.steps_to_goal >= 1
