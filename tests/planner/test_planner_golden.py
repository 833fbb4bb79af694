"""Golden outputs: every deterministic planner output is bit-identical to the frozen fixture.

`golden_plans.json.gz` (built by `python -m tests.planner._golden`) holds ~240 (state, goal) inputs and,
for every size, the `plan` and `plan_batch` results (all fields but `planning_time_ms`), plus rollouts
and embedding digests. Performance work must not change any of them; an intended behaviour change
rewrites the fixture on purpose.

The plan and rollout outputs are checked for the NumPy search and, where numba imports, for the
numba kernels (which must give the same bits). The fixture was recorded on x86-64 (AVX-512) with NumPy
2.4 and its bundled OpenBLAS 0.3.31. The search's own sums run in a fixed order, but the encoder's
state-goal dot product goes through BLAS and `exp` through NumPy's SIMD code (or libm), whose last bits
may differ on another CPU or BLAS build. So strings, integers and booleans (the actions, labels, lengths) must match exactly and
floats to 1e-6 relative, which is far tighter than any behaviour change and loose enough for another
CPU's last bit; the embedding digest, a byte-exact check, runs only on the recording platform.
Bit-identity across runs on one machine is what test_planner_determinism checks.
"""

from __future__ import annotations

import json
import platform
from typing import Any

import msgspec
import numpy as np
import pytest

from reference_server.planner import SIZES, Planner
from reference_server.planner._backend import numba_or_none
from tests.planner._golden import ROLLOUT_SIZES, embed_digest, load, rollout_requests

GOLDEN = load()
CPU_BACKENDS = [
    "numpy",
    pytest.param("numba", marks=pytest.mark.skipif(numba_or_none() is None, reason="numba is not installed")),
]


def _planner(size: str, backend: str) -> Planner:
    p = Planner(size, backend=backend)
    p.wait_for_kernels()
    return p


PAIRS: list[tuple[str, str]] = [(s, g) for s, g in GOLDEN["inputs"]]


def _blas() -> str:
    try:
        info = np.show_config(mode="dicts")["Build Dependencies"]["blas"]
        return f"{info.get('name')} {info.get('version')}"
    except Exception:  # pragma: no cover - informative only
        return "unknown"


PLATFORM = f"numpy {np.__version__}, {platform.machine()}, BLAS {_blas()}"


def _plan(plan: Any) -> dict[str, Any]:
    d: dict[str, Any] = msgspec.to_builtins(plan)
    d.pop("planning_time_ms")
    return json.loads(json.dumps(d))  # type: ignore[no-any-return]


def _same(got: Any, want: Any) -> bool:
    if isinstance(want, float) and isinstance(got, float):
        return abs(got - want) <= 1e-6 * max(1.0, abs(want))
    if isinstance(want, dict) and isinstance(got, dict):
        return got.keys() == want.keys() and all(_same(got[k], want[k]) for k in want)
    if isinstance(want, list) and isinstance(got, list):
        return len(got) == len(want) and all(_same(g, w) for g, w in zip(got, want, strict=True))
    return type(got) is type(want) and bool(got == want)


def _diff(kind: str, got: list[dict[str, Any]], want: list[dict[str, Any]]) -> list[str]:
    return [
        f"{kind} #{i} {PAIRS[i]!r}:\n  got  {g}\n  want {w}"
        for i, (g, w) in enumerate(zip(got, want, strict=True))
        if not _same(g, w)
    ]


def test_fixture_is_large_enough() -> None:
    assert len(PAIRS) >= 200
    assert sum(len(GOLDEN["plan"][s]) for s in SIZES) >= 1000


@pytest.mark.parametrize("backend", CPU_BACKENDS)
@pytest.mark.parametrize("size", SIZES)
def test_plan_outputs_unchanged(size: str, backend: str) -> None:
    p = _planner(size, backend)
    got = [_plan(p.plan(s, g)) for s, g in PAIRS]
    again = [_plan(p.plan(s, g)) for s, g in PAIRS]  # warm caches give the same answer
    bad = _diff("plan", got, GOLDEN["plan"][size]) + _diff("plan (cached)", again, GOLDEN["plan"][size])
    assert not bad, f"{len(bad)} changed plans ({PLATFORM}), first ones:\n" + "\n".join(bad[:5])


@pytest.mark.parametrize("backend", CPU_BACKENDS)
@pytest.mark.parametrize("size", SIZES)
def test_plan_batch_outputs_unchanged(size: str, backend: str) -> None:
    p = _planner(size, backend)
    got = [_plan(x) for x in p.plan_batch(PAIRS)]
    bad = _diff("plan_batch", got, GOLDEN["plan_batch"][size])
    assert not bad, f"{len(bad)} changed plans ({PLATFORM}), first ones:\n" + "\n".join(bad[:5])


@pytest.mark.parametrize("size", ROLLOUT_SIZES)
def test_rollout_outputs_unchanged(size: str) -> None:
    p = Planner(size, backend="numpy")
    got = [json.loads(json.dumps(msgspec.to_builtins(p.rollout(**r)))) for r in rollout_requests(PAIRS)]
    want = GOLDEN["rollout"][size]
    bad = [i for i, (g, w) in enumerate(zip(got, want, strict=True)) if not _same(g, w)]
    assert not bad, f"changed rollouts {bad} ({PLATFORM}): first got {got[bad[0]]}, want {want[bad[0]]}"


RECORDED_ON = platform.machine() == "x86_64" and np.__version__.startswith("2.4.")


@pytest.mark.skipif(not RECORDED_ON, reason=f"byte-exact digest recorded on x86_64/numpy 2.4 ({PLATFORM})")
@pytest.mark.parametrize("size", SIZES)
def test_embeddings_unchanged(size: str) -> None:
    p = Planner(size, backend="numpy")
    assert embed_digest(p, [s for s, _ in PAIRS]) == GOLDEN["embed_sha256"][size], PLATFORM
