"""Profile: `python -m tests.tools.profile_request [--profile] [--json OUT]` (not a test).

The CPU time one repeated request costs the reference server, measured in process: the app that
`bench_server` serves (`reference_server._factory:app`, configured from the same `STRATUS_*`
environment) and the same bare Litestar+msgspec echo app are driven as ASGI apps, without a socket
or uvicorn, with the bodies and headers `bench_server`'s `wrk` sends (`reference_uncached`: a goal
with a counter, so every request plans, as `bench_server`'s). Each body is sent `--warmup`
times, then `--requests` times under `time.process_time`; the figure is the median over `--rounds`
of CPU microseconds per request (`_best`: the lowest round, what a busy machine adds least to). Unlike `wrk` figures it hardly moves when other processes share the
CPU, so it shows what a change to the hot path saves. The ratio bare/reference here leaves out what
uvicorn costs both (HTTP parsing, the event loop), so it is lower than `bench_server`'s ratio.

`--profile` runs the repeated chat request under cProfile and prints the functions by own time and
by cumulative time.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import importlib.util
import itertools
import json
import os
import pstats
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from typing import Any

from reference_server._factory import app as reference_app
from reference_server.planner import _jit
from tests.tools.bench_server import _BARE_APP, CHAT, KEY, STRUCTURED, print_report

__all__ = ["main"]

Asgi = Callable[..., Any]


def _bare_app() -> Asgi:
    folder = tempfile.mkdtemp()
    path = os.path.join(folder, "bare_echo.py")
    with open(path, "w") as fh:
        fh.write(_BARE_APP)
    spec = importlib.util.spec_from_file_location("bare_echo", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["bare_echo"] = module  # Litestar reads the handler's annotations from its module
    spec.loader.exec_module(module)
    app: Asgi = module.app()
    return app


async def _lifespan(app: Asgi) -> None:
    """Run the app's startup (the reference server builds its planner there), as uvicorn does."""
    events = [{"type": "lifespan.startup"}]
    started = asyncio.Event()

    async def receive() -> dict[str, Any]:
        if events:
            return events.pop()
        await asyncio.Event().wait()  # never: the app waits here until the loop ends
        return {}

    async def send(message: dict[str, Any]) -> None:
        if message["type"].startswith("lifespan.startup"):
            started.set()

    asyncio.get_running_loop().create_task(
        app({"type": "lifespan", "asgi": {"version": "3.0"}, "state": {}}, receive, send)
    )
    await started.wait()


def _caller(app: Asgi, body: dict[str, Any], *, vary: bool = False) -> Callable[[], Any]:
    """One request as uvicorn hands it over: a fresh scope, the body in one message. With `vary`,
    the goal carries a counter, as `bench_server`'s `reference_uncached` (no plan cache hits)."""
    head, _, tail = json.dumps(body).partition("Find hotels in NYC")
    count = itertools.count()
    status: list[int] = []

    def raw_body() -> bytes:
        if not vary:  # what wrk sends: json.dumps of the dict
            return (head + "Find hotels in NYC" + tail).encode()
        return f"{head}Find hotels in NYC {os.getpid()} {next(count)}{tail}".encode()

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            status.append(message["status"])

    async def call() -> None:
        raw = raw_body()

        async def receive() -> dict[str, Any]:
            return {"type": "http.request", "body": raw, "more_body": False}

        headers = [
            (b"host", b"127.0.0.1:8000"),
            (b"content-length", str(len(raw)).encode()),
            (b"content-type", b"application/json"),
            (b"authorization", f"Bearer {KEY}".encode()),
        ]
        scope = {
            "type": "http",
            "asgi": {"version": "3.0", "spec_version": "2.3"},
            "http_version": "1.1",
            "server": ("127.0.0.1", 8000),
            "client": ("127.0.0.1", 50000),
            "scheme": "http",
            "method": "POST",
            "root_path": "",
            "path": "/v1/chat/completions",
            "raw_path": b"/v1/chat/completions",
            "query_string": b"",
            "headers": headers,
            "state": {},
        }
        await app(scope, receive, send)
        if status.pop() != 200:
            raise RuntimeError("the request did not answer 200")

    return call


async def _cpu_us(call: Callable[[], Any], requests: int) -> float:
    t0 = time.process_time()
    for _ in range(requests):
        await call()
    return (time.process_time() - t0) / requests * 1e6


async def _measure(args: argparse.Namespace) -> dict[str, Any]:
    reference = reference_app()
    await _lifespan(reference)
    _jit.wait(120)  # the kernels compile on a thread whose CPU time would count
    bare = _bare_app()
    calls = {
        "bare": _caller(bare, CHAT),
        "reference": _caller(reference, CHAT),
        "reference_structured": _caller(reference, STRUCTURED),
        "reference_uncached": _caller(reference, CHAT, vary=True),
    }
    for call in calls.values():
        for _ in range(args.warmup):
            await call()
    if args.profile:
        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(args.requests):
            await calls["reference"]()
        profiler.disable()
        stats = pstats.Stats(profiler)
        stats.sort_stats("tottime").print_stats(args.top)
        stats.sort_stats("cumulative").print_stats(args.top)
        return {}
    samples: dict[str, list[float]] = {name: [] for name in calls}
    for _ in range(args.rounds):
        for name, call in calls.items():
            samples[name].append(await _cpu_us(call, args.requests))
    us = {name: round(statistics.median(values), 1) for name, values in samples.items()}
    return {
        "requests": args.requests,
        "rounds": args.rounds,
        "cpu_us_per_request": us,
        "cpu_us_per_request_best": {name: round(min(values), 1) for name, values in samples.items()},
        "ratio_in_process": {
            name: round(us["bare"] / us[name], 3)
            for name in ("reference", "reference_structured", "reference_uncached")
        },
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.tools.profile_request", description=__doc__)
    parser.add_argument("--requests", type=int, default=2000, help="requests per round and body")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--warmup", type=int, default=300)
    parser.add_argument("--profile", action="store_true", help="cProfile the repeated chat request")
    parser.add_argument("--top", type=int, default=40, help="functions shown per --profile listing")
    parser.add_argument("--json", default=None, help="write the figures to this file")
    args = parser.parse_args(argv)
    results = asyncio.run(_measure(args))
    if results:
        print_report(results, args.json)
    return 0


if __name__ == "__main__":
    sys.exit(main())
