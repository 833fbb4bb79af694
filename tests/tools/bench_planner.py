"""Planner latency and throughput benchmark.

    python -m tests.tools.bench_planner [--json OUT] [--requests N] [--sizes base,large]

Pins itself to one CPU core and one BLAS thread (set before NumPy is imported), then for every CPU
backend (`numpy`, and `numba` when it imports; `--backends`) and every size: per-request latency
p50/p99 of `Planner.plan` over states of 4..64 words in three cases (see `_latency`: texts seen before,
a new state with a known goal, both new; each the median of `--rounds` rounds, since a shared machine
drifts between minutes, with the backends and modes interleaved within a round); the same for large
states (a ~50 KB HTML page, a 500-node aria snapshot; `--large`); batch throughput of `plan_batch`;
and the same on the GPU when CuPy and a device are available. Every latency is given as wall time and
as the calling thread's CPU time (`cpu_*`), which other processes on the core inflate far less: on a
shared machine compare the CPU figures. Speed targets live here, never in unit tests.
"""

from __future__ import annotations

import os

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS", "NUMEXPR_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import json  # noqa: E402
import platform  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

import numpy as np  # noqa: E402

__all__ = ["large_states", "main", "workload"]

_FILLER = [
    "header",
    "footer",
    "sidebar",
    "navigation",
    "banner",
    "logo",
    "copyright",
    "privacy",
    "terms",
    "help",
    "account",
    "orders",
    "returns",
    "gift",
    "cards",
    "customer",
    "service",
    "deals",
    "today",
    "new",
    "arrivals",
    "best",
    "sellers",
    "trending",
    "recommended",
    "for",
    "you",
    "recently",
    "viewed",
    "free",
    "shipping",
    "on",
    "orders",
    "over",
    "fifty",
    "dollars",
]


def workload(n: int, seed: int = 0) -> list[tuple[str, str]]:
    """`n` deterministic (state, goal) pairs with states of 4..64 words, from the fixture situations."""
    from tests.tools.planner_eval import build_state

    root = Path(__file__).resolve().parents[2]
    cases = json.loads((root / "fixtures" / "planner" / "cases.json").read_text("utf-8"))["cases"]
    base = [(c["state"], c["goal"]) for c in cases]
    acts = [
        {"operation": "CLICK", "element_role": "[link]", "element_text": "Deals"},
        {"operation": "TYPE: x", "element_role": "[searchbox]", "element_text": "Find a location"},
        {"operation": "SELECT: y", "element_role": "[combobox]", "element_text": "Sort by"},
    ]
    base += [(build_state(acts, i), "Find a store near Boston") for i in range(3)]
    rng = np.random.default_rng(seed)
    out = []
    for i in range(n):
        state, goal = base[i % len(base)]
        words = state.split()
        target = int(rng.integers(4, 65))
        if len(words) < target:
            words = words + [_FILLER[int(j)] for j in rng.integers(0, len(_FILLER), target - len(words))]
        out.append((" ".join(words[:64]), goal))
    return out


_MODES = ("warm", "new_state", "cold")


