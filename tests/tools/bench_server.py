"""Benchmark: `python -m tests.tools.bench_server [--json OUT]` (not a test).

Starts the reference server and a bare Litestar+msgspec echo app, each under uvicorn (one worker) in a
subprocess, and measures with `wrk` (when installed) requests/s and p50/p99 latency of a
non-streaming chat completion at several concurrencies, plus time to first stream event.

With two or more CPUs the servers are pinned to the first CPU and the load generator to the others, so
that the two never compete for a core; bare and reference runs alternate for `--rounds` rounds and every
figure is the median over the rounds (ratios are taken per round, then the median), which keeps slow
drift of a shared machine out of the comparison.

The reference server caches plans (planning is deterministic), so it is measured twice: with one
repeated request (`reference`, plan cache hits) and with a goal that changes on every request
(`reference_uncached`, the planner runs every time). `reference_structured` repeats one request with
`response_format: json_schema` (a nested `$ref` model and an array), whose answer is the schema
instance the generator builds (issue 12).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from typing import Any

import httpx

__all__ = ["main", "print_report"]

KEY = "stratus_sk_test_benchmarkKey01"
CHAT = {
    "model": "stratus-x1ac-small-gpt-4o",
    "messages": [
        {"role": "system", "content": "Current page: Google homepage with search box visible."},
        {"role": "user", "content": "Find hotels in NYC for December 15-18, 2024"},
    ],
}
STRUCTURED = {
    **CHAT,
    "response_format": {
        "type": "json_schema",
        "json_schema": {
            "name": "hotel_search",
            "strict": True,
            "schema": {
                "$defs": {
                    "Hotel": {
                        "type": "object",
                        "properties": {
                            "name": {"type": "string"},
                            "check_in": {"type": "string", "format": "date"},
                            "price": {"type": ["number", "null"], "minimum": 0},
                        },
                        "required": ["name", "check_in", "price"],
                        "additionalProperties": False,
                    }
                },
                "type": "object",
                "properties": {
                    "city": {"type": "string"},
                    "hotels": {"type": "array", "items": {"$ref": "#/$defs/Hotel"}, "minItems": 1},
                },
                "required": ["city", "hotels"],
                "additionalProperties": False,
            },
        },
    },
}
_BARE_APP = """
import msgspec
from litestar import Litestar, post, Request, Response

class Echo(msgspec.Struct, forbid_unknown_fields=False):
    model: str
    messages: list[dict]

@post("/v1/chat/completions", status_code=200)
async def echo(request: Request) -> Response:
    body = msgspec.json.decode(await request.body(), type=Echo, strict=True)
    return Response(msgspec.json.encode(body), media_type="application/json")

def app() -> Litestar:
    return Litestar([echo])
