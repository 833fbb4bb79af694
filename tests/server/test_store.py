"""The account store (issue 11): both implementations behind one interface, exact under concurrency.

* every store: holds, settle (capped, idempotent), release; 402 / 403 / 429;
* zero credits: 402 on every billed endpoint, embeddings and rollout included;
* Redis: two server processes against one `redis-server` admit exactly the rate limit and charge the
  credits exactly once; Redis going away gives 503 in the dialect's envelope, and service resumes.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest
import pytest_asyncio

from reference_server import Settings, create_app
from reference_server._errors import ApiError
from reference_server._store import Account, KeyRecord, Store, open_store
from tests.server._redis import RedisServer, redis_server
from tests.server._serve import free_port

CLI = [sys.executable, "-m", "reference_server._cli"]
RICH = "stratus_sk_test_richKey00001"
POOR = "stratus_sk_test_zeroCredits01"
LIMITED = "stratus_sk_test_limitedKey01"
GRANTED = "stratus_sk_test_modelsOnly01"
RECORDS = [
    KeyRecord(key=RICH, credits=10.0),
    KeyRecord(key=POOR, credits=0.0),
    KeyRecord(key=LIMITED, rate_limit_per_minute=5),
    KeyRecord(key=GRANTED, allowed_endpoints=["/v1/models"]),
]


@pytest.fixture(scope="module")
def redis() -> Iterator[RedisServer]:
    with redis_server() as server:
        yield server


@pytest_asyncio.fixture(params=["memory", "redis"])
async def store(request: pytest.FixtureRequest) -> AsyncIterator[Store]:
    if request.param == "memory":
        url = "memory"
    else:
        server: RedisServer = request.getfixturevalue("redis")
        url = server.url
        _flush(url)
    made = open_store(Settings(store=url), RECORDS)
    yield made
    await made.close()


def _flush(url: str) -> None:
    import redis as redis_sync

    with redis_sync.Redis.from_url(url) as client:
        client.flushdb()


def _auth(key: str) -> dict[str, str]:
    return {"authorization": f"Bearer {key}"}


@pytest.mark.asyncio
async def test_holds_settle_and_release(store: Store) -> None:
    rich = await store.authenticate(_auth(RICH))
    assert await store.balance(rich) == pytest.approx(10.0)
    first = await store.reserve(rich, 4.0)
    second = await store.reserve(rich, 4.0)
    assert await store.balance(rich) == pytest.approx(2.0)
    with pytest.raises(ApiError) as refused:
        await store.reserve(rich, 4.0)  # the holds count: no overspending
    assert refused.value.status == 402
    assert refused.value.available_credits == pytest.approx(2.0)
    await first.settle(1.5)
    await first.settle(1.5)  # idempotent
    await first.release()  # after settle: nothing
    assert await store.balance(rich) == pytest.approx(4.5)
    await second.settle(99.0)  # capped at the hold
    assert await store.balance(rich) == pytest.approx(4.5)
    third = await store.reserve(rich, 1.0)
    await third.release()
    await third.release()
    assert await store.balance(rich) == pytest.approx(4.5)


@pytest.mark.asyncio
async def test_concurrent_reservations_never_overspend(store: Store) -> None:
    rich = await store.authenticate(_auth(RICH))

    async def one() -> bool:
        try:
            hold = await store.reserve(rich, 0.75)
        except ApiError:
            return False
        await asyncio.sleep(0.01)
        await hold.settle(0.75)
        return True

    results = await asyncio.gather(*(one() for _ in range(30)))
    assert sum(results) == 13  # 13 x 0.75 = 9.75 <= 10 < 14 x 0.75
    assert await store.balance(rich) == pytest.approx(0.25)


@pytest.mark.asyncio
async def test_grants_rate_limits_and_unknown_keys(store: Store) -> None:
    granted = await store.authenticate(_auth(GRANTED))
    await store.admit(granted, "/v1/models")
    with pytest.raises(ApiError) as forbidden:
        await store.admit(granted, "/v1/chat/completions")
    assert forbidden.value.status == 403
    limited = await store.authenticate({"x-api-key": LIMITED})
    for _ in range(5):
        await store.admit(limited, "/v1/models")
    with pytest.raises(ApiError) as limit:
        await store.admit(limited, "/v1/models")
    assert limit.value.status == 429
    assert limit.value.retry_after is not None
    assert 1 <= limit.value.retry_after <= 60
    with pytest.raises(ApiError) as unknown:
        await store.authenticate(_auth("stratus_sk_test_unknownKey01"))
    assert unknown.value.status == 401
    unlimited = await store.authenticate(_auth(GRANTED))
    hold = await store.reserve(unlimited, 10**6)
    await hold.settle(10**6)
    assert await store.balance(unlimited) is None
    assert isinstance(unlimited, Account)


BILLED = [
    (
        "/v1/chat/completions",
        {"model": "stratus-x1ac-small-gpt-4o", "messages": [{"role": "user", "content": "hi"}]},
    ),
    (
        "/v1/messages",
        {
            "model": "stratus-x1ac-small-gpt-4o",
            "max_tokens": 10,
            "messages": [{"role": "user", "content": "hi"}],
        },
    ),
    ("/v1/embeddings", {"model": "stratus-x1ac-small", "input": "a page"}),
    ("/v1/rollout", {"model": "stratus-x1ac-small", "goal": "find hotels"}),
]


@pytest.mark.asyncio
@pytest.mark.parametrize(("path", "body"), BILLED, ids=[p for p, _ in BILLED])
@pytest.mark.parametrize("stream", [False, True])
async def test_zero_credits_is_402_on_every_billed_endpoint(
    store: Store, path: str, body: dict[str, Any], stream: bool
) -> None:
    if stream and path not in ("/v1/chat/completions", "/v1/messages"):
        pytest.skip("no stream on this endpoint")
    transport = httpx.ASGITransport(app=create_app(Settings(), store=store))
    async with httpx.AsyncClient(transport=transport, base_url="http://reference") as client:
        response = await client.post(
            path, json={**body, **({"stream": True} if stream else {})}, headers=_auth(POOR)
        )
        assert response.status_code == 402, response.text
        error = response.json()["error"]
        assert error["type"] == ("billing_error" if path == "/v1/messages" else "insufficient_credits")
        ok = await client.post(path, json=body, headers=_auth(RICH))
        assert ok.status_code == 200, ok.text
    rich = await store.authenticate(_auth(RICH))
    spent = 10.0 - (await store.balance(rich) or 0.0)
    assert 0 < spent < 0.01  # charged what was used, not the hold


# -- two server processes against one Redis -------------------------------------------------------


def _start_server(port: int, keys: Path, url: str) -> subprocess.Popen[bytes]:
    env = {**os.environ, "STRATUS_LOG_LEVEL": "warning"}
    return subprocess.Popen(
        [*CLI, "serve", "--port", str(port), "--keys-file", str(keys), "--store", url],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def _wait(base: str, proc: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 30
    while True:
        try:
            if httpx.get(base + "/health", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        assert proc.poll() is None, "server exited"
        assert time.monotonic() < deadline, "server did not start"
        time.sleep(0.1)


@pytest.fixture
def two_servers(redis: RedisServer, tmp_path: Path) -> Iterator[list[str]]:
    _flush(redis.url)
    keys = tmp_path / "keys.json"
    keys.write_text(
        json.dumps(
            {
                "keys": [
                    {"key": LIMITED, "rate_limit_per_minute": 10},
                    {"key": RICH, "credits": 0.1},
                ]
            }
        )
    )
    procs, bases = [], []
    for _ in range(2):
        port = free_port()
        procs.append(_start_server(port, keys, redis.url))
        bases.append(f"http://127.0.0.1:{port}")
    try:
        for base, proc in zip(bases, procs, strict=True):
            _wait(base, proc)
        yield bases
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            proc.wait(timeout=20)


@pytest.mark.xdist_group("timing")  # two server processes: beside no other timed test
def test_two_processes_admit_exactly_the_rate_limit(two_servers: list[str]) -> None:
    def call(i: int) -> int:
        base = two_servers[i % 2]
        return httpx.get(base + "/v1/models", headers=_auth(LIMITED), timeout=10).status_code

    with ThreadPoolExecutor(8) as pool:
        statuses = list(pool.map(call, range(40)))
    assert statuses.count(200) == 10, statuses
    assert statuses.count(429) == 30


@pytest.mark.xdist_group("timing")  # two server processes: beside no other timed test
def test_two_processes_charge_credits_exactly_once(two_servers: list[str]) -> None:
    body = {"model": "stratus-x1ac-small", "input": "x " * 200}  # 200 tokens x 0.15/1K = 0.03 credits

    def call(i: int) -> int:
        return httpx.post(
            two_servers[i % 2] + "/v1/embeddings", json=body, headers=_auth(RICH), timeout=30
        ).status_code

    with ThreadPoolExecutor(6) as pool:
        statuses = list(pool.map(call, range(12)))
    assert statuses.count(200) == 3, statuses  # 3 x 0.03 = 0.09 <= 0.1 < 0.12
    assert statuses.count(402) == 9


def test_redis_going_away_is_503_and_service_resumes(redis: RedisServer) -> None:
    _flush(redis.url)
    store = open_store(Settings(store=redis.url), RECORDS)
    app = create_app(Settings(), store=store)
    chat = {"model": "stratus-x1ac-small-gpt-4o", "messages": [{"role": "user", "content": "hi"}]}
    msg = {**chat, "max_tokens": 10}
    from litestar.testing import TestClient

    with TestClient(app) as client:
        assert client.post("/v1/chat/completions", json=chat, headers=_auth(RICH)).status_code == 200
        redis.stop()
        try:
            down = client.post("/v1/chat/completions", json=chat, headers=_auth(RICH))
            assert down.status_code == 503, down.text
            assert down.json()["error"]["message"].startswith("Service temporarily unavailable")
            assert down.headers["retry-after"] == "1"
            down = client.post("/v1/messages", json=msg, headers=_auth(RICH))
            assert down.status_code == 503
            assert down.json()["type"] == "error"
            assert down.json()["error"]["type"] == "api_error"
            limited = client.get("/v1/models", headers=_auth(LIMITED))
            assert limited.status_code == 503
            # keys without limits need no store
            assert client.get("/v1/models", headers=_auth(GRANTED)).status_code == 200
        finally:
            redis.start()
        assert client.post("/v1/chat/completions", json=chat, headers=_auth(RICH)).status_code == 200
        assert client.get("/v1/models", headers=_auth(LIMITED)).status_code == 200


def test_a_store_password_never_shows_in_the_settings_repr() -> None:
    shown = repr(Settings(store="redis://stratus:s3cretPassw0rd@127.0.0.1:6379/0"))
    assert "s3cretPassw0rd" not in shown
    assert "redis://stratus:***@127.0.0.1:6379/0" in shown
    assert "store='memory'" in repr(Settings())
