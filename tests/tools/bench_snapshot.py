"""Benchmark: how long ``stratus-conformance snapshot`` takes over the whole request corpus.

``python -m tests.tools.bench_snapshot [--rounds 3] [--jobs 4] [--json reports/snapshot_bench.json]``

Each round runs the real command as a user does, in a fresh process that starts the reference
server on a loopback port: once with ``--update`` into an empty directory (record), then once
comparing against what it wrote (check, the CI job). Also reported: the server's start-up time and
the per-request latency seen by the check. Figures, never pass/fail (the target of issue 14: a check
of the corpus under 15 s on a 2-core machine); every figure is the median over the rounds.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from conformance._corpus import load_corpus
from conformance._server import reference_server

__all__ = ["main"]


def _cli(args: list[str]) -> tuple[float, int, dict[str, Any]]:
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "report.json"
        start = time.perf_counter()
        proc = subprocess.run(
            [
                sys.executable,
                "-c",
                "from conformance._cli import main; main()",
                *args,
                "--report-json",
                str(report),
            ],
            capture_output=True,
            text=True,
            check=False,
            env={**os.environ, "COLUMNS": "200"},
        )
        wall = time.perf_counter() - start
        data = json.loads(report.read_text()) if report.exists() else {}
    if proc.returncode != 0:
        raise SystemExit(f"snapshot exited {proc.returncode}:\n{proc.stdout[-2000:]}\n{proc.stderr[-2000:]}")
    return wall, proc.returncode, data


def _startup() -> float:
    start = time.perf_counter()
    with reference_server():
        return time.perf_counter() - start


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))] if ordered else 0.0


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--jobs", type=int, default=4)
    p.add_argument("--only", action="append", default=[], help="request-id prefix (smoke runs)")
    p.add_argument("--json", type=Path, default=None)
    a = p.parse_args(argv)
    selection = [arg for prefix in a.only for arg in ("--only", prefix)]
    total = len([r for r in load_corpus() if not a.only or r.id.startswith(tuple(a.only))])
    rounds: dict[str, list[float]] = {"record_s": [], "check_s": [], "check_engine_s": [], "startup_s": []}
    latencies: list[float] = []
    for _ in range(a.rounds):
        with tempfile.TemporaryDirectory() as tmp:
            snaps = ["--snapshots", str(Path(tmp) / "snaps"), "--jobs", str(a.jobs), *selection]
            record, _, _ = _cli(["snapshot", "--update", *snaps])
            check, _, data = _cli(["snapshot", *snaps])
        rounds["record_s"].append(round(record, 3))
        rounds["check_s"].append(round(check, 3))
        rounds["check_engine_s"].append(float(data.get("duration_s", 0.0)))
        rounds["startup_s"].append(round(_startup(), 3))
        latencies += [float(r["elapsed_s"]) * 1000 for r in data.get("results", [])]
    result = {
        "requests": total,
        "jobs": a.jobs,
        "rounds": a.rounds,
        "cpus": os.cpu_count(),
        "target_s": 15.0,
        **{f"{name}_median": round(statistics.median(values), 3) for name, values in rounds.items()},
        "request_p50_ms": round(_pct(latencies, 0.5), 2),
        "request_p99_ms": round(_pct(latencies, 0.99), 2),
        "per_round": rounds,
        "note": "check_s: the whole `stratus-conformance snapshot` process (Python start-up, reference "
        "server start-up, every request, comparison); check_engine_s: the engine's own duration; "
        "figures from a shared machine are noisy",
    }
    text = json.dumps(result, indent=1)
    if a.json:
        a.json.parent.mkdir(parents=True, exist_ok=True)
        a.json.write_text(text + "\n", encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
