"""Plans and answers a person would accept: conversation gets a short reply and an honest one-step plan;
a task on a generic page gets distinct, goal-directed steps (fixtures/planner/answers.json)."""

from __future__ import annotations

import itertools
import json
from typing import Any

import pytest

from reference_server import _wording
from reference_server.planner import Planner
from reference_server.planner._intent import conversation_kind
from tests.planner._helpers import ROOT

DOC = json.loads((ROOT / "fixtures" / "planner" / "answers.json").read_text("utf-8"))
CONVERSATION: list[dict[str, Any]] = DOC["conversation"]
TASKS: list[dict[str, Any]] = DOC["tasks"]


@pytest.mark.parametrize("case", CONVERSATION, ids=[c["id"] for c in CONVERSATION])
def test_conversation_plan_is_one_honest_wait(case: dict[str, Any], planner: Planner) -> None:
    plan = planner.plan(case["state"], case["goal"])
    assert plan.action_sequence == ["wait"]
    assert plan.steps_to_goal == 1
    assert plan.predicted_state_changes == [0.0]
    assert plan.overall_confidence <= 0.125  # 1 / (number of available actions): no preference
    assert plan.brain_signal.simulation_confirmed is False
    assert plan.brain_signal.plan_ahead == []
    (batched,) = planner.plan_batch([(case["state"], case["goal"])])
    assert batched.action_sequence == ["wait"]


@pytest.mark.parametrize("index", [0, 1])
@pytest.mark.parametrize("case", CONVERSATION, ids=[c["id"] for c in CONVERSATION])
def test_conversation_answer_is_short_and_natural(case: dict[str, Any], index: int, planner: Planner) -> None:
    plan = planner.plan(case["state"], case["goal"])
    text = _wording.compose(case["goal"], case["state"], plan, index, [], [])
    assert len(text.split()) <= 30, text
    assert "**" not in text, text  # no step list
    assert f"you {case['goal'].lower()}" not in text.lower(), text  # not "I'll help you hi"


@pytest.mark.parametrize("case", TASKS, ids=[c["id"] for c in TASKS])
def test_task_plans_distinct_goal_directed_steps(case: dict[str, Any], planner: Planner) -> None:
    plan = planner.plan(case["state"], case["goal"])
    seq = plan.action_sequence
    assert "wait" not in seq[:1]
    assert len(seq) >= case["steps_at_least"], seq
    assert all(a != b for a, b in itertools.pairwise(seq)), seq
    order = case.get("in_order", [])  # as a person would: the place typed before the dates are picked
    assert [a for a in seq if a in order] == order, seq
    text = _wording.compose(case["goal"], case["state"], plan, 0, [], [])
    steps = [line for line in text.splitlines() if line.startswith("**")]
    assert len(steps) == min(3, len(seq))
    assert len(set(steps)) == len(steps), text
    for word in case["answer_mentions"]:
        assert word in text, (word, text)


def test_intent_keeps_tasks_tasks() -> None:
    for task in (
        "Find flights to Paris",
        "hi, find flights to Paris",
        "What is the price of this coffee maker",
        "Search for hello world",
        "Say hi to Bob on the chat page",
        "Thank the seller in a review",
    ):
        assert conversation_kind(task) is None, task
    assert conversation_kind("Hi there!") == "greeting"
    assert conversation_kind("thanks so much") == "thanks"
    assert conversation_kind("hey, how are you?") == "greeting"
