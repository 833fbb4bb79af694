"""Benchmark: `python -m tests.tools.bench_instances [--json OUT]` (not a test).

Times the instance generator over the schema corpus (fixtures/schemas): for every schema, the first
call (`cold`: the schema is checked against its metaschema and its validator built, then cached),
then `--repeat` warm calls split into generation alone (`generate`) and the `jsonschema` check that
`generate_instance` runs on every value (`validate`). Each schema contributes its median warm time;
the report gives the mean and p99 over schemas, and the validation share of a warm call.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path
from typing import Any

from reference_server import _instances
from reference_server._instances import GoalContext

__all__ = ["main"]

CORPUS = Path(__file__).resolve().parents[2] / "fixtures" / "schemas"
GOAL = GoalContext(
    goal="Book 2 rooms in Boston and Paris from June 3 to June 6 for Ana Lima, ana@example.org",
    plan_actions=("type", "click"),
)


def _p99(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]


def _summary(per_schema_ms: list[float]) -> dict[str, float]:
    return {
        "mean_ms": round(statistics.fmean(per_schema_ms), 4),
        "p50_ms": round(statistics.median(per_schema_ms), 4),
        "p99_ms": round(_p99(per_schema_ms), 4),
        "max_ms": round(max(per_schema_ms), 4),
    }


def _time_schema(schema: Any, repeat: int) -> tuple[float, float, float]:
    """(cold ms, median generate ms, median validate ms) for one schema."""
    _instances._prepare.cache_clear()
    t0 = time.perf_counter()
    _instances.generate_instance(schema, GOAL)
    cold = (time.perf_counter() - t0) * 1e3
    doc = _instances._prepare(_instances._schema_key(schema))
    generate: list[float] = []
    validate: list[float] = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        value = _instances._Generator(doc, GOAL).root()
        t1 = time.perf_counter()
        next(iter(doc.validator.iter_errors(value)), None)
        t2 = time.perf_counter()
        generate.append((t1 - t0) * 1e3)
        validate.append((t2 - t1) * 1e3)
    return cold, statistics.median(generate), statistics.median(validate)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=20, help="warm calls per schema")
    parser.add_argument("--limit", type=int, default=0, help="only the first N schemas (0: all)")
    parser.add_argument("--json", type=Path, help="write the figures here")
    args = parser.parse_args(argv)
    paths = sorted(CORPUS.rglob("*.json"))
    paths = paths[: args.limit] if args.limit else paths
    cold: list[float] = []
    generate: list[float] = []
    validate: list[float] = []
    for path in paths:
        c, g, v = _time_schema(json.loads(path.read_text("utf-8")), args.repeat)
        cold.append(c)
        generate.append(g)
        validate.append(v)
    warm = [g + v for g, v in zip(generate, validate, strict=True)]
    report = {
        "schemas": len(paths),
        "repeat": args.repeat,
        "cold": _summary(cold),
        "warm": _summary(warm),
        "generate": _summary(generate),
        "validate": _summary(validate),
        "validate_share_of_warm": round(sum(validate) / sum(warm), 3),
        "python": sys.version.split()[0],
    }
    text = json.dumps(report, indent=2)
    print(text)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(text + "\n", "utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
