"""Every hand-written case of fixtures/planner/cases.json plans an acceptable first action, at every size."""

from __future__ import annotations

from typing import Any

import pytest

from reference_server.planner import SIZES
from tests.planner._helpers import load_cases, numpy_planner

CASES = load_cases()


def test_fixture_file_has_enough_cases() -> None:
    assert len(CASES) >= 60
    ids = [c["id"] for c in CASES]
    assert len(ids) == len(set(ids))
    names = set(numpy_planner().catalog.names)
    for c in CASES:
        assert set(c["acceptable_first_actions"]) <= names, c["id"]


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_first_action_is_acceptable(case: dict[str, Any], size: str) -> None:
    plan = numpy_planner(size).plan(case["state"], case["goal"])
    assert plan.action_sequence[0] in case["acceptable_first_actions"], (
        f"{case['id']}: planned {plan.action_sequence}, acceptable first actions {case['acceptable_first_actions']}"
    )


def test_thin_state_has_low_confidence() -> None:
    plan = numpy_planner().plan("A page", "Do the thing")
    assert plan.overall_confidence < 0.7


def test_rich_state_has_high_confidence() -> None:
    plan = numpy_planner().plan("Google homepage with a search box", "Search for best laptops 2024")
    assert plan.action_sequence[0] == "type"
    assert plan.overall_confidence >= 0.7
