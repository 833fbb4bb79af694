"""Fixtures of the planner tests."""

from __future__ import annotations

import pytest

from reference_server.planner import Planner
from tests.planner._helpers import numpy_planner


@pytest.fixture
def planner() -> Planner:
    return numpy_planner("base")
