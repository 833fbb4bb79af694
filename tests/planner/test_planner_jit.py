"""The numba kernels give the NumPy search's results bit for bit, and the planner waits for them."""

from __future__ import annotations

import threading
from typing import Any

import msgspec
import numpy as np
import pytest

from reference_server.planner import SIZES, Planner
from reference_server.planner._backend import numba_or_none
from tests.planner._golden import EDGE_CASES
from tests.planner._helpers import load_cases, numpy_planner
from tests.tools.bench_planner import workload

pytestmark = pytest.mark.skipif(numba_or_none() is None, reason="numba is not installed")

PAIRS = (
    [(c["state"], c["goal"]) for c in load_cases()]
    + EDGE_CASES
    + workload(120, seed=11)
    + [(f"novel{i} token{i * 31} {s}", f"{g} item {i}") for i, (s, g) in enumerate(workload(60, seed=12))]
    + [("[button] " * 40, "click"), ("Previous: " + "TYPE [textbox] name " * 12, "Find shoes")]
)


def _bytes(plan: Any) -> bytes:
    return msgspec.json.encode(msgspec.structs.replace(plan, planning_time_ms=0.0))


def _jit_planner(size: str) -> Planner:
    p = Planner(size, backend="numba")
    assert p.wait_for_kernels(timeout=300)
    return p


@pytest.mark.parametrize("size", SIZES)
def test_search_results_are_the_numpy_bits(size: str) -> None:
    """Every array the search hands the policy head, compared byte for byte (not to a tolerance)."""
    ref, jit = numpy_planner(size), _jit_planner(size)
    for state, goal in PAIRS:
        want = ref._search([(state, goal)], ref.params, gpu=False)
        got = jit._search([(state, goal)], jit.params, gpu=False)
        assert got.actions == want.actions, (state, goal)
        for name in ("mags", "deltas", "values"):
            assert np.float32(getattr(got, name)).tobytes() == np.float32(getattr(want, name)).tobytes()
        for name in ("q", "root_avail", "v0", "mag0"):
            a, b = getattr(got, name), getattr(want, name)
            assert (a.dtype, a.shape) == (b.dtype, b.shape), name
            assert a.tobytes() == b.tobytes(), (name, state)


@pytest.mark.parametrize("size", ["small", "base", "huge"])
def test_plans_and_batches_are_the_numpy_plans(size: str) -> None:
    ref, jit = numpy_planner(size), _jit_planner(size)
    for state, goal in PAIRS:
        assert _bytes(jit.plan(state, goal)) == _bytes(ref.plan(state, goal)), (state, goal)
    got = [_bytes(x) for x in jit.plan_batch(PAIRS)]
    assert got == [_bytes(x) for x in ref.plan_batch(PAIRS)]


def test_numpy_search_serves_until_the_kernels_are_ready(monkeypatch: pytest.MonkeyPatch) -> None:
    p = _jit_planner("base")

    class Refuse:
        def search(self, *args: Any) -> Any:
            raise AssertionError("the kernels were called before they were ready")

    want = _bytes(numpy_planner("base").plan(*PAIRS[0]))
    monkeypatch.setattr(p, "_jit_search", lambda params: Refuse())
    monkeypatch.setattr(p, "_jit_ready", threading.Event())
    assert _bytes(p.plan(*PAIRS[0])) == want  # the NumPy search answered
    p._jit_ready.set()  # type: ignore[union-attr]
    with pytest.raises(AssertionError, match="before they were ready"):
        p.plan(*PAIRS[0])
    monkeypatch.undo()
    assert _bytes(p.plan(*PAIRS[0])) == want


def test_numpy_backend_has_no_kernels() -> None:
    p = Planner("base", backend="numpy")
    assert p._jit_ready is None
    assert p.wait_for_kernels(timeout=0) is False


def test_top_b_is_the_stable_argsort() -> None:
    """Ties (common among +inf keys, rare among finite ones) go to the lower index, as NumPy's do."""
    from reference_server.planner._jit import _smallest_jit

    rng = np.random.default_rng(5)
    for _ in range(2000):
        n = int(rng.integers(1, 900))
        keys = rng.integers(-5, 5, n).astype(np.float32)
        keys[rng.random(n) < 0.3] = np.inf
        b = int(rng.integers(1, min(n, 12) + 1))
        top_k, top_i = _smallest_jit(keys, b)
        want = keys.argsort(kind="stable")[:b]
        assert top_i.tolist() == want.tolist()
        assert top_k.tobytes() == keys[want].tobytes()


@pytest.mark.parametrize("size", ["small", "base", "huge"])
def test_rollouts_are_the_numpy_rollouts(size: str) -> None:
    """`/v1/rollout` without actions searches to its own depth (1..50) with the kernels too."""
    ref, jit = numpy_planner(size), _jit_planner(size)
    for i, (state, goal) in enumerate(PAIRS[:40]):
        kwargs: dict[str, Any] = {"max_steps": [1, 3, 5, 12, 50][i % 5]}
        if i % 2:
            kwargs["initial_state"] = state
        want = msgspec.json.encode(ref.rollout(goal, **kwargs))
        assert msgspec.json.encode(jit.rollout(goal, **kwargs)) == want, (goal, kwargs)
