"""`Planner.rollout` (POST /v1/rollout): default state, explicit actions, validation, summary bands."""

from __future__ import annotations

import math

import msgspec
import pytest

from reference_server.planner import Planner, Rollout


def _label(m: float) -> str:
    return "High" if m > 15 else "Medium" if m > 10 else "Low"


def _check(r: Rollout, planner: Planner) -> None:
    n = len(r.predictions)
    assert n == len(r.action_sequence) == r.summary.total_steps >= 1
    for i, (act, pred) in enumerate(zip(r.action_sequence, r.predictions, strict=True), start=1):
        assert act.step == pred.step == i
        assert pred.action == act
        spec = planner.catalog.actions[act.action_id]
        assert (act.action_name, act.action_category) == (spec.name, spec.category)
        assert act.action_category in ("retrieval", "navigation", "interaction", "system")
        assert pred.current_state.step == i - 1
        assert pred.predicted_state.step == i
        assert pred.current_state.confidence == _label(pred.current_state.magnitude)
        assert pred.predicted_state.confidence == _label(pred.predicted_state.magnitude)
        assert pred.state_change >= 0
        assert pred.interpretation
        assert 0.0 <= pred.brain_confidence <= 1.0
        assert -1.0 <= pred.brain_goal_proximity <= 1.0
        if i > 1:
            assert pred.current_state.magnitude == r.predictions[i - 2].predicted_state.magnitude
    s = r.summary
    assert s.planner == "brain"
    assert s.action_path == [a.action_name for a in r.action_sequence]
    assert s.initial_magnitude == r.predictions[0].current_state.magnitude
    assert s.final_magnitude == r.predictions[-1].predicted_state.magnitude
    assert math.isclose(s.total_state_change, sum(p.state_change for p in r.predictions), abs_tol=1e-3)
    total = s.total_state_change
    expected = (
        "Goal likely achieved"
        if total > 20
        else "Significant progress"
        if total >= 10
        else "Minimal progress"
    )
    assert s.outcome == expected


def test_default_initial_state(planner: Planner) -> None:
    r = planner.rollout("Book a flight to Paris")
    assert r.goal == "Book a flight to Paris"
    assert r.initial_state == "Goal: Book a flight to Paris\nStep: 1"
    assert 1 <= len(r.predictions) <= 5
    _check(r, planner)


def test_explicit_actions_override_planning(planner: Planner) -> None:
    r = planner.rollout(
        "Search for shoes", actions=[17, 10, 28], initial_state="Search page with a search box"
    )
    assert [a.action_id for a in r.action_sequence] == [17, 10, 28]
    assert r.initial_state == "Search page with a search box"
    _check(r, planner)
    long = planner.rollout("x", actions=list(range(67)))
    assert long.summary.total_steps == 67
    _check(long, planner)


def test_planned_rollout_follows_the_planner(planner: Planner) -> None:
    state, goal = "Google homepage with a search box", "Search for laptops"
    r = planner.rollout(goal, initial_state=state, max_steps=4)
    plan = planner.plan(state, goal)
    assert r.summary.action_path[0] == plan.action_sequence[0]
    assert r.predictions[0].predicted_state.magnitude == pytest.approx(
        plan.predicted_state_magnitudes[0], abs=1e-3
    )
    assert r.predictions[0].state_change == pytest.approx(plan.predicted_state_changes[0], abs=1e-3)
    assert len(planner.rollout(goal, initial_state=state, max_steps=1).predictions) == 1


@pytest.mark.parametrize("bad", [[67], [-1], [0, 99], [True], ["3"], [1.5]])
def test_invalid_action_ids(planner: Planner, bad: list[int]) -> None:
    with pytest.raises(ValueError, match="action id"):
        planner.rollout("goal", actions=bad)


@pytest.mark.parametrize("bad", [0, -2, 51, True])
def test_invalid_max_steps(planner: Planner, bad: int) -> None:
    with pytest.raises(ValueError, match="max_steps"):
        planner.rollout("goal", max_steps=bad)


def test_empty_actions_rejected(planner: Planner) -> None:
    with pytest.raises(ValueError, match="non-empty"):
        planner.rollout("goal", actions=[])


def test_rollout_json_shape(planner: Planner) -> None:
    data = msgspec.to_builtins(planner.rollout("Buy milk", actions=[0, 1]))
    assert list(data) == ["goal", "initial_state", "action_sequence", "predictions", "summary"]
    assert set(data["predictions"][0]) == {
        "step",
        "action",
        "current_state",
        "predicted_state",
        "state_change",
        "interpretation",
        "brain_confidence",
        "brain_goal_proximity",
    }
    assert set(data["action_sequence"][0]) == {"step", "action_id", "action_name", "action_category"}
    assert set(data["summary"]) == {
        "total_steps",
        "initial_magnitude",
        "final_magnitude",
        "total_state_change",
        "outcome",
        "planner",
        "action_path",
    }
