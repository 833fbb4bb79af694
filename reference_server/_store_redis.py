"""`RedisStore`: limits shared by every worker and replica (`--store redis://…`, `STRATUS_STORE`).

Keys and their grants come from the key file, as in `MemoryStore` (every replica reads the same
file; nothing secret is written to Redis). The counters live in Redis, each changed by one Lua script
so that N workers on M machines admit exactly the budget:

* `stratus:v1:rate:<key id>`: a sorted set of request times (ms, from Redis's own clock, so replicas
  with skewed clocks agree); the script drops entries older than 60 s, refuses when the rest reach the
  limit (returning the wait until the oldest leaves), else adds one. The rolling minute of
  `MemoryStore`, exactly.
* `stratus:v1:credits:<key id>`: the balance in micro-credits. A reservation is one script: create the
  balance from the key file's value if it does not exist yet, refuse (402) when it is below the
  request's worst case, else `DECRBY` it; settling is one `INCRBY` of what was held but not spent.

A balance that Redis loses (a restart without persistence) starts again from the key file's value:
run Redis with AOF or RDB to keep balances. Redis errors answer 503 in the dialect's envelope (never
500); the client reconnects by itself, so service resumes as soon as Redis is back.
"""

from __future__ import annotations

import logging
import secrets
from typing import Any

import redis.asyncio as aioredis
from redis.exceptions import RedisError

from reference_server._store import (
    Account,
    KeyRecord,
    Reservation,
    insufficient_credits,
    not_allowed,
    rate_limited,
    store_unavailable,
)
from reference_server._store_memory import MICRO, UNLIMITED_HOLD, MemoryStore, micro

__all__ = ["PREFIX", "RedisStore"]

_log = logging.getLogger("reference_server")

PREFIX = "stratus:v1:"
_WINDOW_MS = 60_000

_RATE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local window = tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[1]) then
  local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
  return {0, tonumber(oldest[2]) + window - now}
end
redis.call('ZADD', KEYS[1], now, ARGV[3])
redis.call('PEXPIRE', KEYS[1], window)
return {1, 0}
"""

_RESERVE = """
local have = redis.call('GET', KEYS[1])
if not have then
  redis.call('SET', KEYS[1], ARGV[2])
  have = ARGV[2]
end
have = tonumber(have)
local need = tonumber(ARGV[1])
if have < need or have <= 0 then
  return {0, have}
end
redis.call('DECRBY', KEYS[1], need)
return {1, have - need}
"""


class _RedisHold:
    def __init__(self, store: RedisStore, account_id: str, held: int) -> None:
        self._store, self._id, self._held = store, account_id, held
        self._done = False

    async def _refund(self, amount: int) -> None:
        if amount <= 0:
            return
        try:
            await self._store.client.incrby(PREFIX + "credits:" + self._id, amount)
        except RedisError as exc:  # the answer is out already: log, never fail it
            _log.warning("could not return %d micro-credits to a balance: %s", amount, type(exc).__name__)

    async def settle(self, spent: float) -> None:
        if self._done:
            return
        self._done = True
        await self._refund(self._held - min(self._held, max(0, micro(spent))))

    async def release(self) -> None:
        if self._done:
            return
        self._done = True
        await self._refund(self._held)


class RedisStore(MemoryStore):
    """Authentication and grants as `MemoryStore` (from the key file); counters in Redis."""

    def __init__(self, url: str, records: list[KeyRecord]) -> None:
        super().__init__(records)
        self.url = url
        self.client: Any = aioredis.Redis.from_url(
            url, socket_timeout=2.0, socket_connect_timeout=2.0, health_check_interval=10
        )
        self._rate = self.client.register_script(_RATE)
        self._reserve = self.client.register_script(_RESERVE)

    async def admit(self, account: Account, path: str) -> None:
        if account.allowed is not None and path not in account.allowed:
            raise not_allowed(path)
        if account.rate_limit is None:
            return
        member = secrets.token_hex(8)
        try:
            ok, wait_ms = await self._rate(
                keys=[PREFIX + "rate:" + account.id], args=[account.rate_limit, _WINDOW_MS, member]
            )
        except RedisError as exc:
            _log.warning("account store unreachable (%s)", type(exc).__name__)
            raise store_unavailable() from None
        if not ok:
            raise rate_limited(account.rate_limit, max(1, -(-int(wait_ms) // 1000)))

    async def reserve(self, account: Account, credits: float) -> Reservation:
        if account.credits is None:
            return UNLIMITED_HOLD
        need = micro(credits)
        try:
            ok, have = await self._reserve(
                keys=[PREFIX + "credits:" + account.id], args=[need, micro(account.credits)]
            )
        except RedisError as exc:
            _log.warning("account store unreachable (%s)", type(exc).__name__)
            raise store_unavailable() from None
        if not ok:
            raise insufficient_credits(credits, int(have) / MICRO)
        return _RedisHold(self, account.id, need)

    async def balance(self, account: Account) -> float | None:
        if account.credits is None:
            return None
        raw = await self.client.get(PREFIX + "credits:" + account.id)
        return (int(raw) if raw is not None else micro(account.credits)) / MICRO

    async def close(self) -> None:
        await self.client.aclose()
