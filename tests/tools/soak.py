"""Soak benchmark (`nox -s soak`, minutes, not in CI): the server's RSS over time under unique texts.

Starts `stratus-reference serve` (one worker) on a free loopback port and runs two phases back to
back, each for `--minutes`, with `--concurrency` clients:

* `unique_goal`: a short chat request whose goal is new on every request (no cache ever hits);
* `mb_texts`: chat requests whose user text (the goal) and system text (the state) are each a new
  ~1 MB text on every request.

The server's RSS (from /proc) is sampled every `--interval` seconds. Per phase the report gives the
samples, RSS after warm-up (the first fifth of the phase is warm-up), the maximum, and the slope of a
least-squares line over the last half of the phase in MB per minute. The issue's target: RSS under
400 MB after warm-up and a slope under 1 MB/min. Figures only: nothing is asserted.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import httpx

__all__ = ["main"]

KEY = "stratus_sk_test_soakBench0001"
MODEL = "stratus-x1ac-base-gpt-4o"
TARGET_RSS_MB = 400.0
TARGET_SLOPE_MB_PER_MIN = 1.0


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _rss_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status", encoding="ascii") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def _slope_mb_per_min(samples: list[tuple[float, float]]) -> float:
    """Least-squares slope of (seconds, MB) in MB per minute."""
    if len(samples) < 2:
        return 0.0
    n = len(samples)
    mean_t = sum(t for t, _ in samples) / n
    mean_m = sum(m for _, m in samples) / n
    var = sum((t - mean_t) ** 2 for t, _ in samples)
    if var == 0:
        return 0.0
    cov = sum((t - mean_t) * (m - mean_m) for t, m in samples)
    return cov / var * 60


def _text(kind: str, size: int, rng: Any) -> str:
    words = (f"{kind}{rng.token_hex(3)}" for _ in range(size // 10 + 1))
    return " ".join(words)[:size]


def _body(phase: str, n: int) -> dict[str, Any]:
    if phase == "unique_goal":
        system = "Current page: Google homepage with search box visible."
        user = f"Find hotels in NYC for trip {n} {secrets.token_hex(6)}"
    else:
        system = "Current page: " + _text("page", 1_000_000, secrets)
        user = "Find " + _text("goal", 1_000_000, secrets)
    return {
        "model": MODEL,
        "max_tokens": 64,
        "messages": [{"role": "system", "content": system}, {"role": "user", "content": user}],
    }


def _phase(
    base: str, pid: int, phase: str, seconds: float, concurrency: int, interval: float
) -> dict[str, Any]:
    stop = time.monotonic() + seconds
    counts = {"ok": 0, "failed": 0}
    lock = threading.Lock()
    counter = iter(range(10**9))

    def client() -> None:
        with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {KEY}"}, timeout=120) as http:
            while time.monotonic() < stop:
                with lock:
                    n = next(counter)
                try:
                    ok = http.post("/v1/chat/completions", json=_body(phase, n)).status_code == 200
                except httpx.HTTPError:
                    ok = False
                with lock:
                    counts["ok" if ok else "failed"] += 1

    threads = [threading.Thread(target=client, daemon=True) for _ in range(concurrency)]
    start = time.monotonic()
    for t in threads:
        t.start()
    samples: list[tuple[float, float]] = []
    while time.monotonic() < stop:
        samples.append((time.monotonic() - start, _rss_mb(pid)))
        time.sleep(interval)
    for t in threads:
        t.join()
    samples.append((time.monotonic() - start, _rss_mb(pid)))
    warm = [s for s in samples if s[0] >= seconds / 5]
    last_half = [s for s in samples if s[0] >= seconds / 2]
    after = max(m for _, m in warm) if warm else float("nan")
    slope = _slope_mb_per_min(last_half)
    return {
        "phase": phase,
        "seconds": round(time.monotonic() - start, 1),
        "requests_ok": counts["ok"],
        "requests_failed": counts["failed"],
        "rss_start_mb": round(samples[0][1], 1),
        "rss_max_after_warmup_mb": round(after, 1),
        "rss_end_mb": round(samples[-1][1], 1),
        "slope_last_half_mb_per_min": round(slope, 2),
        "meets_target": bool(after < TARGET_RSS_MB and slope < TARGET_SLOPE_MB_PER_MIN),
        "samples": [(round(t, 1), round(m, 1)) for t, m in samples],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.tools.soak", description=__doc__)
    parser.add_argument("--minutes", type=float, default=3.0, help="length of each phase (default 3)")
    parser.add_argument("--concurrency", type=int, default=2)
    parser.add_argument("--interval", type=float, default=5.0, help="seconds between RSS samples")
    parser.add_argument("--phases", default="unique_goal,mb_texts")
    parser.add_argument("--json", type=Path, default=None, help="write the report here")
    args = parser.parse_args(argv)
    port = _free_port()
    env = {**os.environ, "STRATUS_LOG_LEVEL": "warning", "STRATUS_MAX_BODY_BYTES": str(8 * 2**20)}
    server = subprocess.Popen(
        [sys.executable, "-m", "reference_server._cli", "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(base + "/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline or server.poll() is not None:
                raise SystemExit("the server did not start")
            time.sleep(0.2)
        phases = [
            _phase(base, server.pid, name, args.minutes * 60, args.concurrency, args.interval)
            for name in args.phases.split(",")
        ]
    finally:
        server.terminate()
        server.wait(timeout=30)
    report = {
        "target": {"rss_after_warmup_mb": TARGET_RSS_MB, "slope_mb_per_min": TARGET_SLOPE_MB_PER_MIN},
        "phases": phases,
    }
    for p in phases:
        print(
            f"{p['phase']:>12}: {p['requests_ok']} ok / {p['requests_failed']} failed in {p['seconds']} s; "
            f"RSS {p['rss_start_mb']} -> max {p['rss_max_after_warmup_mb']} after warm-up -> "
            f"{p['rss_end_mb']} MB; slope over the last half {p['slope_last_half_mb_per_min']} MB/min "
            f"({'meets' if p['meets_target'] else 'misses'} the target)"
        )
    if args.json is not None:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