def large_states(n: int, seed: int = 0) -> dict[str, list[str]]:
    """`n` distinct large states of each kind: a ~50 KB HTML page (header, nav, a search form, a
    product grid, footer) and a 500-node Playwright aria snapshot. Deterministic."""
    rng = np.random.default_rng(seed)
    pages, trees = [], []
    for i in range(n):
        words = [_FILLER[int(j)] for j in rng.integers(0, len(_FILLER), 4000)]
        cards: list[str] = []
        k = 0
        while sum(len(c) for c in cards) < 44_000:
            w = " ".join(words[k % 3990 : k % 3990 + 6])
            cards.append(
                f'<div class="card" data-id="{i}-{k}"><a href="/p/{k}"><img alt="{w}" src="/i/{k}.jpg">'
                f'<h3>{w.title()}</h3></a><span class="price">${k % 97}.99</span>'
                f'<button type="button" aria-label="Add {w} to cart">Add to cart</button></div>'
            )
            k += 1
        nav = "".join(f'<li><a href="/c/{j}">{_FILLER[j % len(_FILLER)].title()}</a></li>' for j in range(30))
        pages.append(
            f"<!doctype html><html><head><title>Shop {i}</title><style>.card{{margin:0}}</style>"
            f"<script>var x = '<div>not markup</div>';</script></head><body>"
            f'<header><nav><ul>{nav}</ul></nav><form role="search"><label for="q">Search</label>'
            f'<input id="q" type="search" name="q" placeholder="Search products"><button>Go</button></form>'
            f'<select aria-label="Sort by"><option>Price</option><option>Rating</option></select></header>'
            f"<main>{''.join(cards)}</main><footer><p>Help</p></footer></body></html>"
        )
        lines = [
            "- document:",
            "  - banner:",
            '    - searchbox "Search products" [ref=e1]',
            '    - button "Go" [ref=e2]',
        ]
        for j in range(496):
            w = " ".join(words[(7 * j) % 3990 : (7 * j) % 3990 + 3])
            role = ("link", "button", "text", "img")[j % 4]
            lines.append(
                f'    - {role} "{w} {i}-{j}" [ref=e{j + 3}]' if role != "text" else f"    - text: {w}"
            )
        trees.append("\n".join(lines))
    return {"html_50kb": pages, "ax_tree_500": trees}


def _large(planner: Any, states: list[str], goal: str) -> dict[str, float]:
    """Latency of never-seen large states (read, encode, plan), then of the same states again; wall
    and CPU time of the calling thread (`cpu_`: what the plan costs, whatever else the core runs)."""
    out: dict[str, float] = {}
    for mode in ("new", "warm"):
        times, cpu = [], []
        for s in states:
            c0 = time.thread_time_ns()
            t0 = time.perf_counter_ns()
            planner.plan(s, goal)
            times.append((time.perf_counter_ns() - t0) / 1e6)
            cpu.append((time.thread_time_ns() - c0) / 1e6)
        out[f"{mode}_p50_ms"] = _pct(times, 50)
        out[f"{mode}_p99_ms"] = _pct(times, 99)
        out[f"{mode}_cpu_p50_ms"] = _pct(cpu, 50)
        out[f"{mode}_cpu_p99_ms"] = _pct(cpu, 99)
    return out


def _pct(xs: list[float], q: float) -> float:
    return round(float(np.percentile(np.asarray(xs), q)), 4)


def _latency(planner: Any, pairs: list[tuple[str, str]], mode: str, salt: int = 0) -> dict[str, float]:
    """`warm`: texts seen before (encoder caches hit); `new_state`: a never-seen state with a known goal
    (an agent loop: the page changes, the task does not); `cold`: state and goal both never seen.
    Wall time, and CPU time of the calling thread (`cpu_`), which a busy machine inflates far less."""
    if mode == "warm":
        for s, g in pairs:
            planner.plan(s, g)
    times, cpu = [], []
    mark = "c" if mode == "cold" else ""  # cold states are not new_state's (their encodings are cached)
    for i, (s, g) in enumerate(pairs):
        if mode != "warm":
            s = " ".join(
                f"item{i}{mark} ref{i * 7919}x{salt} {s}".split()[:64]
            )  # never-seen tokens, <= 64 words
        if mode == "cold":
            g = f"{g} order {i * 104729}x{salt}"
        c0 = time.thread_time_ns()
        t0 = time.perf_counter_ns()
        planner.plan(s, g)
        times.append((time.perf_counter_ns() - t0) / 1e6)
        cpu.append((time.thread_time_ns() - c0) / 1e6)
    return {
        "p50_ms": _pct(times, 50),
        "p99_ms": _pct(times, 99),
        "mean_ms": round(float(np.mean(times)), 4),
        "cpu_p50_ms": _pct(cpu, 50),
        "cpu_p99_ms": _pct(cpu, 99),
    }


