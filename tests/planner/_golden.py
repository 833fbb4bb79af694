"""Golden planner outputs: the inputs and the frozen outputs of `test_planner_golden.py`.

    python -m tests.planner._golden                # rewrite the outputs of golden_plans.json.gz
    python -m tests.planner._golden --new-inputs   # rebuild its inputs too (needs the Mind2Web traces)

The fixture freezes every deterministic output field (`Plan` minus `planning_time_ms`, whole rollouts,
embedding digests) for a few hundred (state, goal) inputs at every size, through `plan`, `plan_batch`
and `rollout`. Speed work on the planner must leave all of them bit-identical. Rewrite the fixture
only for an intended change of planner behaviour, and say so in the commit message.

Inputs: the hand-written cases of `fixtures/planner/cases.json` and `answers.json`, states built by
`planner_eval.build_state` from a fixed sample of Mind2Web development steps, each also rendered in one
of `planner_formats.RENDERINGS` in turn (Mind2Web, Deng et al., NeurIPS 2023, CC BY 4.0,
https://osu-nlp-group.github.io/Mind2Web/; the state texts are stored in the fixture so the test does
not need the data set), the benchmark workload (states of 4..64 words) and a few edge cases.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import sys
from pathlib import Path
from typing import Any

import msgspec

from reference_server.planner import SIZES, Planner

GOLDEN_PATH = Path(__file__).with_name("golden_plans.json.gz")
MIND2WEB_EVERY = 50
BENCH_PAIRS = 40
ROLLOUT_SIZES = ("small", "base", "huge")

EDGE_CASES = [
    ("", ""),
    ("", "Book a flight to Paris"),
    ("Search results page with 20 items", ""),
    (
        "\uff26\uff55\uff4c\uff4c\uff57\uff49\uff44\uff54\uff48 \uff33\uff25\uff21\uff32\uff23\uff28 box \u2014 caf\u00e9 na\u00efve",
        "Find a caf\u00e9 in Z\u00fcrich",
    ),
    ("Login form with email and password fields. Previous: TYPE [textbox] 'Email'", "Sign in to my account"),
    (" ".join(f"word{i} link button" for i in range(60)), "Click the third link"),
    ("Page is loading, please wait", "Check the order status"),
    ("[button] Submit [textbox] Name [combobox] Country", "Fill in the form and submit it"),
]


def inputs() -> list[tuple[str, str]]:
    """The (state, goal) inputs; needs the Mind2Web traces only when building the fixture."""
    from tests.planner._helpers import ROOT, load_cases
    from tests.tools.bench_planner import workload
    from tests.tools.planner_eval import build_state, default_data
    from tests.tools.planner_formats import RENDERINGS, render, steps_of

    pairs = [(c["state"], c["goal"]) for c in load_cases()]
    answers = json.loads((ROOT / "fixtures" / "planner" / "answers.json").read_text("utf-8"))
    pairs += [(c["state"], c["goal"]) for c in answers["conversation"] + answers["tasks"]]
    path = default_data()
    step = 0
    for n, line in enumerate(path.read_text("utf-8").splitlines()):
        if not line.strip():
            continue
        task = json.loads(line)
        steps = steps_of(task["actions"], f"golden|{n}")
        for i in range(len(task["actions"])):
            if step % MIND2WEB_EVERY == 0:
                pairs.append((build_state(task["actions"], i), task["task"]))
                other = RENDERINGS[(step // MIND2WEB_EVERY) % len(RENDERINGS)]
                pairs.append((render(steps[i], *other), task["task"]))  # the same step in another notation
            step += 1
    pairs += workload(BENCH_PAIRS, seed=1)
    pairs += EDGE_CASES
    return pairs


def _plan(plan: Any) -> dict[str, Any]:
    d: dict[str, Any] = msgspec.to_builtins(plan)
    d.pop("planning_time_ms")
    return d


def embed_digest(planner: Planner, texts: list[str]) -> str:
    return hashlib.sha256(planner.embed(texts).tobytes()).hexdigest()


def rollout_requests(pairs: list[tuple[str, str]]) -> list[dict[str, Any]]:
    """Keyword arguments of the frozen `rollout` calls (default state, explicit state and actions)."""
    reqs: list[dict[str, Any]] = []
    for s, g in pairs[:12]:
        reqs.append({"goal": g, "max_steps": 5})
        reqs.append({"goal": g, "max_steps": 3, "initial_state": s})
    reqs.append({"goal": pairs[0][1], "actions": [0, 5, 17, 66, 3, 3, 40]})
    reqs.append({"goal": pairs[1][1], "initial_state": pairs[1][0], "actions": [12, 1, 2]})
    reqs.append({"goal": "Search for hotels", "max_steps": 12})
    return reqs


def outputs(pairs: list[tuple[str, str]]) -> dict[str, Any]:
    """Every frozen output for `pairs` (fresh planners, NumPy backend)."""
    out: dict[str, Any] = {"plan": {}, "plan_batch": {}, "rollout": {}, "embed_sha256": {}}
    states = [s for s, _ in pairs]
    reqs = rollout_requests(pairs)
    for size in SIZES:
        p = Planner(size, backend="numpy")
        out["plan"][size] = [_plan(p.plan(s, g)) for s, g in pairs]
        out["plan_batch"][size] = [_plan(x) for x in p.plan_batch(pairs)]
        out["embed_sha256"][size] = embed_digest(p, states)
        if size in ROLLOUT_SIZES:
            out["rollout"][size] = [msgspec.to_builtins(p.rollout(**r)) for r in reqs]
    return out


def load() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(gzip.decompress(GOLDEN_PATH.read_bytes()).decode("utf-8"))
    return data


def main(argv: list[str] | None = None) -> None:
    """Rewrite the fixture's outputs for its frozen inputs (`inputs()` follows `planner_formats`, whose
    renderings change; the inputs are rebuilt only with `--new-inputs`)."""
    args = sys.argv[1:] if argv is None else argv
    fresh = "--new-inputs" in args or not GOLDEN_PATH.exists()
    pairs = inputs() if fresh else [(s, g) for s, g in load()["inputs"]]
    doc = {
        "about": (
            "Frozen planner outputs (all fields but planning_time_ms); see tests/planner/_golden.py. "
            "Mind2Web-derived states: Mind2Web (Deng et al., NeurIPS 2023), CC BY 4.0."
        ),
        "inputs": [list(p) for p in pairs],
        **outputs(pairs),
    }
    raw = json.dumps(doc, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode("utf-8")
    GOLDEN_PATH.write_bytes(gzip.compress(raw, compresslevel=9, mtime=0))
    n = sum(len(v) for v in doc["plan"].values())
    print(
        f"{GOLDEN_PATH}: {len(pairs)} inputs, {n} plans, {len(raw)} bytes raw, {GOLDEN_PATH.stat().st_size} gz"
    )


if __name__ == "__main__":
    main()
