"""Same input -> same plan (all fields but planning_time_ms), across calls, batches and processes."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from reference_server.planner import Planner
from tests.planner._helpers import ROOT, load_cases, numpy_planner, without_time

SCRIPT = """
import json, sys
import msgspec
from reference_server.planner import Planner
cases = json.loads(sys.stdin.read())
out = []
for size in ("small", "base", "huge"):
    p = Planner(size, backend="numpy")
    for s, g in cases:
        d = msgspec.to_builtins(p.plan(s, g)); d.pop("planning_time_ms"); out.append(d)
    out.append(p.embed([s for s, _ in cases]).round(6).tolist())
    out.append(msgspec.to_builtins(p.rollout(cases[0][1])))
print(json.dumps(out))
"""


def test_repeatable_in_process(planner: Planner) -> None:
    for case in load_cases()[:20]:
        a = without_time(planner.plan(case["state"], case["goal"]))
        b = without_time(Planner("base", backend="numpy").plan(case["state"], case["goal"]))
        assert a == b


def test_plan_batch_matches_plan(planner: Planner) -> None:
    cases = load_cases()
    pairs = [(c["state"], c["goal"]) for c in cases]
    batch = planner.plan_batch(pairs)
    assert len(batch) == len(pairs)
    for (s, g), plan in zip(pairs, batch, strict=True):
        single = planner.plan(s, g)
        assert plan.action_sequence == single.action_sequence
        assert plan.confidence_labels == single.confidence_labels
        assert abs(plan.overall_confidence - single.overall_confidence) < 1e-5
        for x, y in zip(plan.predicted_state_magnitudes, single.predicted_state_magnitudes, strict=True):
            assert abs(x - y) < 1e-3
    assert planner.plan_batch([]) == []


def test_micro_batcher(planner: Planner) -> None:
    cases = load_cases()[:12]
    futures = [planner.submit(c["state"], c["goal"]) for c in cases]
    for c, fut in zip(cases, futures, strict=True):
        assert fut.result(timeout=10).action_sequence == planner.plan(c["state"], c["goal"]).action_sequence


def test_same_across_processes_and_hash_seeds() -> None:
    cases = [(c["state"], c["goal"]) for c in load_cases()[:8]]
    outs = []
    for seed in ("0", "12345"):
        env = {
            **os.environ,
            "PYTHONHASHSEED": seed,
            "STRATUS_PLANNER_BACKEND": "numpy",
            "PYTHONPATH": str(ROOT),
        }
        proc = subprocess.run(
            [sys.executable, "-c", SCRIPT],
            input=json.dumps(cases),
            capture_output=True,
            text=True,
            env=env,
            cwd=ROOT,
            check=True,
            timeout=120,
        )
        outs.append(json.loads(proc.stdout))
    assert outs[0] == outs[1]
    here = [without_time(numpy_planner("small").plan(s, g)) for s, g in cases]
    assert json.loads(json.dumps(here)) == outs[0][: len(cases)]