def _throughput(planner: Any, pairs: list[tuple[str, str]], batch: int, repeats: int = 3) -> float:
    chunks = [pairs[i : i + batch] for i in range(0, len(pairs), batch)]
    best = float("inf")
    for _ in range(repeats):
        t0 = time.perf_counter()
        for ch in chunks:
            planner.plan_batch(ch)
        best = min(best, time.perf_counter() - t0)
    return round(len(pairs) / best, 1)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Planner latency/throughput benchmark")
    ap.add_argument("--json", type=Path, default=None)
    ap.add_argument("--requests", type=int, default=2000)
    ap.add_argument("--sizes", default="small,base,large,xl,huge")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--backends", default=None, help="CPU backends (default: numpy, and numba if it imports)")
    ap.add_argument("--large", type=int, default=60, help="distinct large states per kind (0: skip)")
    args = ap.parse_args(argv)
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})

    from reference_server.planner import Planner
    from reference_server.planner._backend import cupy_or_none, numba_or_none

    backends = (
        args.backends.split(",") if args.backends else ["numpy"] + (["numba"] if numba_or_none() else [])
    )

    pairs = workload(args.requests)
    large = large_states(args.large) if args.large else {}
    report: dict[str, Any] = {
        "machine": {
            "python": platform.python_version(),
            "numpy": np.__version__,
            "numba": getattr(numba_or_none(), "__version__", None),
            "cpu": platform.processor(),
        },
        "load_average": [round(x, 2) for x in os.getloadavg()] if hasattr(os, "getloadavg") else None,
        "requests": len(pairs),
        "cpu": {b: {} for b in backends},
        "gpu": None,
    }
    for size in args.sizes.split(","):
        planners = {b: Planner(size, backend=b) for b in backends}
        for p in planners.values():
            p.wait_for_kernels()
            for s, g in pairs[:200]:  # warm-up: caches, allocator, numba's compiled code
                p.plan(s, g)
        rounds: dict[str, dict[str, list[dict[str, float]]]] = {b: {m: [] for m in _MODES} for b in backends}
        for salt in range(args.rounds):  # a round interleaves backends and modes; figures are medians
            for b, p in planners.items():
                for mode in _MODES:
                    rounds[b][mode].append(_latency(p, pairs, mode, salt))
        for b, p in planners.items():
            rs_b = rounds[b]
            r: dict[str, Any] = {
                **{
                    mode: {k: statistics.median(x[k] for x in rs) for k in rs[0]} for mode, rs in rs_b.items()
                },
                "rounds": rs_b,
                "batch_throughput_per_s": {str(n): _throughput(p, pairs, n) for n in (1, 32, 256)},
            }
            if args.large and size == "base":
                for kind, states in large.items():
                    r[kind] = _large(p, states, "Find the cheapest wireless earbuds")
            report["cpu"][b][size] = r
            lat = " | ".join(
                f"{m} p50 {r[m]['p50_ms']:.3f} p99 {r[m]['p99_ms']:.3f} "
                f"(cpu {r[m]['cpu_p50_ms']:.3f}/{r[m]['cpu_p99_ms']:.3f})"
                for m in _MODES
            )
            print(f"cpu {b:5} {size:5} {lat} ms | batch/s {r['batch_throughput_per_s']}")
            for kind in large if args.large and size == "base" else ():
                x = r[kind]
                print(
                    f"cpu {b:5} {size:5} {kind}: new p50 {x['new_p50_ms']:.3f} p99 {x['new_p99_ms']:.3f} "
                    f"(cpu {x['new_cpu_p50_ms']:.3f}/{x['new_cpu_p99_ms']:.3f}) | "
                    f"warm p50 {x['warm_p50_ms']:.3f} p99 {x['warm_p99_ms']:.3f} ms"
                )
    if cupy_or_none() is not None:
        report["gpu"] = {}
        big = pairs * max(1, 8192 // len(pairs))
        for size in args.sizes.split(","):
            p = Planner(size, backend="cupy")
            p.plan_batch(big[:256])
            report["gpu"][size] = {
                "device": p.device,
                "batch_throughput_per_s": {str(b): _throughput(p, big, b) for b in (256, 1024, 4096)},
            }
            print(f"gpu {size:5} batch/s {report['gpu'][size]['batch_throughput_per_s']}")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(report, indent=2) + "\n", "utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