"""


def _port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _cpus() -> tuple[set[int] | None, set[int] | None]:
    """(server CPUs, load-generator CPUs), or (None, None) where pinning is unavailable or pointless."""
    if not hasattr(os, "sched_getaffinity"):
        return None, None
    cpus = sorted(os.sched_getaffinity(0))
    if len(cpus) < 2:
        return None, None
    return {cpus[0]}, set(cpus[1:])


def _pinned(cpus: set[int] | None) -> Any:
    if cpus is None:
        return None
    return lambda: os.sched_setaffinity(0, cpus)


def _serve(target: str, port: int, pythonpath: str) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "PYTHONPATH": pythonpath,
        **dict.fromkeys(("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"), "1"),
    }
    cmd = [
        sys.executable,
        "-m",
        "uvicorn",
        target,
        "--factory",
        "--port",
        str(port),
        "--log-level",
        "warning",
        "--no-access-log",
    ]
    proc = subprocess.Popen(cmd, env=env, preexec_fn=_pinned(_cpus()[0]))
    for _ in range(200):
        try:
            httpx.post(f"http://127.0.0.1:{port}/v1/chat/completions", json=CHAT, timeout=1)
            return proc
        except httpx.TransportError:
            time.sleep(0.05)
    proc.kill()
    raise RuntimeError(f"{target} did not start")


def _vary_lua() -> str:
    """A wrk `request` function whose goal text carries a per-thread counter (no plan cache hits)."""
    head, _, tail = json.dumps(CHAT).partition("Find hotels in NYC")
    return (
        "local n = 0\n"
        "local tag = tostring(math.random(1, 1000000000))\n"
        "request = function()\n"
        "  n = n + 1\n"
        f"  local body = {json.dumps(head)} .. 'Find hotels in NYC ' .. tag .. ' ' .. n .. {json.dumps(tail)}\n"
        "  return wrk.format(nil, nil, nil, body)\n"
        "end\n"
    )


def _wrk(
    port: int, connections: int, seconds: int, vary: bool = False, body: dict[str, Any] = CHAT
) -> dict[str, float]:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as fh:
        fh.write(
            'wrk.method = "POST"\n'
            f"wrk.body = {json.dumps(json.dumps(body))}\n"
            'wrk.headers["Content-Type"] = "application/json"\n'
            f'wrk.headers["Authorization"] = "Bearer {KEY}"\n'
            + (_vary_lua() if vary else "")
            + "done = function(summary, latency, requests)\n"
            '  io.write(string.format("P50 %d\\nP99 %d\\nRPS %f\\nERR %d\\n", latency:percentile(50),'
            " latency:percentile(99), summary.requests / (summary.duration / 1e6),"
            " summary.errors.status + summary.errors.connect + summary.errors.timeout))\n"
            "end\n"
        )
        script = fh.name
    load_cpus = _cpus()[1]
    threads = min(connections, 2 if load_cpus is None else len(load_cpus))
    out = subprocess.run(
        [
            "wrk",
            "-t",
            str(threads),
            "-c",
            str(connections),
            "-d",
            f"{seconds}s",
            "-s",
            script,
            f"http://127.0.0.1:{port}/v1/chat/completions",
        ],
        capture_output=True,
        text=True,
        check=True,
        preexec_fn=_pinned(load_cpus),
    ).stdout
    os.unlink(script)
    values = dict(re.findall(r"^(P50|P99|RPS|ERR) ([\d.]+)$", out, re.M))
    return {
        "rps": float(values["RPS"]),
        "p50_ms": float(values["P50"]) / 1e3,
        "p99_ms": float(values["P99"]) / 1e3,
        "errors": float(values["ERR"]),
    }


def _httpx_load(
    port: int, connections: int, seconds: int, vary: bool = False, body: dict[str, Any] = CHAT
) -> dict[str, float]:
    latencies: list[float] = []
    errors = 0
    with httpx.Client(headers={"Authorization": f"Bearer {KEY}"}) as client:
        end = time.perf_counter() + seconds
        while time.perf_counter() < end:
            sent = body
            if vary:
                goal = f"Find hotels in NYC {len(latencies)} {time.perf_counter_ns()}"
                sent = {**body, "messages": [*body["messages"][:1], {"role": "user", "content": goal}]}
            t0 = time.perf_counter()
            response = client.post(f"http://127.0.0.1:{port}/v1/chat/completions", json=sent)
            latencies.append(time.perf_counter() - t0)
            errors += response.status_code != 200
    latencies.sort()
    return {
        "rps": len(latencies) / seconds,
        "p50_ms": latencies[len(latencies) // 2] * 1e3,
        "p99_ms": latencies[int(len(latencies) * 0.99)] * 1e3,
        "errors": float(errors),
    }


def _ttfe(port: int, samples: int) -> dict[str, float]:
    times = []
    with httpx.Client(headers={"Authorization": f"Bearer {KEY}"}) as client:
        for i in range(samples):
            body = {
                **CHAT,
                "stream": True,
                "messages": [*CHAT["messages"][:1], {"role": "user", "content": f"goal {i % 50}"}],
            }
            t0 = time.perf_counter()
            with client.stream("POST", f"http://127.0.0.1:{port}/v1/chat/completions", json=body) as r:
                first = True
                for _ in r.iter_raw():
                    if first:
                        times.append(time.perf_counter() - t0)
                        first = False
    times.sort()
    return {"p50_ms": statistics.median(times) * 1e3, "p99_ms": times[int(len(times) * 0.99)] * 1e3}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.tools.bench_server", description=__doc__)
    parser.add_argument("--json", default=None, help="write the figures to this file")
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--concurrency", default="1,8,32")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--ttfe-samples", type=int, default=300)
    args = parser.parse_args(argv)
    levels = [int(c) for c in args.concurrency.split(",")]
    load = _wrk if shutil.which("wrk") else _httpx_load
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    bare_dir = tempfile.mkdtemp()
    with open(os.path.join(bare_dir, "bare_echo.py"), "w") as fh:
        fh.write(_BARE_APP)
    server_cpus, load_cpus = _cpus()
    results: dict[str, Any] = {
        "load_generator": load.__name__.strip("_"),
        "seconds": args.seconds,
        "rounds": args.rounds,
        "server_cpus": sorted(server_cpus) if server_cpus else None,
        "load_cpus": sorted(load_cpus) if load_cpus else None,
    }
    ports = {"bare": _port(), "reference": _port()}
    procs = [
        _serve("bare_echo:app", ports["bare"], bare_dir),
        _serve("reference_server._factory:app", ports["reference"], root),
    ]
    configs = (
        ("bare", False, CHAT),
        ("reference", False, CHAT),
        ("reference_uncached", True, CHAT),
        ("reference_structured", False, STRUCTURED),
    )
    runs: dict[str, dict[str, list[dict[str, float]]]] = {
        n: {f"c{c}": [] for c in levels} for n, _, _ in configs
    }
    try:
        for _ in range(args.rounds):
            for c in levels:
                for name, vary, body in configs:
                    port = ports["bare" if name == "bare" else "reference"]
                    runs[name][f"c{c}"].append(load(port, c, args.seconds, vary, body))
        results["ttfe"] = _ttfe(ports["reference"], args.ttfe_samples)
    finally:
        for proc in procs:
            proc.terminate()
            proc.wait(10)
    for name, _, _ in configs:
        results[name] = {
            # medians over rounds, but every failed request of any round counts
            level: {key: (sum if key == "errors" else statistics.median)(r[key] for r in rs) for key in rs[0]}
            for level, rs in runs[name].items()
        }
    for name in ("reference", "reference_uncached", "reference_structured"):
        results[f"ratio_{name}"] = {
            level: statistics.median(
                r["rps"] / b["rps"] for r, b in zip(runs[name][level], runs["bare"][level], strict=True)
            )
            for level in runs["bare"]
        }
    print_report(results, args.json)
    return 0


def print_report(results: dict[str, Any], path: str | None) -> None:
    """Print the figures as JSON, and write them to `path` too when one is given."""
    text = json.dumps(results, indent=2)
    print(text)
    if path:
        os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
        with open(path, "w") as fh:
            fh.write(text + "\n")


if __name__ == "__main__":
    sys.exit(main())
